/** Metric names, units and histogram bucket boundaries. Documented in semconv/README.md. */

// GenAI client metrics (OpenTelemetry GenAI conventions), the names recorded by default.
export const METRIC_GEN_AI_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_OPERATION_DURATION = 'gen_ai.client.operation.duration';

/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list, as the OpenTelemetry specs define opt-in)
 * containing this value switches the GenAI metrics to the latest experimental names below.
 */
export const SEMCONV_OPT_IN_GEN_AI_LATEST = 'gen_ai_latest_experimental';

// The latest GenAI metrics (open-telemetry/semantic-conventions-genai, 2026), recorded when opted in.
/** Replaces gen_ai.client.operation.duration for inference (chat, text_completion, generate_content). */
export const METRIC_GEN_AI_INFERENCE_DURATION = 'gen_ai.client.inference.duration';
/** Counters by gen_ai.token.modality; they replace gen_ai.client.token.usage. Cache and reasoning ones are subsets. */
export const METRIC_GEN_AI_INFERENCE_USAGE_INPUT_TOKENS = 'gen_ai.client.inference.usage.input_tokens';
export const METRIC_GEN_AI_INFERENCE_USAGE_OUTPUT_TOKENS = 'gen_ai.client.inference.usage.output_tokens';
export const METRIC_GEN_AI_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.client.inference.usage.cache_read.input_tokens';
export const METRIC_GEN_AI_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.client.inference.usage.cache_write.input_tokens';
export const METRIC_GEN_AI_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.client.inference.usage.reasoning.output_tokens';
/** Per-operation token distributions (percentiles, outliers; not for totals). */
export const METRIC_GEN_AI_INFERENCE_OPERATION_INPUT_TOKENS = 'gen_ai.client.inference.operation.input_tokens';
export const METRIC_GEN_AI_INFERENCE_OPERATION_OUTPUT_TOKENS = 'gen_ai.client.inference.operation.output_tokens';
/** Duration of an in-process agent (`invoke_agent`) or workflow (`invoke_workflow`) invocation. */
export const METRIC_GEN_AI_INVOCATION_DURATION = 'gen_ai.invocation.duration';
/** Model calls and tool calls one agent invocation made itself (not its sub-agents'). */
export const METRIC_GEN_AI_INVOKE_AGENT_INFERENCE_CALLS = 'gen_ai.invoke_agent.inference_calls';
export const METRIC_GEN_AI_INVOKE_AGENT_TOOL_CALLS = 'gen_ai.invoke_agent.tool_calls';
export const METRIC_GEN_AI_EXECUTE_TOOL_DURATION = 'gen_ai.execute_tool.duration';

// agent.* metrics.
export const METRIC_AGENT_RUNS = 'agent.runs';
export const METRIC_AGENT_RUN_DURATION = 'agent.run.duration';
export const METRIC_AGENT_RUNS_ACTIVE = 'agent.runs.active';
export const METRIC_AGENT_ITEMS = 'agent.items';
export const METRIC_AGENT_TOOL_CALLS = 'agent.tool.calls';
export const METRIC_AGENT_TOOL_DURATION = 'agent.tool.duration';
export const METRIC_AGENT_ERRORS = 'agent.errors';

export const METRIC_AGENT_COST = 'agent.cost.usd';
export const METRIC_AGENT_BUDGET_EXCEEDED = 'agent.budget.exceeded';
export const METRIC_AGENT_MODE_TRANSITIONS = 'agent.mode.transitions';

// Self-telemetry of the pipeline.
export const METRIC_SPANS_DROPPED = 'agent_otel.spans.dropped';
export const METRIC_POINTS_DROPPED = 'agent_otel.metric_points.dropped';
export const METRIC_SPANS_EXPORTED = 'agent_otel.spans.exported';

export const UNIT_TOKEN = '{token}';
export const UNIT_SECONDS = 's';
/** US dollars (an annotation: UCUM has no currencies). */
export const UNIT_USD = '{USD}';
export const UNIT_RUN = '{run}';
export const UNIT_CALL = '{call}';
export const UNIT_ERROR = '{error}';
export const UNIT_ITEM = '{item}';
export const UNIT_SPAN = '{span}';
export const UNIT_POINT = '{point}';
export const UNIT_INFERENCE_CALL = '{inference_call}';
export const UNIT_TOOL_CALL = '{tool_call}';

/** Spec boundaries for gen_ai.client.token.usage (and gen_ai.client.inference.operation.*_tokens). */
export const BUCKETS_TOKEN_USAGE = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Spec boundaries for gen_ai.client.operation.duration, .inference.duration and gen_ai.execute_tool.duration (seconds). */
export const BUCKETS_OPERATION_DURATION = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** Spec boundaries for gen_ai.invocation.duration (seconds). */
export const BUCKETS_INVOCATION_DURATION = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6];
/** Spec boundaries for gen_ai.invoke_agent.inference_calls and .tool_calls. */
export const BUCKETS_CALLS_PER_INVOCATION = [1, 2, 4, 8, 16, 32, 64, 128];
/** Tool latencies: sub-millisecond lookups up to minute-long shell commands (seconds). */
export const BUCKETS_TOOL_DURATION = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
/** Runs last from seconds to many hours (seconds). */
export const BUCKETS_RUN_DURATION = [
  0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400,
];
