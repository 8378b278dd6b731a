import type { Span } from '@opentelemetry/sdk-trace';
import type { CallKind } from '../dialects/types.js';
import type { RunInfo } from '../runContext.js';

export type { CallKind };


/**
 * Facts the processors keep on the SDK's span objects while spans are open (symbols: never exported).
 * A child reads them from its parent span, so run membership and nesting work for spans started by
 * any library, not only those started inside our helpers' context.
 */
export const RUN_OF = Symbol('agent-otel.run');
export const KIND = Symbol('agent-otel.kind');
/** The nearest enclosing span that is an LLM call, and the nearest that is a tool call. */
export const OUTER_LLM = Symbol('agent-otel.outerLlm');
export const OUTER_TOOL = Symbol('agent-otel.outerTool');
/** Set on a call span when a call of the same kind ended inside it: it is a wrapper, not a call. */
export const WRAPS_CALLS = Symbol('agent-otel.wrapsCalls');
/**
 * Set on another library's span that started without attributes: OpenInference's tracer sets every
 * attribute just after the span started. Its kind is read when its first child starts or it ends.
 */
export const KIND_LATER = Symbol('agent-otel.kindLater');

export type MarkedSpan = Span & {
  [RUN_OF]?: RunInfo;
  [KIND]?: CallKind;
  [OUTER_LLM]?: MarkedSpan;
  [OUTER_TOOL]?: MarkedSpan;
  [WRAPS_CALLS]?: boolean;
  [KIND_LATER]?: boolean;
};

