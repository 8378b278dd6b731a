/**
 * The content table: every attribute, in every dialect agent-otel understands, that carries what a
 * user or a model said (prompts, completions, instructions, tool definitions, arguments and results,
 * documents, embeddings, templates, guardrail and memory payloads). Names and patterns only;
 * src/governance/PrivacyProcessor.ts drops them unless the privacy level is `full`.
 * Documented (as a table) in semconv/README.md.
 *
 * Pattern syntax: dotted key; `{i}` stands for a list index (digits). `match`:
 * - `exact`: the key itself;
 * - `tree`:  the key and every key flattened under it (`key.…`), e.g. OpenInference's
 *            `llm.input_messages.0.message.content`. A list of messages, documents or definitions goes
 *            whole — roles, ids and names inside it included (as OpenInference's own `hideInputs`
 *            does): a role or a document id alone says nothing worth keeping, and one prefix rule
 *            cannot leak a field a library adds tomorrow.
 *
 * What only looks like content and stays (metadata): `gen_ai.prompt.name`, prompt template
 * ids/versions (`llm.prompt_template.version`, `prompt.id`, `traceloop.prompt.key|version*`,
 * `langfuse.observation.prompt.*`), token counts (`gen_ai.usage.*`, `llm.token_count.*`,
 * `ai.usage.*`), model names, tool names/ids/descriptions (`gen_ai.tool.name`, `tool.name`,
 * `gen_ai.tool.description`: recommended, not opt-in, in the GenAI conventions), finish reasons,
 * mime types, session/user ids, user-chosen metadata (`metadata`, `ai.telemetry.metadata.*`,
 * `langfuse.*.metadata*`), `ai.schema.name|description`, `ai.ranking.type`, memory store/record ids
 * and counts. `llm.invocation_parameters` stays with its content fields taken out
 * (INVOCATION_PARAMETER_CONTENT_FIELDS).
 */

export type ContentCategory =
  | 'prompt' // input messages / prompt text
  | 'completion' // output messages / generated text, objects, reasoning, files
  | 'system_instructions'
  | 'tool_definitions' // tool lists, JSON schemas, tool choice, output schemas
  | 'tool_arguments'
  | 'tool_result'
  | 'span_io' // a whole operation's input or output (any span kind)
  | 'retrieval' // documents retrieved or reranked, and the query
  | 'embedding' // texts embedded and the vectors
  | 'prompt_template' // template text and its variables
  | 'guardrail'
  | 'memory'
  | 'evaluation' // an evaluator's free-text explanation (a model's words about the content)
  | 'media'; // image / audio / video URLs or data, transcripts

export type ContentDialect =
  | 'genai' // OpenTelemetry GenAI semantic conventions (incl. deprecated names)
  | 'openinference'
  | 'openllmetry'
  | 'vercel' // Vercel AI SDK 5/6 (`ai`) and 7 (`@ai-sdk/otel`)
  | 'langfuse'
  | 'openai-agents'; // agent-otel's mapping of the OpenAI Agents SDK

export interface ContentKeyRule {
  pattern: string;
  match: 'exact' | 'tree';
  category: ContentCategory;
  dialect: ContentDialect;
}

const r = (pattern: string, match: 'exact' | 'tree', category: ContentCategory, dialect: ContentDialect): ContentKeyRule =>
  ({ pattern, match, category, dialect });

/** Span and event attributes that hold content. */
export const CONTENT_KEYS: readonly ContentKeyRule[] = [
  // --- GenAI semantic conventions: model/gen-ai/registry.yaml of open-telemetry/semantic-conventions-genai
  // (and @opentelemetry/semantic-conventions 1.45 incubating). Each is opt-in there ("may contain
  // sensitive information"); the deprecated gen_ai.prompt / gen_ai.completion are matched exactly and
  // as OpenLLMetry's indexed lists (`gen_ai.prompt.{i}.*`), so gen_ai.prompt.name stays.
  r('gen_ai.input.messages', 'tree', 'prompt', 'genai'),
  r('gen_ai.output.messages', 'tree', 'completion', 'genai'),
  r('gen_ai.system_instructions', 'tree', 'system_instructions', 'genai'),
  r('gen_ai.tool.definitions', 'tree', 'tool_definitions', 'genai'),
  r('gen_ai.tool.call.arguments', 'tree', 'tool_arguments', 'genai'),
  r('gen_ai.tool.call.result', 'tree', 'tool_result', 'genai'),
  r('gen_ai.retrieval.documents', 'tree', 'retrieval', 'genai'),
  r('gen_ai.retrieval.query.text', 'exact', 'retrieval', 'genai'),
  r('gen_ai.memory.records', 'tree', 'memory', 'genai'),
  r('gen_ai.memory.query.text', 'exact', 'memory', 'genai'),
  r('gen_ai.evaluation.explanation', 'exact', 'evaluation', 'genai'),
  r('gen_ai.prompt', 'exact', 'prompt', 'genai'),
  r('gen_ai.completion', 'exact', 'completion', 'genai'),

  // --- OpenInference (@arizeai/openinference-semantic-conventions 2.x, SemanticConventions.ts; the
  // list roots are the ones openinference-core's maskingRules hide under hideInputs/hideOutputs).
  r('input.value', 'exact', 'span_io', 'openinference'),
  r('output.value', 'exact', 'span_io', 'openinference'),
  r('input.images', 'tree', 'media', 'openinference'),
  r('output.images', 'tree', 'media', 'openinference'),
  r('llm.input_messages', 'tree', 'prompt', 'openinference'),
  r('llm.output_messages', 'tree', 'completion', 'openinference'),
  r('llm.prompts', 'tree', 'prompt', 'openinference'), // also legacy OpenLLMetry `llm.prompts.{i}.*`
  r('llm.function_call', 'tree', 'tool_arguments', 'openinference'),
  r('llm.tools', 'tree', 'tool_definitions', 'openinference'),
  r('llm.prompt_template.template', 'tree', 'prompt_template', 'openinference'),
  r('llm.prompt_template.variables', 'tree', 'prompt_template', 'openinference'),
  r('tool.parameters', 'tree', 'tool_definitions', 'openinference'),
  r('tool.json_schema', 'tree', 'tool_definitions', 'openinference'),
  r('retrieval.documents', 'tree', 'retrieval', 'openinference'),
  r('reranker.input_documents', 'tree', 'retrieval', 'openinference'),
  r('reranker.output_documents', 'tree', 'retrieval', 'openinference'),
  r('reranker.query', 'exact', 'retrieval', 'openinference'),
  r('embedding.embeddings', 'tree', 'embedding', 'openinference'),
  r('evaluation.explanation', 'exact', 'evaluation', 'openinference'),
  r('annotation.explanation', 'exact', 'evaluation', 'openinference'),
  // The same fields outside their lists (OpenInference only nests them, but the names are its own).
  r('message.content', 'exact', 'prompt', 'openinference'),
  r('message.contents', 'tree', 'prompt', 'openinference'),
  r('message.tool_calls', 'tree', 'tool_arguments', 'openinference'),
  r('message.function_call_arguments_json', 'exact', 'tool_arguments', 'openinference'),
  r('message_content.text', 'exact', 'prompt', 'openinference'),
  r('message_content.image', 'tree', 'media', 'openinference'),
  r('message_content.audio', 'tree', 'media', 'openinference'),
  r('message_content.video', 'tree', 'media', 'openinference'),
  r('message_content.data', 'exact', 'completion', 'openinference'),
  r('message_content.encrypted_content', 'exact', 'completion', 'openinference'),
  r('tool_call.function.arguments', 'exact', 'tool_arguments', 'openinference'),
  r('document.content', 'exact', 'retrieval', 'openinference'),
  r('document.metadata', 'tree', 'retrieval', 'openinference'),
  r('embedding.text', 'exact', 'embedding', 'openinference'),
  r('embedding.vector', 'exact', 'embedding', 'openinference'),
  r('image.url', 'exact', 'media', 'openinference'),
  r('video.url', 'exact', 'media', 'openinference'),
  r('audio.url', 'exact', 'media', 'openinference'),
  r('audio.transcript', 'exact', 'media', 'openinference'),

  // --- OpenLLMetry (@traceloop/ai-semantic-conventions 0.27 SpanAttributes/EventAttributes; the
  // instrumentations now write gen_ai.input/output.messages and gen_ai.tool.definitions, above).
  r('gen_ai.prompt.{i}', 'tree', 'prompt', 'openllmetry'),
  r('gen_ai.completion.{i}', 'tree', 'completion', 'openllmetry'),
  r('llm.completions', 'tree', 'completion', 'openllmetry'),
  r('llm.request.functions', 'tree', 'tool_definitions', 'openllmetry'),
  r('gen_ai.response.revised_prompt', 'exact', 'completion', 'openllmetry'),
  r('traceloop.entity.input', 'tree', 'span_io', 'openllmetry'),
  r('traceloop.entity.output', 'tree', 'span_io', 'openllmetry'),
  r('traceloop.prompt.template', 'exact', 'prompt_template', 'openllmetry'),
  r('traceloop.prompt.template_variables', 'tree', 'prompt_template', 'openllmetry'),
  r('gen_ai.guardrail.input', 'tree', 'guardrail', 'openllmetry'),
  r('gen_ai.guardrail.output', 'tree', 'guardrail', 'openllmetry'),
  r('gen_ai.guardrail.error.message', 'exact', 'guardrail', 'openllmetry'), // a guard's finding quotes its input
  r('mcp.response.value', 'tree', 'tool_result', 'openllmetry'),
  // vector DB events (db.query.embeddings / db.query.result) and their deprecated per-result keys
  r('db.query.embeddings.vector', 'exact', 'embedding', 'openllmetry'),
  r('db.query.result.vector', 'exact', 'embedding', 'openllmetry'),
  r('db.query.result.document', 'exact', 'retrieval', 'openllmetry'),
  r('db.query.result.metadata', 'tree', 'retrieval', 'openllmetry'),
  r('db.vector.query.embeddings.vector', 'exact', 'embedding', 'openllmetry'),
  r('db.vector.query.result.{i}.values', 'exact', 'embedding', 'openllmetry'),
  r('db.vector.query.result.{i}.sparse', 'tree', 'embedding', 'openllmetry'),
  r('db.vector.query.result.{i}.metadata', 'tree', 'retrieval', 'openllmetry'),

  // --- Vercel AI SDK: exactly the attributes `ai` 6 (dist/index.mjs) and `@ai-sdk/otel` 1.x (for ai 7)
  // record only under recordInputs / recordOutputs (their `{ input: () => … }` / `{ output: … }`).
  // ai.response.providerMetadata is gated in ai 6 and may hold logprobs or grounding queries. Gated but
  // metadata, so kept: ai.request.audio.* / ai.response.audio.* (byte size, media type, format).
  r('ai.prompt', 'tree', 'prompt', 'vercel'), // ai.prompt, .messages, .tools, .toolChoice
  r('ai.request.text', 'exact', 'prompt', 'vercel'), // speech input
  r('ai.response.text', 'exact', 'completion', 'vercel'),
  r('ai.response.object', 'exact', 'completion', 'vercel'),
  r('ai.response.reasoning', 'tree', 'completion', 'vercel'),
  r('ai.response.files', 'tree', 'completion', 'vercel'),
  r('ai.response.toolCalls', 'tree', 'tool_arguments', 'vercel'),
  r('ai.response.providerMetadata', 'tree', 'completion', 'vercel'),
  r('ai.toolCall.args', 'exact', 'tool_arguments', 'vercel'),
  r('ai.toolCall.result', 'exact', 'tool_result', 'vercel'),
  r('ai.schema', 'exact', 'tool_definitions', 'vercel'), // the output schema; ai.schema.name/description stay
  r('ai.value', 'exact', 'embedding', 'vercel'),
  r('ai.values', 'exact', 'embedding', 'vercel'),
  r('ai.embedding', 'exact', 'embedding', 'vercel'),
  r('ai.embeddings', 'exact', 'embedding', 'vercel'),
  r('ai.documents', 'exact', 'retrieval', 'vercel'), // rerank input
  r('ai.ranking', 'exact', 'retrieval', 'vercel'), // rerank output; ai.ranking.type stays
  r('ai.decision', 'tree', 'span_io', 'vercel'), // ai 7 tool-approval state, questions, answers

  // --- Langfuse (LangfuseOtelSpanAttributes): observation and trace input/output.
  r('langfuse.observation.input', 'tree', 'span_io', 'langfuse'),
  r('langfuse.observation.output', 'tree', 'span_io', 'langfuse'),
  r('langfuse.trace.input', 'tree', 'span_io', 'langfuse'),
  r('langfuse.trace.output', 'tree', 'span_io', 'langfuse'),

  // --- OpenAI Agents SDK, as agent-otel maps it (standard keys above plus its guardrail payloads).
  r('agent.guardrail.input', 'tree', 'guardrail', 'openai-agents'),
  r('agent.guardrail.output', 'tree', 'guardrail', 'openai-agents'),
];

/**
 * Span events that exist to carry content (their payload keys vary by producer: `gen_ai.prompt`,
 * `content`, `message`, a bridged log body…): below `full` the whole event goes. The GenAI
 * conventions' deprecated per-message events and choice event, the opt-in operation-details event,
 * and the older gen_ai.content.* events (gen_ai.prompt / gen_ai.completion attributes).
 */
export const CONTENT_EVENTS: readonly string[] = [
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
  'gen_ai.system.message',
  'gen_ai.user.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
  'gen_ai.choice',
  'gen_ai.client.inference.operation.details',
];

/**
 * JSON attributes that are metadata but embed content fields: kept, with these top-level fields
 * removed. OpenInference's `llm.invocation_parameters` is the request body minus `messages`
 * (`input` for OpenAI Responses, `prompt` for completions), so it still holds Anthropic's `system`,
 * the Responses `instructions`, and tool definitions and output schemas.
 */
export const INVOCATION_PARAMETER_CONTENT_FIELDS: readonly string[] = [
  'system', 'instructions', 'messages', 'input', 'prompt', 'suffix', 'documents', 'prediction',
  'tools', 'functions', 'tool_choice', 'function_call', 'response_format', 'text',
];
export const SANITIZED_JSON_KEYS: Readonly<Record<string, readonly string[]>> = {
  'llm.invocation_parameters': INVOCATION_PARAMETER_CONTENT_FIELDS,
};
