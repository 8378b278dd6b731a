import { createContextKey, metrics, trace, type Attributes, type Context, type Histogram, type Meter, type ObservableResult, type Tracer } from '@opentelemetry/api';
import * as M from '../../semconv/metrics.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { VERSION } from '../version.js';

/** What every span inside a run inherits, carried in the OTel context. */
export interface RunInfo {
  readonly runId: string;
  readonly agentName: string;
  /** The span that is the run (its roll-ups are written there only); set when the span starts. */
  rootSpanId?: string;
  inputTokens: number;
  outputTokens: number;
  /** USD of the run's priced LLM calls (added by the cost processor). */
  costUsd: number;
}
export const RUN_KEY = createContextKey('agent-otel.run');
export const runOf = (ctx: Context): RunInfo | undefined => ctx.getValue(RUN_KEY) as RunInfo | undefined;

/**
 * A counter kept in a Map and reported through an observable instrument at collection time. A
 * synchronous SDK counter sorts and serializes the attributes on every add (~1–2 µs); this costs a
 * string key and a Map lookup, which matters on the helpers' path (several counters per call).
 */
export class Tally {
  private readonly entries = new Map<string, { attributes: Attributes; value: number }>();

  add(value: number, attributes: Attributes): void {
    let key = '';
    for (const k in attributes) key += k + '\u0001' + attributes[k] + '\u0002';
    const e = this.entries.get(key);
    if (e) e.value += value;
    else this.entries.set(key, { attributes: defined(attributes), value });
  }

  observe(result: ObservableResult): void {
    // Call sites may order the same keys differently: merge by sorted keys before reporting.
    const merged = new Map<string, { attributes: Attributes; value: number }>();
    for (const e of this.entries.values()) {
      const key = JSON.stringify(Object.entries(e.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
      const m = merged.get(key);
      if (m) m.value += e.value;
      else merged.set(key, { attributes: e.attributes, value: e.value });
    }
    for (const m of merged.values()) result.observe(m.value, m.attributes);
  }
}

function defined(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const k in attributes) if (attributes[k] !== undefined) out[k] = attributes[k];
  return out;
}

export function tally(meter: Meter, kind: 'counter' | 'upDown', name: string, options: { unit: string; description: string }): Tally {
  const t = new Tally();
  const instrument = kind === 'counter' ? meter.createObservableCounter(name, options) : meter.createObservableUpDownCounter(name, options);
  instrument.addCallback((result) => t.observe(result));
  return t;
}

export interface Instruments {
  tokenUsage: Histogram;
  operationDuration: Histogram;
  runs: Tally;
  runDuration: Histogram;
  runsActive: Tally;
  items: Tally;
  toolCalls: Tally;
  toolDuration: Histogram;
  errors: Tally;
}

interface State {
  tracer: Tracer;
  instruments: Instruments;
  captureContent: boolean;
}

let state: State | undefined;
let captureContent = false;

function createInstruments(): Instruments {
  const meter = metrics.getMeter(SCOPE_NAME, VERSION);
  return {
    tokenUsage: meter.createHistogram(M.METRIC_GEN_AI_TOKEN_USAGE, {
      unit: M.UNIT_TOKEN, description: 'Number of input and output tokens used per GenAI operation',
      advice: { explicitBucketBoundaries: M.BUCKETS_TOKEN_USAGE },
    }),
    operationDuration: meter.createHistogram(M.METRIC_GEN_AI_OPERATION_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of GenAI operations',
      advice: { explicitBucketBoundaries: M.BUCKETS_OPERATION_DURATION },
    }),
    runs: tally(meter, 'counter', M.METRIC_AGENT_RUNS, { unit: M.UNIT_RUN, description: 'Agent runs finished, by agent, kind and status' }),
    runDuration: meter.createHistogram(M.METRIC_AGENT_RUN_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of agent runs',
      advice: { explicitBucketBoundaries: M.BUCKETS_RUN_DURATION },
    }),
    runsActive: tally(meter, 'upDown', M.METRIC_AGENT_RUNS_ACTIVE, { unit: M.UNIT_RUN, description: 'Agent runs in progress' }),
    items: tally(meter, 'counter', M.METRIC_AGENT_ITEMS, { unit: M.UNIT_ITEM, description: 'Work items reported by runs, by outcome' }),
    toolCalls: tally(meter, 'counter', M.METRIC_AGENT_TOOL_CALLS, { unit: M.UNIT_CALL, description: 'Tool calls, by tool and outcome' }),
    toolDuration: meter.createHistogram(M.METRIC_AGENT_TOOL_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of tool calls',
      advice: { explicitBucketBoundaries: M.BUCKETS_TOOL_DURATION },
    }),
    errors: tally(meter, 'counter', M.METRIC_AGENT_ERRORS, { unit: M.UNIT_ERROR, description: 'Errors in runs, LLM calls, tool calls and workflows' }),
  };
}

/**
 * The tracer and instruments helpers use. Meters taken from the metrics API before a provider is
 * registered stay no-ops forever, so they are (re)made whenever registration changes.
 */
export function current(): State {
  return (state ??= { tracer: trace.getTracer(SCOPE_NAME, VERSION), instruments: createInstruments(), captureContent });
}

/** Called by registerTelemetry() and shutdown(). */
export function resetState(options: { captureContent: boolean }): void {
  captureContent = options.captureContent;
  state = undefined;
}
