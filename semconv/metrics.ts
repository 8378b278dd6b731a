/** Metric names, units and histogram bucket boundaries. Documented in semconv/README.md. */

// GenAI client metrics (OpenTelemetry GenAI conventions).
export const METRIC_GEN_AI_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_OPERATION_DURATION = 'gen_ai.client.operation.duration';

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

/** Spec boundaries for gen_ai.client.token.usage. */
export const BUCKETS_TOKEN_USAGE = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Spec boundaries for gen_ai.client.operation.duration (seconds). */
export const BUCKETS_OPERATION_DURATION = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** Tool latencies: sub-millisecond lookups up to minute-long shell commands (seconds). */
export const BUCKETS_TOOL_DURATION = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
/** Runs last from seconds to many hours (seconds). */
export const BUCKETS_RUN_DURATION = [
  0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400,
];
