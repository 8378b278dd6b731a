/**
 * The viewer's own tables, kept in an in-memory DuckDB next to nothing else:
 * - `vspans`: one slim row per span (ids, times, status, and the handful of attributes the pages filter,
 *   sort and sum on, extracted once at load) plus `src`, the file the row came from (0: telemetry.duckdb).
 *   A 1M-span store takes ~400 MB here; whole rows (attributes, events) are read from `src` per trace.
 * - `vruns`: one row per run, the `agent_runs` view of src/query/views.ts computed over `vspans` and
 *   kept up to date run by run as spans arrive.
 * Every statement here is fixed text; values from requests are bound as prepared-statement parameters.
 */
import { COLUMNS, lit } from '../../exporters/duckdb/index.js';
import { readJsonColumns } from '../../semconv/schema.js';
import { LLM_OPERATIONS } from '../../semconv/attributes.js';

export const LLM_OPS_SQL = `(${LLM_OPERATIONS.map((o) => `'${o}'`).join(', ')})`;

/** The attributes the slim rows keep, and their types: parsed once per row with json_transform. */
const SLIM_ATTRIBUTES: Record<string, string> = {
  'gen_ai.operation.name': 'VARCHAR', 'gen_ai.agent.name': 'VARCHAR', 'agent.run.id': 'VARCHAR', 'agent.run.kind': 'VARCHAR',
  'agent.run.status': 'VARCHAR', 'gen_ai.request.model': 'VARCHAR', 'gen_ai.provider.name': 'VARCHAR', 'gen_ai.system': 'VARCHAR',
  'gen_ai.tool.name': 'VARCHAR', 'agent.tool.outcome': 'VARCHAR', 'agent.tool.risk_level': 'VARCHAR',
  'gen_ai.usage.input_tokens': 'BIGINT', 'gen_ai.usage.output_tokens': 'BIGINT', 'agent.cost.usd': 'DOUBLE',
  'agent.run.cost.usd': 'DOUBLE', 'error.type': 'VARCHAR', 'agent.items.discovered': 'BIGINT',
  'agent.items.succeeded': 'BIGINT', 'agent.items.failed': 'BIGINT',
};
const SHAPE = JSON.stringify(SLIM_ATTRIBUTES).replace(/'/g, "''");
const a = (key: string) => `a."${key}"`;
const RUN = `${a('gen_ai.operation.name')} = 'invoke_agent'`;

/**
 * The slim rows (and `extra` columns) of a relation with the span row's columns; `src` is added by
 * the caller, last.
 */
export const slimSelect = (relation: string, extra = ''): string => `SELECT trace_id, span_id, parent_span_id, name,
  start_time, end_time, duration_ms, status_code, status_message, service_name,
  ${a('gen_ai.operation.name')} AS op, ${a('gen_ai.agent.name')} AS agent, ${a('agent.run.id')} AS run_id,
  ${a('agent.run.kind')} AS run_kind, ${a('agent.run.status')} AS run_status, ${a('gen_ai.request.model')} AS model,
  coalesce(${a('gen_ai.provider.name')}, ${a('gen_ai.system')}) AS provider, ${a('gen_ai.tool.name')} AS tool,
  ${a('agent.tool.outcome')} AS outcome, ${a('agent.tool.risk_level')} AS risk_level,
  ${a('gen_ai.usage.input_tokens')} AS input_tokens, ${a('gen_ai.usage.output_tokens')} AS output_tokens,
  ${a('agent.cost.usd')} AS cost_usd, CASE WHEN ${RUN} THEN ${a('agent.run.cost.usd')} END AS run_cost_usd,
  ${a('error.type')} AS error_type,
  CASE WHEN ${RUN} THEN ${a('agent.items.discovered')} END AS items_discovered,
  CASE WHEN ${RUN} THEN ${a('agent.items.succeeded')} END AS items_succeeded,
  CASE WHEN ${RUN} THEN ${a('agent.items.failed')} END AS items_failed,
  CASE WHEN name = 'agent.run.start' THEN TRY_CAST(resource->>'process.pid' AS BIGINT) END AS pid,
  CASE WHEN name = 'agent.run.start' THEN resource->>'host.name' END AS host${extra ? `, ${extra}` : ''}
  FROM (SELECT r.*, json_transform(r.attributes, '${SHAPE}') AS a FROM (${relation}) r)`;

export const VSPANS_DDL = `CREATE TABLE IF NOT EXISTS vspans (trace_id VARCHAR, span_id VARCHAR, parent_span_id VARCHAR,
  name VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP, duration_ms DOUBLE, status_code VARCHAR, status_message VARCHAR,
  service_name VARCHAR, op VARCHAR, agent VARCHAR, run_id VARCHAR, run_kind VARCHAR, run_status VARCHAR, model VARCHAR,
  provider VARCHAR, tool VARCHAR, outcome VARCHAR, risk_level VARCHAR, input_tokens BIGINT, output_tokens BIGINT,
  cost_usd DOUBLE, run_cost_usd DOUBLE, error_type VARCHAR, items_discovered BIGINT, items_succeeded BIGINT, items_failed BIGINT, pid BIGINT,
  host VARCHAR, src INTEGER)`;

export const VRUNS_DDL = `CREATE TABLE IF NOT EXISTS vruns (run_id VARCHAR, agent VARCHAR, kind VARCHAR, status VARCHAR,
  ended BOOLEAN, start_time TIMESTAMP, end_time TIMESTAMP, duration_ms DOUBLE, items_discovered BIGINT,
  items_succeeded BIGINT, items_failed BIGINT, llm_calls BIGINT, tool_calls BIGINT, tool_errors BIGINT,
  input_tokens BIGINT, output_tokens BIGINT, cost_usd DOUBLE, error_type VARCHAR, status_message VARCHAR,
  trace_id VARCHAR, span_id VARCHAR, start_span_id VARCHAR, service_name VARCHAR, pid BIGINT, host VARCHAR)`;

/**
 * `read_json` over JSONL files with the row's typed columns and the file name of each row; unparsable
 * lines (a torn last line) come back all-NULL and are dropped.
 */
export const readJsonWithFile = (files: string[]): string =>
  `SELECT * FROM read_json([${files.map(lit).join(', ')}], format='newline_delimited', ` +
  `columns=${readJsonColumns(COLUMNS.spans)}, ignore_errors=true, maximum_object_size=67108864, filename=true) ` +
  `WHERE span_id IS NOT NULL`;

export const readParquetWithFile = (files: string[]): string =>
  `SELECT * FROM read_parquet([${files.map(lit).join(', ')}], union_by_name=true, filename=true)`;

/**
 * Statements that append the slim rows of a relation with a `filename` column to `table`, `src` taken
 * from the (filename → id) map. Two passes: joining the map straight onto `read_json` is 3× slower.
 */
export function insertSlimSql(table: string, relation: string, ids: Map<string, number>): string[] {
  const values = [...ids].map(([file, id]) => `(${lit(file)}, ${id})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE vraw AS ${slimSelect(relation, 'filename')}`,
    `INSERT INTO ${table} SELECT r.* EXCLUDE (filename), m.src FROM vraw r JOIN (VALUES ${values}) m(file, src) ON r.filename = m.file`,
    'DROP TABLE vraw',
  ];
}

/**
 * Runs, as in the `agent_runs` view, for the runs `runFilter` selects (a predicate on `run_id`).
 * A run without its run span is `abandoned` here; the store then marks those whose process is
 * still alive on this host as `running`.
 */
export const runsSql = (runFilter: string): string => `
  WITH ended AS (
    SELECT run_id, any_value(trace_id) AS trace_id, any_value(span_id) AS span_id, min(start_time) AS start_time,
      max(end_time) AS end_time, max(duration_ms) AS duration_ms, any_value(agent) AS agent, any_value(run_kind) AS kind,
      any_value(run_status) AS status, any_value(status_message) AS status_message, any_value(error_type) AS error_type,
      any_value(items_discovered) AS items_discovered, any_value(items_succeeded) AS items_succeeded,
      any_value(items_failed) AS items_failed, any_value(run_cost_usd) AS run_cost_usd, any_value(service_name) AS service_name
    FROM vspans WHERE op = 'invoke_agent' AND run_id IS NOT NULL AND ${runFilter} GROUP BY run_id),
  started AS (
    SELECT run_id, any_value(trace_id) AS trace_id, any_value(span_id) AS span_id, min(start_time) AS start_time,
      any_value(agent) AS agent, any_value(run_kind) AS kind, any_value(service_name) AS service_name,
      any_value(pid) AS pid, any_value(host) AS host
    FROM vspans WHERE name = 'agent.run.start' AND run_id IS NOT NULL AND ${runFilter} GROUP BY run_id),
  llm AS (
    SELECT run_id, count(*) AS llm_calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cost_usd) AS cost_usd
    FROM vspans WHERE op IN ${LLM_OPS_SQL} AND run_id IS NOT NULL AND ${runFilter} GROUP BY run_id),
  tools AS (
    SELECT run_id, count(*) AS tool_calls,
      count(*) FILTER (WHERE coalesce(outcome, CASE WHEN status_code = 'ERROR' THEN 'error' ELSE 'success' END) = 'error') AS tool_errors
    FROM vspans WHERE op = 'execute_tool' AND run_id IS NOT NULL AND ${runFilter} GROUP BY run_id)
  SELECT coalesce(e.run_id, s.run_id) AS run_id, coalesce(e.agent, s.agent) AS agent, coalesce(e.kind, s.kind) AS kind,
    coalesce(e.status, CASE WHEN e.run_id IS NULL THEN 'abandoned' ELSE 'unknown' END) AS status,
    e.run_id IS NOT NULL AS ended,
    coalesce(e.start_time, s.start_time) AS start_time, e.end_time, e.duration_ms,
    e.items_discovered, e.items_succeeded, e.items_failed,
    coalesce(l.llm_calls, 0) AS llm_calls, coalesce(t.tool_calls, 0) AS tool_calls, coalesce(t.tool_errors, 0) AS tool_errors,
    coalesce(l.input_tokens, 0) AS input_tokens, coalesce(l.output_tokens, 0) AS output_tokens,
    coalesce(e.run_cost_usd, l.cost_usd) AS cost_usd, e.error_type, e.status_message,
    coalesce(e.trace_id, s.trace_id) AS trace_id, e.span_id, s.span_id AS start_span_id,
    coalesce(e.service_name, s.service_name) AS service_name, s.pid, s.host
  FROM ended e FULL OUTER JOIN started s ON e.run_id = s.run_id
  LEFT JOIN llm l ON l.run_id = coalesce(e.run_id, s.run_id)
  LEFT JOIN tools t ON t.run_id = coalesce(e.run_id, s.run_id)`;

/** SQL: a TIMESTAMP column as ISO-8601 UTC with milliseconds. */
export const iso = (col: string): string => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
