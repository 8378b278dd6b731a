import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import type { Instruments } from './instruments.js';
import type { RunInfo } from '../runContext.js';
import { withAttribute } from './attributes.js';

/**
 * The GenAI metrics of one call or invocation, under the names the config picked: the published
 * ones by default (gen_ai.client.token.usage, gen_ai.client.operation.duration, agent.tool.*), or
 * the latest experimental ones with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental.
 * Shared by the helpers and CallAccountingProcessor, so every instrumentation is measured alike.
 */

const INFERENCE = new Set<unknown>(A.INFERENCE_OPERATIONS);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Cache writes under the spec's current name, else the earlier one. */
export const cacheWriteTokens = (a: Attributes): number | undefined =>
  count(a[A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS]) ?? count(a[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]);

export interface CallOutcome {
  agent: AttributeValue | undefined;
  errorType: string | undefined;
  seconds: number;
}

/** A model call's metric attribute sets, and the values they were made from. */
interface LlmSets {
  readonly op: unknown; readonly provider: unknown; readonly request: unknown; readonly response: unknown;
  readonly agent: unknown; readonly errorType: string | undefined;
  readonly base: Attributes; readonly withError: Attributes; readonly input: Attributes; readonly output: Attributes;
}
/** The last call's sets: calls in a row mostly repeat them (one agent, one model), then no object is made. */
let lastLlm: LlmSets | undefined;

function llmSets(a: Attributes, o: CallOutcome): LlmSets {
  const op = a[A.GEN_AI_OPERATION_NAME];
  const provider = a[A.GEN_AI_PROVIDER_NAME];
  const request = a[A.GEN_AI_REQUEST_MODEL];
  const response = a[A.GEN_AI_RESPONSE_MODEL];
  const l = lastLlm;
  if (l && l.op === op && l.provider === provider && l.request === request && l.response === response && l.agent === o.agent && l.errorType === o.errorType) return l;
  const base: Attributes = {
    [A.GEN_AI_OPERATION_NAME]: op, [A.GEN_AI_PROVIDER_NAME]: provider, [A.GEN_AI_REQUEST_MODEL]: request,
    [A.GEN_AI_RESPONSE_MODEL]: response, [A.GEN_AI_AGENT_NAME]: o.agent,
  };
  // withAttribute, not `{ ...x, [k]: v }` (V8's slow path, ~0.7 µs each): same keys in the same order.
  const withError = o.errorType ? withAttribute(base, A.ERROR_TYPE, o.errorType) : base;
  return (lastLlm = {
    op, provider, request, response, agent: o.agent, errorType: o.errorType, base, withError,
    input: withAttribute(withError, A.GEN_AI_TOKEN_TYPE, A.TokenType.INPUT),
    output: withAttribute(withError, A.GEN_AI_TOKEN_TYPE, A.TokenType.OUTPUT),
  });
}

/** One counted model call: its run's call count, and (unless `selfMetered`) the GenAI client metrics. */
export function recordLlmCallMetrics(instruments: Instruments, a: Attributes, run: RunInfo | undefined, o: CallOutcome, selfMetered: boolean): void {
  if (run) run.llmCalls = (run.llmCalls ?? 0) + 1;
  if (selfMetered) return;
  const sets = llmSets(a, o);
  const { op, base, withError } = sets;
  const input = count(a[A.GEN_AI_USAGE_INPUT_TOKENS]);
  const output = count(a[A.GEN_AI_USAGE_OUTPUT_TOKENS]);
  const latest = instruments.latest;
  if (!latest) {
    instruments.operationDuration.record(o.seconds, withError);
    if (input !== undefined) instruments.tokenUsage.record(input, sets.input);
    if (output !== undefined) instruments.tokenUsage.record(output, sets.output);
    return;
  }
  // Latest: inference has its own duration; every call (failed ones too) adds to the usage counters,
  // 0 when the provider reported nothing, and to the per-operation distributions.
  (INFERENCE.has(op) ? latest.inferenceDuration : instruments.operationDuration).record(o.seconds, withError);
  const usage: Attributes = withAttribute(base, A.GEN_AI_TOKEN_MODALITY, A.TokenModality.UNKNOWN);
  latest.usage.input.add(input ?? 0, usage);
  latest.usage.output.add(output ?? 0, usage);
  latest.usage.cacheRead.add(count(a[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]) ?? 0, usage);
  latest.usage.cacheWrite.add(cacheWriteTokens(a) ?? 0, usage);
  latest.usage.reasoning.add(count(a[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]) ?? 0, usage);
  latest.operationInputTokens.record(input ?? 0, withError);
  latest.operationOutputTokens.record(output ?? 0, withError);
}

/** One counted tool call: its run's call count, agent.tool.calls/duration, and gen_ai.execute_tool.duration when opted in. */
export function recordToolCallMetrics(instruments: Instruments, a: Attributes, run: RunInfo | undefined, o: CallOutcome): void {
  if (run) run.toolCalls = (run.toolCalls ?? 0) + 1;
  const outcome = (a[A.AGENT_TOOL_OUTCOME] as string | undefined) ?? (o.errorType ? A.ToolOutcome.ERROR : A.ToolOutcome.SUCCESS);
  const attrs: Attributes = { [A.GEN_AI_TOOL_NAME]: a[A.GEN_AI_TOOL_NAME], [A.AGENT_TOOL_OUTCOME]: outcome, [A.GEN_AI_AGENT_NAME]: o.agent };
  instruments.toolCalls.add(1, attrs);
  instruments.toolDuration.record(o.seconds, attrs);
  instruments.latest?.executeToolDuration.record(o.seconds, {
    [A.GEN_AI_TOOL_NAME]: a[A.GEN_AI_TOOL_NAME], [A.GEN_AI_TOOL_TYPE]: a[A.GEN_AI_TOOL_TYPE], [A.GEN_AI_AGENT_NAME]: o.agent,
    [A.ERROR_TYPE]: o.errorType,
  });
}

export interface Invocation {
  operation: 'invoke_agent' | 'invoke_workflow';
  /** gen_ai.agent.name or gen_ai.workflow.name. */
  name: string | undefined;
  nested: boolean;
  errorType: string | undefined;
  seconds: number;
  /** The run of an `invoke_agent` invocation: its own call counts. */
  run?: RunInfo;
}

/** Latest names only: gen_ai.invocation.duration, and for agents the calls it made itself. */
export function recordInvocationMetrics(instruments: Instruments, inv: Invocation): void {
  const latest = instruments.latest;
  if (!latest) return;
  const agent = inv.operation === A.GenAiOperation.INVOKE_AGENT;
  latest.invocationDuration.record(inv.seconds, {
    [A.GEN_AI_OPERATION_NAME]: inv.operation, [A.GEN_AI_INVOCATION_IS_NESTED]: inv.nested,
    [agent ? A.GEN_AI_AGENT_NAME : A.GEN_AI_WORKFLOW_NAME]: inv.name, [A.ERROR_TYPE]: inv.errorType,
  });
  if (!agent) return;
  latest.agentInferenceCalls.record(inv.run?.llmCalls ?? 0, { [A.GEN_AI_AGENT_NAME]: inv.name });
  latest.agentToolCalls.record(inv.run?.toolCalls ?? 0, { [A.GEN_AI_AGENT_NAME]: inv.name });
}
