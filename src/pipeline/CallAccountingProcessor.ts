import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import { SELF_METERED_SCOPES } from '../../semconv/dialects.js';
import { kindOfOperation } from '../dialects/kind.js';
import { recordInvocationMetrics, recordLlmCallMetrics, recordToolCallMetrics } from '../metrics/genaiMetrics.js';
import { current } from '../metrics/instruments.js';
import { OUTER_LLM, OUTER_TOOL, RUN_OF, WRAPS_CALLS, type MarkedSpan } from './spanMarks.js';
import { NO_HOOK } from '../noHook.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const seconds = (span: Span): number => span.duration[0] + span.duration[1] / 1e9;

/**
 * Counts every model call and tool call once, whoever made its span (our helpers, the Vercel AI SDK,
 * OpenInference, OpenLLMetry, the official instrumentations), after the dialects have added the
 * standard keys:
 * - a call with calls of the same kind inside it is a wrapper (`agent.call.wrapper`), not a call;
 * - a call's tokens go to its run; the GenAI client metrics and the tool metrics are recorded here
 *   (unless the instrumentation records the GenAI metrics itself);
 * - the root span of another framework's agent run gets its status and token totals.
 */
export class CallAccountingProcessor implements SpanProcessor {
  readonly onStart = NO_HOOK;

  onEnding(span: Span): void {
    const m = span as MarkedSpan;
    const a = span.attributes as Attributes;
    const kind = kindOfOperation(a[A.GEN_AI_OPERATION_NAME]);
    if (!kind) return;
    const run = m[RUN_OF];
    if (kind === 'agent') {
      if (run && run.rootSpanId === span.spanContext().spanId && a[A.AGENT_RUN_STATUS] === undefined) this.endRun(span, a);
      return;
    }
    // The enclosing call of the same kind wraps this one (a wrapper inside a wrapper too).
    const outer = kind === 'llm' ? m[OUTER_LLM] : m[OUTER_TOOL];
    if (outer?.isRecording()) outer[WRAPS_CALLS] = true;
    if (m[WRAPS_CALLS]) {
      a[A.AGENT_CALL_WRAPPER] = true;
      return;
    }
    const { instruments } = current();
    const agent = (a[A.GEN_AI_AGENT_NAME] as string | undefined) ?? run?.agentName;
    const failed = span.status.code === SpanStatusCode.ERROR;
    const errorType = (a[A.ERROR_TYPE] as string | undefined) ?? (failed ? '_OTHER' : undefined);
    if (kind === 'tool') {
      recordToolCallMetrics(instruments, a, run, { agent, errorType, seconds: seconds(span) });
      if (errorType) instruments.errors.add(1, { [A.GEN_AI_AGENT_NAME]: agent, [A.AGENT_OPERATION]: 'tool', [A.ERROR_TYPE]: errorType });
      return;
    }
    const input = num(a[A.GEN_AI_USAGE_INPUT_TOKENS]);
    const output = num(a[A.GEN_AI_USAGE_OUTPUT_TOKENS]);
    if (run) {
      run.inputTokens += input ?? 0;
      run.outputTokens += output ?? 0;
    }
    if (errorType) instruments.errors.add(1, { [A.GEN_AI_AGENT_NAME]: agent, [A.AGENT_OPERATION]: 'llm', [A.ERROR_TYPE]: errorType });
    recordLlmCallMetrics(instruments, a, run, { agent, errorType, seconds: seconds(span) }, SELF_METERED_SCOPES.has(span.instrumentationScope.name));
  }

  /** Another framework's agent run ends: its status from the span status, its token totals, the run metrics. */
  private endRun(span: Span, a: Attributes): void {
    const run = (span as MarkedSpan)[RUN_OF]!;
    const failed = span.status.code === SpanStatusCode.ERROR;
    const status = failed ? A.RunStatus.FAILED : A.RunStatus.SUCCESS;
    a[A.AGENT_RUN_STATUS] = status;
    if (run.inputTokens || run.outputTokens) {
      a[A.AGENT_RUN_INPUT_TOKENS] = run.inputTokens;
      a[A.AGENT_RUN_OUTPUT_TOKENS] = run.outputTokens;
    }
    const { instruments } = current();
    const attrs: Attributes = { [A.GEN_AI_AGENT_NAME]: run.agentName, [A.AGENT_RUN_STATUS]: status };
    instruments.runs.add(1, attrs);
    instruments.runDuration.record(seconds(span), attrs);
    // Outside any of our runs; whether a workflow encloses it is not known here.
    recordInvocationMetrics(instruments, {
      operation: A.GenAiOperation.INVOKE_AGENT, name: run.agentName, nested: false, run, seconds: seconds(span),
      errorType: failed ? (a[A.ERROR_TYPE] as string | undefined) ?? '_OTHER' : undefined,
    });
    if (failed) {
      instruments.errors.add(1, {
        [A.GEN_AI_AGENT_NAME]: run.agentName, [A.AGENT_OPERATION]: 'run', [A.ERROR_TYPE]: (a[A.ERROR_TYPE] as string | undefined) ?? '_OTHER',
      });
    }
  }

  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}
