import { createContextKey, metrics, trace, type Context, type Counter, type Histogram, type Tracer, type UpDownCounter } from '@opentelemetry/api';
import * as M from '../../semconv/metrics.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { VERSION } from '../version.js';

/** What every span inside a run inherits, carried in the OTel context. */
export interface RunInfo {
  readonly runId: string;
  readonly agentName: string;
  inputTokens: number;
  outputTokens: number;
}
export const RUN_KEY = createContextKey('agent-otel.run');
export const runOf = (ctx: Context): RunInfo | undefined => ctx.getValue(RUN_KEY) as RunInfo | undefined;

export interface Instruments {
  tokenUsage: Histogram;
  operationDuration: Histogram;
  runs: Counter;
  runDuration: Histogram;
  runsActive: UpDownCounter;
  items: Counter;
  toolCalls: Counter;
  toolDuration: Histogram;
  errors: Counter;
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
    runs: meter.createCounter(M.METRIC_AGENT_RUNS, { unit: M.UNIT_RUN, description: 'Agent runs finished, by agent, kind and status' }),
    runDuration: meter.createHistogram(M.METRIC_AGENT_RUN_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of agent runs',
      advice: { explicitBucketBoundaries: M.BUCKETS_RUN_DURATION },
    }),
    runsActive: meter.createUpDownCounter(M.METRIC_AGENT_RUNS_ACTIVE, { unit: M.UNIT_RUN, description: 'Agent runs in progress' }),
    items: meter.createCounter(M.METRIC_AGENT_ITEMS, { unit: M.UNIT_ITEM, description: 'Work items reported by runs, by outcome' }),
    toolCalls: meter.createCounter(M.METRIC_AGENT_TOOL_CALLS, { unit: M.UNIT_CALL, description: 'Tool calls, by tool and outcome' }),
    toolDuration: meter.createHistogram(M.METRIC_AGENT_TOOL_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of tool calls',
      advice: { explicitBucketBoundaries: M.BUCKETS_TOOL_DURATION },
    }),
    errors: meter.createCounter(M.METRIC_AGENT_ERRORS, { unit: M.UNIT_ERROR, description: 'Errors in runs, LLM calls, tool calls and workflows' }),
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
