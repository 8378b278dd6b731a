import { randomUUID } from 'node:crypto';
import { trace, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { DIALECTS, kindAtStart } from '../dialects/index.js';
import { kindOfOperation } from '../dialects/kind.js';
import { runOf, type RunInfo } from '../instrument/state.js';
import { KIND, OUTER_LLM, OUTER_TOOL, RUN_OF, type MarkedSpan } from './spanMarks.js';

/**
 * As each span starts, notes what it is (LLM call, tool call, agent) and what it is inside of:
 * - its run: from our helpers' context, or from the parent span (so spans of any library inherit it);
 *   every span in a run gets `agent.run.id` and `gen_ai.agent.name`, so "what did run X do" is one
 *   WHERE clause;
 * - an agent span of another framework outside any run starts a run of its own;
 * - the nearest enclosing LLM call and tool call, so that a call inside a call is counted once.
 */
export class RunContextProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const m = span as MarkedSpan;
    const attrs = span.attributes as Attributes;
    const parent = trace.getSpan(parentContext) as MarkedSpan | undefined;
    const own = span.instrumentationScope.name === SCOPE_NAME;
    const kind = own ? kindOfOperation(attrs[A.GEN_AI_OPERATION_NAME]) : kindAtStart(attrs, span.instrumentationScope.name, span.name);
    if (kind) m[KIND] = kind;
    if (parent) {
      const outerLlm = parent[KIND] === 'llm' ? parent : parent[OUTER_LLM];
      if (outerLlm) m[OUTER_LLM] = outerLlm;
      const outerTool = parent[KIND] === 'tool' ? parent : parent[OUTER_TOOL];
      if (outerTool) m[OUTER_TOOL] = outerTool;
    }
    let run = runOf(parentContext) ?? parent?.[RUN_OF];
    if (!run && kind === 'agent' && !own) run = startRun(span, attrs);
    if (!run) return;
    m[RUN_OF] = run;
    if (attrs[A.AGENT_RUN_ID] === undefined) span.setAttribute(A.AGENT_RUN_ID, run.runId);
    if (attrs[A.GEN_AI_AGENT_NAME] === undefined) span.setAttribute(A.GEN_AI_AGENT_NAME, run.agentName);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

/** An agent span of another framework, outside any run: it is the run (its root span). */
function startRun(span: Span, attrs: Attributes): RunInfo {
  let agentName = attrs[A.GEN_AI_AGENT_NAME];
  for (const d of DIALECTS) {
    if (agentName !== undefined) break;
    if (d.matches(attrs, span.instrumentationScope.name)) agentName = d.standardKeys(attrs, span.name)?.[A.GEN_AI_AGENT_NAME];
  }
  return {
    runId: randomUUID(), agentName: typeof agentName === 'string' && agentName ? agentName : span.name,
    rootSpanId: span.spanContext().spanId, inputTokens: 0, outputTokens: 0, costUsd: 0,
  };
}
