/**
 * The dialect tables: what other instrumentation libraries call the things the GenAI conventions
 * name. Names only; src/dialects/ reads spans with them. Documented in semconv/README.md.
 * Per library: semconv/dialects/*.ts.
 */

/**
 * Instrumentation scopes that record the GenAI client metrics (`gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`) themselves: we do not record them again. Checked against the
 * packages: `@opentelemetry/instrumentation-openai` 0.22 records both; OpenLLMetry's JS
 * instrumentations (`@traceloop/instrumentation-*` 0.27), OpenInference and the Anthropic SDK's own
 * tracing record none.
 */
export const SELF_METERED_SCOPES: ReadonlySet<string> = new Set(['@opentelemetry/instrumentation-openai']);

/** Usage under the names of GenAI conventions before 1.27 (still written by some instrumentations). */
export const GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
