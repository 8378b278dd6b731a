/**
 * The Vercel AI SDK's telemetry names (names only; src/dialects/vercel.ts reads spans with them).
 * - AI SDK 5/6, and 7 with `@ai-sdk/otel`'s `LegacyOpenTelemetry`: spans named after `ai.operationId`
 *   (`ai.generateText`, `ai.generateText.doGenerate`, `ai.toolCall`, …), tracer scope `ai`.
 * - AI SDK 7 with `@ai-sdk/otel`'s `OpenTelemetry`: GenAI-convention spans (`invoke_agent`, `chat`,
 *   `execute_tool`, `embeddings`), tracer scope `gen_ai`, plus optional supplemental `ai.*` keys.
 */

/** Tracer scopes: `ai` (5/6, 7 legacy integration) and `gen_ai` (7, `@ai-sdk/otel` OpenTelemetry). */
export const VERCEL_SCOPE_LEGACY = 'ai';
export const VERCEL_SCOPE_OTEL = 'gen_ai';

export const AI_OPERATION_ID = 'ai.operationId';
export const AI_MODEL_ID = 'ai.model.id';
/** `openai.chat`, `anthropic.messages`, `google.generative-ai`, …: provider, then the API. */
export const AI_MODEL_PROVIDER = 'ai.model.provider';
export const AI_RESPONSE_MODEL = 'ai.response.model';
export const AI_RESPONSE_ID = 'ai.response.id';
export const AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason';
export const AI_TELEMETRY_FUNCTION_ID = 'ai.telemetry.functionId';

// Usage: 5+ (inputTokens …), 4 and older (promptTokens / completionTokens), 6+ details, embeddings.
export const AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
export const AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
export const AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
export const AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
export const AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
export const AI_USAGE_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const AI_USAGE_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
export const AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens';
/** Embedding calls report one count. */
export const AI_USAGE_TOKENS = 'ai.usage.tokens';

export const AI_TOOL_CALL_NAME = 'ai.toolCall.name';
export const AI_TOOL_CALL_ID = 'ai.toolCall.id';

/** `ai.operationId` values: the model calls end with these; the tool call; the calls that may loop over tools. */
export const AI_OP_SUFFIX_GENERATE = '.doGenerate';
export const AI_OP_SUFFIX_STREAM = '.doStream';
export const AI_OP_SUFFIX_EMBED = '.doEmbed';
export const AI_OP_TOOL_CALL = 'ai.toolCall';
/** What `@ai-sdk/otel` itself names `invoke_agent` (its mapOperationName); 5/6 get the same. */
export const AI_AGENT_OPERATIONS: readonly string[] = ['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject'];

/**
 * `ai.model.provider` prefix → `gen_ai.provider.name`, as `@ai-sdk/otel` maps them (first match wins;
 * a prefix matches exactly or followed by `.` or `-`). Others: the part before the first `.`.
 */
export const AI_PROVIDER_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['google.vertex', 'gcp.vertex_ai'], ['google.generative-ai', 'gcp.gemini'], ['google-vertex', 'gcp.vertex_ai'],
  ['amazon-bedrock', 'aws.bedrock'], ['azure-openai', 'azure.ai.openai'], ['anthropic', 'anthropic'], ['openai', 'openai'],
  ['azure', 'azure.ai.inference'], ['google', 'gcp.gemini'], ['mistral', 'mistral_ai'], ['cohere', 'cohere'],
  ['bedrock', 'aws.bedrock'], ['groq', 'groq'], ['deepseek', 'deepseek'], ['perplexity', 'perplexity'], ['xai', 'x_ai'],
];

