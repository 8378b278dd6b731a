import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { tally, type Tally } from './tally.js';
import { HistogramBatches, type BatchedHistogram } from './batchedHistogram.js';
import * as M from '../../semconv/metrics.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { VERSION } from '../version.js';
import { semconvOptInFromEnv } from '../config.js';
import type { RunStartWriter } from '../../exporters/jsonl/RunStartWriter.js';

/** A histogram the helpers record into: values batched per attribute set (batchedHistogram.ts). */
export type Histogram = Pick<BatchedHistogram, 'record'>;

/** The GenAI metrics of the latest conventions (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental). */
export interface LatestGenAiInstruments {
  inferenceDuration: Histogram;
  usage: { input: Tally; output: Tally; cacheRead: Tally; cacheWrite: Tally; reasoning: Tally };
  operationInputTokens: Histogram;
  operationOutputTokens: Histogram;
  invocationDuration: Histogram;
  agentInferenceCalls: Histogram;
  agentToolCalls: Histogram;
  executeToolDuration: Histogram;
}

export interface Instruments {
  /** Default names only: replaced by the `latest` usage counters and histograms when opted in. */
  tokenUsage: Histogram;
  /** Every model call by default; only non-inference ones (embeddings) when opted in. */
  operationDuration: Histogram;
  /** Present when the latest GenAI metric names are opted in. */
  latest?: LatestGenAiInstruments;
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
  /** Where `withAgentRun` records run starts: absent when local files are off. */
  runStarts: Pick<RunStartWriter, 'add'> | undefined;
}

let state: State | undefined;
let captureContent = false;
let runStarts: State['runStarts'];
let genAiLatest = false;

function createLatest(meter: Meter, batches: HistogramBatches): LatestGenAiInstruments {
  const tokens = (name: string, description: string) => tally(meter, 'counter', name, { unit: M.UNIT_TOKEN, description });
  const histogram = (name: string, unit: string, description: string, buckets: number[]) =>
    batches.add(meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: buckets } }));
  return {
    inferenceDuration: histogram(M.METRIC_GEN_AI_INFERENCE_DURATION, M.UNIT_SECONDS, 'GenAI client inference operation duration', M.BUCKETS_OPERATION_DURATION),
    usage: {
      input: tokens(M.METRIC_GEN_AI_INFERENCE_USAGE_INPUT_TOKENS, 'The number of input (prompt) tokens used, including cached tokens'),
      output: tokens(M.METRIC_GEN_AI_INFERENCE_USAGE_OUTPUT_TOKENS, 'The number of output (completion) tokens used, including reasoning tokens'),
      cacheRead: tokens(M.METRIC_GEN_AI_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS, 'The number of input tokens served from a provider-managed cache'),
      cacheWrite: tokens(M.METRIC_GEN_AI_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS, 'The number of input tokens written to a provider-managed cache'),
      reasoning: tokens(M.METRIC_GEN_AI_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS, 'The number of output tokens used for reasoning'),
    },
    operationInputTokens: histogram(M.METRIC_GEN_AI_INFERENCE_OPERATION_INPUT_TOKENS, M.UNIT_TOKEN, 'The number of input (prompt) tokens used per inference operation', M.BUCKETS_TOKEN_USAGE),
    operationOutputTokens: histogram(M.METRIC_GEN_AI_INFERENCE_OPERATION_OUTPUT_TOKENS, M.UNIT_TOKEN, 'The number of output (completion) tokens used per inference operation', M.BUCKETS_TOKEN_USAGE),
    invocationDuration: histogram(M.METRIC_GEN_AI_INVOCATION_DURATION, M.UNIT_SECONDS, 'The end-to-end duration of an in-process GenAI workflow or agent invocation', M.BUCKETS_INVOCATION_DURATION),
    agentInferenceCalls: histogram(M.METRIC_GEN_AI_INVOKE_AGENT_INFERENCE_CALLS, M.UNIT_INFERENCE_CALL, 'The number of inference (model) calls a GenAI agent makes during a single invocation', M.BUCKETS_CALLS_PER_INVOCATION),
    agentToolCalls: histogram(M.METRIC_GEN_AI_INVOKE_AGENT_TOOL_CALLS, M.UNIT_TOOL_CALL, 'The number of tool calls a GenAI agent makes during a single invocation', M.BUCKETS_CALLS_PER_INVOCATION),
    executeToolDuration: histogram(M.METRIC_GEN_AI_EXECUTE_TOOL_DURATION, M.UNIT_SECONDS, 'The duration of a single tool execution', M.BUCKETS_OPERATION_DURATION),
  };
}

function createInstruments(): Instruments {
  const meter = metrics.getMeter(SCOPE_NAME, VERSION);
  const batches = new HistogramBatches();
  const histogram = (name: string, options: Parameters<Meter['createHistogram']>[1]) => batches.add(meter.createHistogram(name, options));
  const instruments: Instruments = {
    latest: genAiLatest ? createLatest(meter, batches) : undefined,
    tokenUsage: histogram(M.METRIC_GEN_AI_TOKEN_USAGE, {
      unit: M.UNIT_TOKEN, description: 'Number of input and output tokens used per GenAI operation',
      advice: { explicitBucketBoundaries: M.BUCKETS_TOKEN_USAGE },
    }),
    operationDuration: histogram(M.METRIC_GEN_AI_OPERATION_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of GenAI operations',
      advice: { explicitBucketBoundaries: M.BUCKETS_OPERATION_DURATION },
    }),
    runs: tally(meter, 'counter', M.METRIC_AGENT_RUNS, { unit: M.UNIT_RUN, description: 'Agent runs finished, by agent, kind and status' }),
    runDuration: histogram(M.METRIC_AGENT_RUN_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of agent runs',
      advice: { explicitBucketBoundaries: M.BUCKETS_RUN_DURATION },
    }),
    runsActive: tally(meter, 'upDown', M.METRIC_AGENT_RUNS_ACTIVE, { unit: M.UNIT_RUN, description: 'Agent runs in progress' }),
    items: tally(meter, 'counter', M.METRIC_AGENT_ITEMS, { unit: M.UNIT_ITEM, description: 'Work items reported by runs, by outcome' }),
    toolCalls: tally(meter, 'counter', M.METRIC_AGENT_TOOL_CALLS, { unit: M.UNIT_CALL, description: 'Tool calls, by tool and outcome' }),
    toolDuration: histogram(M.METRIC_AGENT_TOOL_DURATION, {
      unit: M.UNIT_SECONDS, description: 'Duration of tool calls',
      advice: { explicitBucketBoundaries: M.BUCKETS_TOOL_DURATION },
    }),
    errors: tally(meter, 'counter', M.METRIC_AGENT_ERRORS, { unit: M.UNIT_ERROR, description: 'Errors in runs, LLM calls, tool calls and workflows' }),
  };
  // Before each collection (the SDK runs a meter's callbacks before it reads its storages), the
  // batched histogram values go into the SDK's storage.
  if (instruments.runs.instrument) meter.addBatchObservableCallback(() => batches.flush(), [instruments.runs.instrument]);
  return instruments;
}

/**
 * The tracer and instruments helpers use. Meters taken from the metrics API before a provider is
 * registered stay no-ops forever, so they are (re)made whenever registration changes.
 */
export function current(): State {
  return (state ??= { tracer: trace.getTracer(SCOPE_NAME, VERSION), instruments: createInstruments(), captureContent, runStarts });
}

/**
 * Called by registerTelemetry() and shutdown(). `genAiLatest` is the resolved config's
 * genAiLatestExperimental; when the caller leaves it out it is resolved from the env the same way.
 * `runStarts`: the registration's run-start writer (none after shutdown).
 */
export function resetState(options: { captureContent: boolean; genAiLatest?: boolean; runStarts?: State['runStarts'] }): void {
  captureContent = options.captureContent;
  runStarts = options.runStarts;
  genAiLatest = options.genAiLatest ?? semconvOptInFromEnv().includes(M.SEMCONV_OPT_IN_GEN_AI_LATEST);
  state = undefined;
}
