import type { Attributes } from '@opentelemetry/api';

/** What a span is, as far as runs and call accounting care. */
export type CallKind = 'llm' | 'tool' | 'agent';

/**
 * What another instrumentation library calls the things the GenAI conventions name. A dialect reads a
 * span's own attributes and says which standard keys they mean; the DialectProcessor adds the ones
 * the span lacks and keeps every original key.
 */
export interface Dialect {
  /** As in semconv/README.md's dialect table; written as `agent.dialect`. */
  readonly name: string;
  /** Cheap (a few key lookups): does a span with these attributes and scope speak this dialect? */
  matches(attributes: Attributes, scope: string): boolean;
  /**
   * What the span is, from what is known when it starts (so that its children can tell they are
   * inside a model call, a tool call or an agent). Undefined: none of these.
   */
  kindOf(attributes: Attributes, spanName: string): CallKind | undefined;
  /** The standard keys the span's attributes mean (gen_ai.operation.name first of all). */
  standardKeys(attributes: Attributes, spanName: string): Attributes | undefined;
}
