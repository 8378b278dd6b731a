import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AGENT_RUN_ID, GEN_AI_AGENT_NAME } from '../../semconv/attributes.js';
import { runOf } from '../instrument/state.js';

/**
 * Stamps every span started inside a run (helpers, plain OTel code, third-party instrumentation)
 * with `agent.run.id` and `gen_ai.agent.name`, so that "what did run X do" is one WHERE clause.
 */
export class RunContextProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const run = runOf(parentContext);
    if (!run) return;
    span.setAttribute(AGENT_RUN_ID, run.runId);
    if (span.attributes[GEN_AI_AGENT_NAME] === undefined) span.setAttribute(GEN_AI_AGENT_NAME, run.agentName);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}
