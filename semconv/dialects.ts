/**
 * The dialect tables: what other instrumentation libraries call the things the GenAI conventions
 * name. Names only; src/dialects/ reads spans with them. Documented in semconv/README.md.
 */

/** Instrumentation scopes that record the GenAI client metrics themselves: we do not record them again. */
export const SELF_METERED_SCOPES: ReadonlySet<string> = new Set(['@opentelemetry/instrumentation-openai']);
