/**
 * OpenInference's names (Arize: `@arizeai/openinference-semantic-conventions`; the instrumentations
 * for OpenAI, Anthropic, LangChain.js and the `openinference-core` tracing helpers). Names only;
 * src/dialects/openinference.ts reads spans with them. Content keys are in semconv/content.ts.
 *
 * Every OpenInference span says what it is in `openinference.span.kind`. Its tracer (OITracer) sets
 * all attributes just after the span has started, never at start.
 */

export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';

/** `openinference.span.kind` values. */
export const OpenInferenceSpanKind = {
  LLM: 'LLM',
  EMBEDDING: 'EMBEDDING',
  TOOL: 'TOOL',
  AGENT: 'AGENT',
  CHAIN: 'CHAIN',
  RETRIEVER: 'RETRIEVER',
  RERANKER: 'RERANKER',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
  PROMPT: 'PROMPT',
} as const;

/**
 * The model: the OpenAI instrumentation writes the requested model at start and overwrites it with the
 * one the response names; Anthropic's also writes the request/response names; LangChain the requested.
 */
export const LLM_MODEL_NAME = 'llm.model_name';
export const LLM_REQUEST_MODEL_NAME = 'llm.request.model_name';
export const LLM_RESPONSE_MODEL_NAME = 'llm.response.model_name';
/** Who serves the model (from the client's host: `openai`, `azure`, `anthropic`, `google`, `aws`, …). */
export const LLM_PROVIDER = 'llm.provider';
/** The model family / API (`openai`, `anthropic`, `vertexai`, `amazon`, …). */
export const LLM_SYSTEM = 'llm.system';
/** JSON of the request minus its messages: `model`, `temperature`, `max_tokens`, … (and content: tools, system). */
export const LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
/** Fields of `llm.invocation_parameters` read for standard keys (first present wins). */
export const INVOCATION_MODEL = 'model';
export const INVOCATION_MODEL_NAME = 'model_name';
export const INVOCATION_TEMPERATURE = 'temperature';
export const INVOCATION_MAX_TOKENS: readonly string[] = ['max_tokens', 'max_completion_tokens', 'max_output_tokens', 'maxTokens'];
export const LLM_FINISH_REASON = 'llm.finish_reason';

/** Prompt tokens include cache reads and writes (Anthropic's instrumentation adds them up, as GenAI does). */
export const LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
export const LLM_TOKEN_COUNT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const LLM_TOKEN_COUNT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const LLM_TOKEN_COUNT_REASONING = 'llm.token_count.completion_details.reasoning';

export const EMBEDDING_MODEL_NAME = 'embedding.model_name';
export const TOOL_NAME = 'tool.name';
/** The id of the tool call a TOOL span answers (`tool.id`; some emitters write `tool_call.id`). */
export const TOOL_ID = 'tool.id';
export const TOOL_CALL_ID = 'tool_call.id';
export const AGENT_NAME = 'agent.name';
/** Session / thread (from `setSession`, or LangChain metadata `session_id` / `thread_id` / `conversation_id`). */
export const SESSION_ID = 'session.id';
export const USER_ID = 'user.id';
/** JSON of user metadata; LangChain puts `ls_provider` and `ls_model_type` (`chat` | `llm`) there. */
export const METADATA = 'metadata';
export const METADATA_LS_PROVIDER = 'ls_provider';
export const METADATA_LS_MODEL_TYPE = 'ls_model_type';
export const LS_MODEL_TYPE_TEXT_COMPLETION = 'llm';

/** Span name of the OpenAI instrumentation's legacy completions call (the only text completion it makes). */
export const OPENAI_COMPLETIONS_SPAN_NAME = 'OpenAI Completions';

/**
 * `llm.provider` / `llm.system` values (and LangChain's `ls_provider`) → `gen_ai.provider.name`.
 * Values without an entry pass through lower-cased (`fireworks`, `together`, `ollama`, …).
 */
export const OPENINFERENCE_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure.ai.openai',
  azure_openai: 'azure.ai.openai',
  google: 'gcp.gen_ai',
  google_genai: 'gcp.gemini',
  vertexai: 'gcp.vertex_ai',
  google_vertexai: 'gcp.vertex_ai',
  aws: 'aws.bedrock',
  amazon: 'aws.bedrock',
  bedrock: 'aws.bedrock',
  mistralai: 'mistral_ai',
  cohere: 'cohere',
  xai: 'x_ai',
  deepseek: 'deepseek',
  groq: 'groq',
  perplexity: 'perplexity',
};
