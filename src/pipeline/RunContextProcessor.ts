import { trace, type Attributes, type Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { DIALECTS, kindAtStart } from '../dialects/index.js';
import { kindOfOperation } from '../dialects/kind.js';
import { newRunId, runOf, type RunInfo } from '../runContext.js';
import { KIND, KIND_LATER, OUTER_LLM, OUTER_TOOL, RUN_OF, WRAPS_CALLS, type MarkedSpan } from './spanMarks.js';
import { NO_HOOK } from '../noHook.js';
import { setValidAttribute } from './validAttribute.js';

/**
 * As each span starts, notes what it is (LLM call, tool call, agent) and what it is inside of:
 * - its run: from our helpers' context, or from the parent span (so spans of any library inherit it);
 *   every span in a run gets `agent.run.id` and `gen_ai.agent.name`, so "what did run X do" is one
 *   WHERE clause;
 * - an agent span of another framework outside any run starts a run of its own;
 * - the nearest enclosing LLM call and tool call, so that a call inside a call is counted once.
 * A span whose attributes come just after its start (OpenInference) is classified when its first
 * child starts, or when it ends (onEnding: this processor comes first, before the dialects).
 */
export class RunContextProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const m = span as MarkedSpan;
    const attrs = span.attributes as Attributes;
    const parent = sdkSpan(trace.getSpan(parentContext));
    if (parent?.[KIND_LATER]) classifyLater(parent);
    const own = span.instrumentationScope.name === SCOPE_NAME;
    const kind = own ? kindOfOperation(attrs[A.GEN_AI_OPERATION_NAME]) : kindAtStart(attrs, span.instrumentationScope.name, span.name);
    if (kind) m[KIND] = kind;
    else if (!own && isEmpty(attrs)) m[KIND_LATER] = true; // attributes to come (OpenInference sets them just after start)
    if (parent) {
      const outerLlm = parent[KIND] === 'llm' ? parent : parent[OUTER_LLM];
      if (outerLlm) m[OUTER_LLM] = outerLlm;
      const outerTool = parent[KIND] === 'tool' ? parent : parent[OUTER_TOOL];
      if (outerTool) m[OUTER_TOOL] = outerTool;
      // A call starting inside a call of its kind makes that one a wrapper now: the inner span may end
      // last (the Anthropic SDK ends its span when the body is read, after OpenInference's has ended).
      const outer = kind === 'llm' ? outerLlm : kind === 'tool' ? outerTool : undefined;
      if (outer) outer[WRAPS_CALLS] = true;
    }
    let run = runOf(parentContext) ?? parent?.[RUN_OF];
    if (!run && kind === 'agent' && !own) run = startRun(span, attrs);
    if (run) joinRun(m, run);
  }
  onEnding(span: Span): void {
    if ((span as MarkedSpan)[KIND_LATER]) classifyLater(span as MarkedSpan);
  }
  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

function isEmpty(attrs: Attributes): boolean {
  for (const _ in attrs) return false;
  return true;
}

function joinRun(m: MarkedSpan, run: RunInfo): void {
  m[RUN_OF] = run;
  const attrs = m.attributes as Attributes;
  // Strings the run made (withAgentRun, startRun): no SDK value check needed.
  if (attrs[A.AGENT_RUN_ID] === undefined) setValidAttribute(m, A.AGENT_RUN_ID, run.runId);
  if (attrs[A.GEN_AI_AGENT_NAME] === undefined) setValidAttribute(m, A.GEN_AI_AGENT_NAME, run.agentName);
}

/** The kind of a span that had no attributes at start, from the ones it has now; an agent outside any run starts one. */
function classifyLater(m: MarkedSpan): void {
  m[KIND_LATER] = false;
  const kind = kindAtStart(m.attributes as Attributes, m.instrumentationScope.name, m.name);
  if (!kind) return;
  m[KIND] = kind;
  if (kind === 'agent' && !m[RUN_OF]) joinRun(m, startRun(m, m.attributes as Attributes));
}

/** The SDK span behind a context's span: OpenInference's instrumentations put their wrapper (OISpan, `.span`) there. */
function sdkSpan(s: unknown): MarkedSpan | undefined {
  const inner = (s as { span?: unknown } | undefined)?.span;
  return (inner !== null && typeof inner === 'object' && typeof (inner as MarkedSpan).spanContext === 'function' ? inner : s) as MarkedSpan | undefined;
}

/** An agent span of another framework, outside any run: it is the run (its root span). */
function startRun(span: Span, attrs: Attributes): RunInfo {
  let agentName = attrs[A.GEN_AI_AGENT_NAME];
  for (const d of DIALECTS) {
    if (agentName !== undefined) break;
    if (d.matches(attrs, span.instrumentationScope.name)) agentName = d.standardKeys(attrs, span.name)?.[A.GEN_AI_AGENT_NAME];
  }
  return {
    runId: newRunId(), agentName: typeof agentName === 'string' && agentName ? agentName : span.name,
    rootSpanId: span.spanContext().spanId, inputTokens: 0, outputTokens: 0, costUsd: 0,
  };
}
