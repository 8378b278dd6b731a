/**
 * OpenLLMetry's (Traceloop's) telemetry names (names only; src/dialects/openllmetry.ts reads spans
 * with them). Taken from `@traceloop/ai-semantic-conventions` (0.27.0 keeps the old names "for
 * backwards compatibility"; earlier releases, e.g. traceloop/openllmetry-js
 * packages/ai-semantic-conventions/src/SemanticAttributes.ts, wrote them on every model span) and the
 * Python `opentelemetry-semantic-conventions-ai` (`llm.request.type` = `embedding`).
 * - Current instrumentations (0.2x, `@traceloop/instrumentation-openai` / `-anthropic` / `-langchain`)
 *   write the GenAI conventions themselves (`gen_ai.operation.name`, `gen_ai.provider.name`,
 *   `gen_ai.usage.input_tokens`, `gen_ai.input.messages`): the genai dialect reads those.
 * - Legacy spans (`openai.chat`, `anthropic.messages`, …): `gen_ai.system`, `llm.request.type`,
 *   `gen_ai.usage.prompt_tokens` / `completion_tokens`, `llm.usage.total_tokens`, content flattened as
 *   `gen_ai.prompt.N.role` / `.content` and `gen_ai.completion.N.*`, tools as `llm.request.functions.N.*`.
 * - The Traceloop SDK's workflow/task/agent/tool spans (`withWorkflow`, `withAgent`, `withTool`, …):
 *   named `{name}.{kind}`, tracer scope `@traceloop/node-server-sdk`, kind and name set just after
 *   the span starts (`traceloop.span.kind`, `traceloop.entity.name`).
 */

/** Tracer scope of the Traceloop SDK's decorators (`withWorkflow`, `withAgent`, `withTool`, `withTask`). */
export const TRACELOOP_SDK_SCOPE = '@traceloop/node-server-sdk';

/** `chat` | `completion` | `embedding` | `rerank` | `unknown`. */
export const LLM_REQUEST_TYPE = 'llm.request.type';
export const LlmRequestType = { CHAT: 'chat', COMPLETION: 'completion', EMBEDDING: 'embedding', RERANK: 'rerank' } as const;

/** Usage under the names GenAI and OpenLLMetry used before `gen_ai.usage.input_tokens` / `output_tokens`. */
export { GEN_AI_USAGE_PROMPT_TOKENS, GEN_AI_USAGE_COMPLETION_TOKENS } from '../dialects.js';
export const LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
export const GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
/** Cache and reasoning tokens with underscores (the conventions now write `cache_read.input_tokens`). */
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_OLD = 'gen_ai.usage.cache_read_input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_OLD = 'gen_ai.usage.cache_creation_input_tokens';
export const GEN_AI_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';

/** Content, flattened per message (`gen_ai.prompt.0.role`, `gen_ai.completion.0.content`, …). */
export const GEN_AI_PROMPT_PREFIX = 'gen_ai.prompt.';
export const GEN_AI_COMPLETION_PREFIX = 'gen_ai.completion.';
/** Tool definitions offered to the model (`llm.request.functions.0.name`, `.description`, `.parameters`). */
export const LLM_REQUEST_FUNCTIONS_PREFIX = 'llm.request.functions.';

export const TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
export const TraceloopSpanKind = { WORKFLOW: 'workflow', TASK: 'task', AGENT: 'agent', TOOL: 'tool' } as const;
export const TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
export const TRACELOOP_WORKFLOW_NAME = 'traceloop.workflow.name';
export const TRACELOOP_ENTITY_PATH = 'traceloop.entity.path';
/** Content: a workflow's/task's/agent's/tool's arguments and result, JSON. */
export const TRACELOOP_ENTITY_INPUT = 'traceloop.entity.input';
export const TRACELOOP_ENTITY_OUTPUT = 'traceloop.entity.output';

/**
 * `gen_ai.system` values legacy OpenLLMetry wrote (JS: `OpenAI`, `Anthropic`, `AWS`, `Azure`…; Python
 * lower case) → `gen_ai.provider.name`, keys lower-cased. Others are lower-cased as they are.
 */
export const OPENLLMETRY_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure.ai.openai',
  'azure openai': 'azure.ai.openai',
  azureopenai: 'azure.ai.openai',
  aws: 'aws.bedrock',
  bedrock: 'aws.bedrock',
  'vertex ai': 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  cohere: 'cohere',
  mistralai: 'mistral_ai',
  mistral: 'mistral_ai',
  groq: 'groq',
};
