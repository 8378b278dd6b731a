/**
 * The ready views, defined over the `spans` and `metrics` relations whatever they come from
 * (JSONL, Parquet, the DuckDB file). Documented with examples in README.md.
 *
 * Reading `attributes->>'key'` parses a span's attributes once per key; the views instead go through
 * `span_attrs`, which parses them once per row (json_transform into typed columns). A report can copy
 * `span_attrs` for its window into a table once and rebuild the views over it (`viewStatements`).
 */

import { LLM_OPERATIONS } from '../../semconv/attributes.js';

/** Attribute keys the views read, and their types. */
export const VIEW_ATTRIBUTES: Record<string, string> = {
  'gen_ai.operation.name': 'VARCHAR', 'gen_ai.provider.name': 'VARCHAR', 'gen_ai.system': 'VARCHAR',
  'gen_ai.request.model': 'VARCHAR', 'gen_ai.response.model': 'VARCHAR',
  'gen_ai.usage.input_tokens': 'BIGINT', 'gen_ai.usage.output_tokens': 'BIGINT',
  'gen_ai.usage.cache_read.input_tokens': 'BIGINT', 'gen_ai.usage.cache_creation.input_tokens': 'BIGINT',
  'gen_ai.agent.name': 'VARCHAR', 'gen_ai.tool.name': 'VARCHAR', 'gen_ai.tool.call.id': 'VARCHAR',
  'agent.run.id': 'VARCHAR', 'agent.run.kind': 'VARCHAR', 'agent.run.status': 'VARCHAR',
  'agent.items.discovered': 'BIGINT', 'agent.items.succeeded': 'BIGINT', 'agent.items.failed': 'BIGINT',
  'agent.tool.outcome': 'VARCHAR', 'agent.tool.risk_level': 'VARCHAR', 'agent.cost.usd': 'DOUBLE',
  'agent.cost.status': 'VARCHAR', 'agent.run.cost.usd': 'DOUBLE', 'error.type': 'VARCHAR', 'agent.call.wrapper': 'BOOLEAN',
};

const shape = JSON.stringify(VIEW_ATTRIBUTES).replace(/'/g, "''");

/** `spans` plus one typed column per view attribute (named by its key), and the run marker's process. */
export const SPAN_ATTRS_SQL = `CREATE OR REPLACE TEMP VIEW span_attrs AS
  SELECT s.*, unnest(json_transform(s.attributes, '${shape}')),
    CASE WHEN s.name = 'agent.run.start' THEN TRY_CAST(s.resource->>'process.pid' AS BIGINT) END AS marker_pid,
    CASE WHEN s.name = 'agent.run.start' THEN s.resource->>'host.name' END AS marker_host
  FROM spans s`;

const c = (key: string) => `"${key}"`;

/**
 * The derived views over `base` (`span_attrs`, or a table copied from it). `_live_processes(host, pid)`
 * must exist: a run with a start marker and no end is `running` while its process lives, else `abandoned`.
 */
export function viewStatements(base = 'span_attrs'): string[] {
  return [
    `CREATE OR REPLACE TEMP VIEW llm_calls AS SELECT
      trace_id, span_id, parent_span_id, name, start_time, end_time, duration_ms, status_code, status_message,
      ${c('gen_ai.operation.name')} AS operation,
      coalesce(${c('gen_ai.provider.name')}, ${c('gen_ai.system')}) AS provider,
      ${c('gen_ai.request.model')} AS model, ${c('gen_ai.response.model')} AS response_model,
      ${c('gen_ai.usage.input_tokens')} AS input_tokens, ${c('gen_ai.usage.output_tokens')} AS output_tokens,
      ${c('gen_ai.usage.cache_read.input_tokens')} AS cache_read_tokens,
      ${c('gen_ai.usage.cache_creation.input_tokens')} AS cache_creation_tokens,
      ${c('agent.cost.usd')} AS cost_usd, ${c('agent.cost.status')} AS cost_status,
      ${c('error.type')} AS error_type, ${c('gen_ai.agent.name')} AS agent, ${c('agent.run.id')} AS run_id, service_name
    FROM ${base} WHERE ${c('gen_ai.operation.name')} IN (${LLM_OPERATIONS.map((o) => `'${o}'`).join(', ')})
      AND ${c('agent.call.wrapper')} IS NOT TRUE`,

    `CREATE OR REPLACE TEMP VIEW tool_calls AS SELECT
      trace_id, span_id, parent_span_id, start_time, end_time, duration_ms, status_code, status_message,
      ${c('gen_ai.tool.name')} AS tool, ${c('gen_ai.tool.call.id')} AS call_id,
      coalesce(${c('agent.tool.outcome')}, CASE WHEN status_code = 'ERROR' THEN 'error' ELSE 'success' END) AS outcome,
      ${c('error.type')} AS error_type, ${c('agent.tool.risk_level')} AS risk_level,
      ${c('gen_ai.agent.name')} AS agent, ${c('agent.run.id')} AS run_id, service_name
    FROM ${base} WHERE ${c('gen_ai.operation.name')} = 'execute_tool' AND ${c('agent.call.wrapper')} IS NOT TRUE`,

    // A run is its invoke_agent span with a run status (an agent span inside a run has none); a run-start marker with no such span is a run still going (its
    // process lives) or one whose process died (abandoned).
    `CREATE OR REPLACE TEMP VIEW agent_runs AS
    WITH ended AS (
      SELECT ${c('agent.run.id')} AS run_id, trace_id, span_id, start_time, end_time, duration_ms,
        ${c('gen_ai.agent.name')} AS agent, ${c('agent.run.kind')} AS kind, ${c('agent.run.status')} AS status,
        status_message, ${c('error.type')} AS error_type, ${c('agent.items.discovered')} AS items_discovered,
        ${c('agent.items.succeeded')} AS items_succeeded, ${c('agent.items.failed')} AS items_failed,
        ${c('agent.run.cost.usd')} AS run_cost_usd, service_name
      FROM ${base} WHERE ${c('gen_ai.operation.name')} = 'invoke_agent' AND ${c('agent.run.status')} IS NOT NULL),
    started AS (
      SELECT ${c('agent.run.id')} AS run_id, any_value(trace_id) AS trace_id, min(start_time) AS start_time,
        any_value(${c('gen_ai.agent.name')}) AS agent, any_value(${c('agent.run.kind')}) AS kind,
        any_value(service_name) AS service_name, any_value(marker_pid) AS pid, any_value(marker_host) AS host
      FROM ${base} WHERE name = 'agent.run.start' GROUP BY 1),
    llm AS (
      SELECT run_id, count(*) AS llm_calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(cost_usd) AS cost_usd
      FROM llm_calls WHERE run_id IS NOT NULL GROUP BY 1),
    runs AS (
      SELECT coalesce(e.run_id, s.run_id) AS run_id, coalesce(e.agent, s.agent) AS agent, coalesce(e.kind, s.kind) AS kind,
        coalesce(e.status, CASE WHEN e.run_id IS NOT NULL THEN 'unknown'
          WHEN EXISTS (SELECT 1 FROM _live_processes l WHERE l.pid = s.pid AND l.host = s.host) THEN 'running'
          ELSE 'abandoned' END) AS status,
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

    // Events as rows: artifacts a run produced, commits it made, audit entries, budget and mode events.
    `CREATE OR REPLACE TEMP VIEW span_events AS
    SELECT trace_id, span_id, ${c('agent.run.id')} AS run_id, ${c('gen_ai.agent.name')} AS agent,
      e->>'name' AS event, TRY_CAST(e->>'time' AS TIMESTAMP) AS time, e->'attributes' AS attributes
    FROM (SELECT *, unnest(CAST(events AS JSON[])) AS e FROM ${base} WHERE events IS NOT NULL AND events <> '[]')`,

    `CREATE OR REPLACE TEMP VIEW artifacts AS
    SELECT time, run_id, agent, trace_id, span_id, attributes->>'agent.artifact.path' AS path,
      attributes->>'agent.artifact.sha256' AS sha256, TRY_CAST(attributes->>'agent.artifact.size' AS BIGINT) AS size,
      TRY_CAST(attributes->>'agent.artifact.lines_added' AS BIGINT) AS lines_added,
      TRY_CAST(attributes->>'agent.artifact.lines_removed' AS BIGINT) AS lines_removed
    FROM span_events WHERE event = 'agent.artifact'`,
  ];
}

export const VIEW_NAMES = ['spans', 'metrics', 'llm_calls', 'tool_calls', 'agent_runs', 'span_events', 'artifacts'];
