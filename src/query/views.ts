/**
 * The ready views, defined over the `spans` and `metrics` relations whatever they come from
 * (JSONL, Parquet, the DuckDB file). Documented with examples in README.md.
 */

const a = (key: string) => `attributes->>'${key}'`;
const int = (key: string) => `TRY_CAST(${a(key)} AS BIGINT)`;
const dbl = (key: string) => `TRY_CAST(${a(key)} AS DOUBLE)`;

export const LLM_OPERATIONS = ['chat', 'text_completion', 'embeddings', 'generate_content'];

export const VIEW_SQL: Record<string, string> = {
  llm_calls: `CREATE OR REPLACE TEMP VIEW llm_calls AS SELECT
    trace_id, span_id, parent_span_id, name, start_time, end_time, duration_ms, status_code, status_message,
    ${a('gen_ai.operation.name')} AS operation,
    coalesce(${a('gen_ai.provider.name')}, ${a('gen_ai.system')}) AS provider,
    ${a('gen_ai.request.model')} AS model,
    ${a('gen_ai.response.model')} AS response_model,
    ${int('gen_ai.usage.input_tokens')} AS input_tokens,
    ${int('gen_ai.usage.output_tokens')} AS output_tokens,
    ${int('gen_ai.usage.cache_read.input_tokens')} AS cache_read_tokens,
    ${int('gen_ai.usage.cache_creation.input_tokens')} AS cache_creation_tokens,
    ${dbl('agent.cost.usd')} AS cost_usd,
    ${a('error.type')} AS error_type,
    ${a('gen_ai.agent.name')} AS agent,
    ${a('agent.run.id')} AS run_id,
    service_name
  FROM spans WHERE ${a('gen_ai.operation.name')} IN (${LLM_OPERATIONS.map((o) => `'${o}'`).join(', ')})`,

  tool_calls: `CREATE OR REPLACE TEMP VIEW tool_calls AS SELECT
    trace_id, span_id, parent_span_id, start_time, end_time, duration_ms, status_code, status_message,
    ${a('gen_ai.tool.name')} AS tool,
    ${a('gen_ai.tool.call.id')} AS call_id,
    coalesce(${a('agent.tool.outcome')}, CASE WHEN status_code = 'ERROR' THEN 'error' ELSE 'success' END) AS outcome,
    ${a('error.type')} AS error_type,
    ${a('agent.tool.risk_level')} AS risk_level,
    ${a('gen_ai.agent.name')} AS agent,
    ${a('agent.run.id')} AS run_id,
    service_name
  FROM spans WHERE ${a('gen_ai.operation.name')} = 'execute_tool'`,

  // A run is its invoke_agent span; a run-start marker with no such span is a run whose process died.
  agent_runs: `CREATE OR REPLACE TEMP VIEW agent_runs AS
  WITH ended AS (
    SELECT ${a('agent.run.id')} AS run_id, trace_id, span_id, start_time, end_time, duration_ms,
      ${a('gen_ai.agent.name')} AS agent, ${a('agent.run.kind')} AS kind, ${a('agent.run.status')} AS status,
      status_message, ${a('error.type')} AS error_type,
      ${int('agent.items.discovered')} AS items_discovered, ${int('agent.items.succeeded')} AS items_succeeded,
      ${int('agent.items.failed')} AS items_failed, ${dbl('agent.cost.usd')} AS run_cost_usd, service_name
    FROM spans WHERE ${a('gen_ai.operation.name')} = 'invoke_agent'),
  started AS (
    SELECT ${a('agent.run.id')} AS run_id, any_value(trace_id) AS trace_id, min(start_time) AS start_time,
      any_value(${a('gen_ai.agent.name')}) AS agent, any_value(${a('agent.run.kind')}) AS kind,
      any_value(service_name) AS service_name
    FROM spans WHERE name = 'agent.run.start' GROUP BY 1),
  llm AS (
    SELECT run_id, count(*) AS llm_calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cost_usd) AS cost_usd
    FROM llm_calls WHERE run_id IS NOT NULL GROUP BY 1),
  runs AS (
    SELECT coalesce(e.run_id, s.run_id) AS run_id, coalesce(e.agent, s.agent) AS agent, coalesce(e.kind, s.kind) AS kind,
      coalesce(e.status, CASE WHEN e.run_id IS NULL THEN 'abandoned' ELSE 'unknown' END) AS status,
      coalesce(e.start_time, s.start_time) AS start_time, e.end_time, e.duration_ms,
      e.items_discovered, e.items_succeeded, e.items_failed, e.error_type, e.status_message,
      coalesce(e.trace_id, s.trace_id) AS trace_id, e.span_id, coalesce(e.service_name, s.service_name) AS service_name,
      e.run_cost_usd
    FROM ended e FULL OUTER JOIN started s ON e.run_id = s.run_id)
  SELECT r.run_id, r.agent, r.kind, r.status, r.start_time, r.end_time, r.duration_ms,
    r.items_discovered, r.items_succeeded, r.items_failed,
    coalesce(l.llm_calls, 0) AS llm_calls, coalesce(l.input_tokens, 0) AS input_tokens,
    coalesce(l.output_tokens, 0) AS output_tokens, coalesce(r.run_cost_usd, l.cost_usd) AS cost_usd,
    r.error_type, r.status_message, r.trace_id, r.span_id, r.service_name
  FROM runs r LEFT JOIN llm l ON l.run_id = r.run_id`,
};

export const VIEW_NAMES = ['spans', 'metrics', ...Object.keys(VIEW_SQL)];
