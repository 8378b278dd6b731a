import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { AGENT_RUN_ID, GEN_AI_AGENT_NAME } from '../../semconv/attributes.js';
import { runOf, type RunInfo } from '../instrument/state.js';

/** Where a span keeps its run, for processors that act when it ends (cost roll-up, budgets). */
export const RUN_OF = Symbol('agent-otel.run');
export type SpanWithRun = Span & { [RUN_OF]?: RunInfo };

/**
 * Stamps every span started inside a run (helpers, plain OTel code, third-party instrumentation)
 * with `agent.run.id` and `gen_ai.agent.name`, so that "what did run X do" is one WHERE clause.
 */
export class RunContextProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const run = runOf(parentContext);
    if (!run) return;
    (span as SpanWithRun)[RUN_OF] = run;
    span.setAttribute(AGENT_RUN_ID, run.runId);
    if (span.attributes[GEN_AI_AGENT_NAME] === undefined) span.setAttribute(GEN_AI_AGENT_NAME, run.agentName);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}
