/**
 * Attribute keys. `gen_ai.*` follow the OpenTelemetry GenAI semantic conventions; what those lack
 * lives under this project's `agent.*` namespace. Documented in semconv/README.md.
 */

// --- OpenTelemetry GenAI conventions -------------------------------------------------------------
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Prompt tokens written to the provider's cache: the spec's current name (renamed from cache_creation). */
export const GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/**
 * The earlier name of cache writes. Still written next to the current one by the helpers (and added by
 * the genai dialect to other libraries' spans), since the views and the cost processor read it.
 */
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Output tokens spent on reasoning (included in gen_ai.usage.output_tokens). */
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Deprecated name of gen_ai.provider.name, still emitted by many instrumentations. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/** On the latest usage counters: `text`, `image`, `audio` or `unknown`. */
export const GEN_AI_TOKEN_MODALITY = 'gen_ai.token.modality';
export const GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
/**
 * The stable identifier of the agent itself (a hosted agent's provider-assigned id such as
 * `asst_…` or a Bedrock agent ARN): the same on every run, never a run or process instance id.
 */
export const GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const GEN_AI_AGENT_DESCRIPTION = 'gen_ai.agent.description';
/** Low-cardinality name of a workflow (`invoke_workflow` spans). */
export const GEN_AI_WORKFLOW_NAME = 'gen_ai.workflow.name';
/** `true` on an agent or workflow invocation that runs inside another one in the same process. */
export const GEN_AI_INVOCATION_IS_NESTED = 'gen_ai.invocation.is_nested';
export const GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
/** Opt-in content (captured only when content capture is enabled). */
export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
/** General OTel attribute: the class of error that ended an operation. */
export const ERROR_TYPE = 'error.type';

// --- agent.* conventions (this project) ------------------------------------------------------------
export const AGENT_RUN_ID = 'agent.run.id';
export const AGENT_RUN_KIND = 'agent.run.kind';
export const AGENT_RUN_STATUS = 'agent.run.status';
export const AGENT_RUN_PARENT_ID = 'agent.run.parent_id';
/** Token totals of a run's LLM calls, rolled up onto the run span (distinct keys: no double counting). */
export const AGENT_RUN_INPUT_TOKENS = 'agent.run.input_tokens';
export const AGENT_RUN_OUTPUT_TOKENS = 'agent.run.output_tokens';
export const AGENT_ITEMS_DISCOVERED = 'agent.items.discovered';
export const AGENT_ITEMS_SUCCEEDED = 'agent.items.succeeded';
export const AGENT_ITEMS_FAILED = 'agent.items.failed';
export const AGENT_ITEM_OUTCOME = 'agent.item.outcome';
/** @deprecated Written by withWorkflow before it followed the spec (now gen_ai.workflow.name); read it in old files. */
export const AGENT_WORKFLOW_NAME = 'agent.workflow.name';
export const AGENT_TOOL_OUTCOME = 'agent.tool.outcome';
export const AGENT_TOOL_RISK_LEVEL = 'agent.tool.risk_level';
export const AGENT_OPERATION = 'agent.operation';
/** Legacy: only on run-start spans of older stores. */
export const AGENT_SPAN_TYPE = 'agent.span.type';
/**
 * `true` on an LLM or tool span that has calls of the same kind inside it (a `withLlmCall` around an
 * instrumented client, say): the inner spans are the calls; this one is not counted again.
 */
export const AGENT_CALL_WRAPPER = 'agent.call.wrapper';
/** The dialect a span's standard keys were derived from (`vercel`, `openinference`, …), when not native. */
export const AGENT_DIALECT = 'agent.dialect';
/** Cost of one LLM call in USD (from the pricing table), on LLM spans. */
export const AGENT_COST_USD = 'agent.cost.usd';
/** `priced` or `unpriced` (model not in the pricing table: no cost, never a silent 0). */
export const AGENT_COST_STATUS = 'agent.cost.status';
/** Total cost of a run's LLM calls, on the run span (own key: summing agent.cost.usd never double counts). */
export const AGENT_RUN_COST_USD = 'agent.run.cost.usd';
export const AGENT_BUDGET_SCOPE = 'agent.budget.scope';
export const AGENT_BUDGET_LIMIT_USD = 'agent.budget.limit_usd';
export const AGENT_BUDGET_SPENT_USD = 'agent.budget.spent_usd';
export const AGENT_ARTIFACT_PATH = 'agent.artifact.path';
export const AGENT_ARTIFACT_SHA256 = 'agent.artifact.sha256';
export const AGENT_ARTIFACT_SIZE = 'agent.artifact.size';
export const AGENT_ARTIFACT_LINES_ADDED = 'agent.artifact.lines_added';
export const AGENT_ARTIFACT_LINES_REMOVED = 'agent.artifact.lines_removed';
export const AGENT_COMMIT_SOURCE = 'agent.commit.source';
export const AGENT_COMMIT_AUTHOR = 'agent.commit.author';
export const AGENT_MODE = 'agent.mode';
export const AGENT_MODE_PREVIOUS = 'agent.mode.previous';
/** Self-telemetry: why a span or data point was dropped. */
export const AGENT_OTEL_DROP_REASON = 'agent_otel.reason';
export const AGENT_OTEL_SIGNAL = 'agent_otel.signal';

// --- values ---------------------------------------------------------------------------------------
export const GenAiOperation = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  EMBEDDINGS: 'embeddings',
  GENERATE_CONTENT: 'generate_content',
  INVOKE_AGENT: 'invoke_agent',
  EXECUTE_TOOL: 'execute_tool',
  INVOKE_WORKFLOW: 'invoke_workflow',
} as const;
export type LlmOperation = 'chat' | 'text_completion' | 'embeddings' | 'generate_content';
/** The `gen_ai.operation.name` values of a model call (what the cost, sensors and views treat as LLM calls). */
export const LLM_OPERATIONS: readonly LlmOperation[] = ['chat', 'text_completion', 'embeddings', 'generate_content'];
/** The model calls the spec calls inference (`gen_ai.client.inference` spans); embeddings are not among them. */
export const INFERENCE_OPERATIONS: readonly LlmOperation[] = ['chat', 'text_completion', 'generate_content'];

export const RunStatus = {
  RUNNING: 'running',
  SUCCESS: 'success',
  FAILED: 'failed',
  ABANDONED: 'abandoned',
} as const;

export const ToolOutcome = { SUCCESS: 'success', ERROR: 'error' } as const;
export const TokenType = { INPUT: 'input', OUTPUT: 'output' } as const;
export const TokenModality = { TEXT: 'text', IMAGE: 'image', AUDIO: 'audio', UNKNOWN: 'unknown' } as const;

/** Value of `agent.span.type` on the legacy run-start span (`SPAN_NAME_RUN_START`; no longer written). */
export const SPAN_TYPE_RUN_START = 'run_start';

export const DropReason = { QUEUE_FULL: 'queue_full', EXPORT_FAILED: 'export_failed', SERIALIZE_FAILED: 'serialize_failed' } as const;
