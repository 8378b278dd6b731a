/**
 * What a run is, as SQL over span rows and run starts: the one definition (`runsSql`) that the
 * `runs` table of telemetry.duckdb (kept by DuckDbStore at each load), the `agent_runs` view (CLI,
 * report, `sql`) and the viewer use. The rules are explained in src/query/runStatus.ts, which also
 * holds liveness (a process check, read by the SQL from `_live_processes`). It lives here, below src/,
 * because the store maintains the table in the transaction that loads the rows.
 */
import { LLM_OPERATIONS, RunStatus } from '../../semconv/attributes.js';
import { SPAN_NAME_RUN_START } from '../../semconv/spans.js';
import type { ViewAttribute } from '../../semconv/viewAttributes.js';

/** The table the run SQL reads liveness from, per connection. */
export const LIVE_PROCESSES = '_live_processes';

/** SQL: the status of a run that has a start and no run span, from its process (columns `host`, `pid`). */
export const markerStatusSql = (host: string, pid: string): string =>
  `CASE WHEN EXISTS (SELECT 1 FROM ${LIVE_PROCESSES} l WHERE l.host = ${host} AND l.pid = ${pid}) ` +
  `THEN '${RunStatus.RUNNING}' ELSE '${RunStatus.ABANDONED}' END`;

/** SQL: the span is a legacy run-start marker span (`name` column; stores written before `run_starts`). */
export const IS_RUN_MARKER = `name = '${SPAN_NAME_RUN_START}'`;
/** SQL: a model call that counts (not a wrapper around another one), from its operation and wrapper columns. */
export const countedLlmSql = (op = 'op', wrapper = 'wrapper'): string =>
  `${op} IN (${LLM_OPERATIONS.map((o) => `'${o}'`).join(', ')}) AND ${wrapper} IS NOT TRUE`;
/** SQL: a tool call that counts, likewise. */
export const countedToolSql = (op = 'op', wrapper = 'wrapper'): string => `${op} = 'execute_tool' AND ${wrapper} IS NOT TRUE`;
/** SQL: a tool call's outcome: `agent.tool.outcome`, else from the span status. */
export const toolOutcomeSql = (outcome = 'outcome'): string =>
  `coalesce(${outcome}, CASE WHEN status_code = 'ERROR' THEN 'error' ELSE 'success' END)`;

/**
 * The columns the run SQL reads from its span relation (the viewer's slim span rows have exactly these
 * names; the views project `span_attrs` onto them): the span row's `name`, `trace_id`, `span_id`,
 * `start_time`, `end_time`, `duration_ms`, `status_code`, `status_message`, `service_name`, and
 * `op`, `agent`, `run_id`, `run_kind`, `run_status`, `input_tokens`, `output_tokens`, `cost_usd`,
 * `run_cost_usd`, `outcome`, `wrapper`, `error_type`, `items_*`, and a legacy marker's `pid` and `host`.
 * `runStarts` is a relation with the columns of `run_starts` (semconv/schema.ts RUN_START_COLUMNS).
 *
 * One row per run, for the runs `runFilter` (a predicate on `run_id`) selects. A run with its run span
 * twice (the same id given to two runs) is one row: the span that ended last. Totals are over the run's
 * counted calls; cost is the run span's roll-up (`agent.run.cost.usd`) or else the sum of its calls.
 * `ended` says a run span exists; `start_span_id`, `pid`, `host` are the run start's (its `span_id` is
 * the run span's id; a legacy marker's, the marker's own).
 * `rescan`: each part reads `spans` itself instead of DuckDB copying it once for all four — less work
 * when reading it is cheap (a table, typed columns), more when every read parses JSON.
 * `stored`: the status of a run with a start and no run span is left NULL (the `runs` table: liveness
 * is a fact of the reader's moment, `storedRunsSql` fills it in).
 */
export const runsSql = (spans: string, runStarts: string, runFilter = 'TRUE', rescan = false, stored = false): string => `
  WITH s AS ${rescan ? 'NOT MATERIALIZED ' : ''}(SELECT * FROM ${spans} WHERE run_id IS NOT NULL AND (${runFilter})),
  ended AS (
    SELECT run_id, trace_id, span_id, start_time, end_time, duration_ms, agent, run_kind AS kind, run_status AS status,
      status_message, error_type, items_discovered, items_succeeded, items_failed, run_cost_usd, service_name
    FROM s WHERE op = 'invoke_agent' AND run_status IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY run_id ORDER BY end_time DESC NULLS LAST, span_id) = 1),
  started AS (
    SELECT run_id, arg_min(trace_id, start_time) AS trace_id, arg_min(span_id, start_time) AS span_id,
      min(start_time) AS start_time, any_value(agent) AS agent, any_value(kind) AS kind,
      any_value(service_name) AS service_name, any_value(pid) AS pid, any_value(host) AS host
    FROM (
      SELECT run_id, trace_id, span_id, start_time, agent, kind, service_name, pid, host
      FROM ${runStarts} WHERE run_id IS NOT NULL AND (${runFilter})
      UNION ALL
      SELECT run_id, trace_id, span_id, start_time, agent, run_kind, service_name, pid, host FROM s WHERE ${IS_RUN_MARKER})
    GROUP BY run_id),
  llm AS (
    SELECT run_id, count(*) AS llm_calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cost_usd) AS cost_usd
    FROM s WHERE ${countedLlmSql()} GROUP BY run_id),
  tools AS (
    SELECT run_id, count(*) AS tool_calls, count(*) FILTER (WHERE ${toolOutcomeSql()} = 'error') AS tool_errors
    FROM s WHERE ${countedToolSql()} GROUP BY run_id)
  SELECT coalesce(e.run_id, m.run_id) AS run_id, coalesce(e.agent, m.agent) AS agent, coalesce(e.kind, m.kind) AS kind,
    ${stored ? 'e.status' : `coalesce(e.status, ${markerStatusSql('m.host', 'm.pid')})`} AS status, e.run_id IS NOT NULL AS ended,
    coalesce(e.start_time, m.start_time) AS start_time, e.end_time, e.duration_ms,
    e.items_discovered, e.items_succeeded, e.items_failed,
    coalesce(l.llm_calls, 0) AS llm_calls, coalesce(t.tool_calls, 0) AS tool_calls, coalesce(t.tool_errors, 0) AS tool_errors,
    coalesce(l.input_tokens, 0) AS input_tokens, coalesce(l.output_tokens, 0) AS output_tokens,
    coalesce(e.run_cost_usd, l.cost_usd) AS cost_usd, e.error_type, e.status_message,
    coalesce(e.trace_id, m.trace_id) AS trace_id, e.span_id, m.span_id AS start_span_id,
    coalesce(e.service_name, m.service_name) AS service_name, m.pid, m.host
  FROM ended e FULL OUTER JOIN started m ON e.run_id = m.run_id
  LEFT JOIN llm l ON l.run_id = coalesce(e.run_id, m.run_id)
  LEFT JOIN tools t ON t.run_id = coalesce(e.run_id, m.run_id)`;

/** SQL: a legacy run-start marker span's process, from the span row's `name` and `resource` columns (NULL on other spans). */
export const MARKER_PID = `CASE WHEN ${IS_RUN_MARKER} THEN TRY_CAST(resource->>'process.pid' AS BIGINT) END`;
export const MARKER_HOST = `CASE WHEN ${IS_RUN_MARKER} THEN resource->>'host.name' END`;

/**
 * SQL: the `spans` table's legacy run-start markers after row `after` get their resource from
 * `resources` (the table keeps a row's resource only where MARKER_PID/MARKER_HOST read it; every
 * other row's is joined in by readers, exporters/duckdb/tables.ts `withResourceSql`).
 */
export const fillMarkerResourcesSql = (after: bigint): string =>
  `UPDATE spans SET resource = r.resource FROM (SELECT resource_id, any_value(resource) AS resource FROM resources GROUP BY resource_id) r ` +
  `WHERE spans.rowid > ${after} AND spans.${IS_RUN_MARKER} AND spans.resource IS NULL AND spans.resource_id = r.resource_id`;

/**
 * The short columns the viewer's slim span rows keep (and the run SQL of ./runStatus.ts reads), each
 * one attribute of VIEW_ATTRIBUTES. `provider` falls back to the older `gen_ai.system`.
 */
export const SLIM_COLUMNS = {
  op: 'gen_ai.operation.name', agent: 'gen_ai.agent.name', run_id: 'agent.run.id', run_kind: 'agent.run.kind',
  run_status: 'agent.run.status', model: 'gen_ai.request.model', provider: 'gen_ai.provider.name',
  tool: 'gen_ai.tool.name', outcome: 'agent.tool.outcome', risk_level: 'agent.tool.risk_level',
  input_tokens: 'gen_ai.usage.input_tokens', output_tokens: 'gen_ai.usage.output_tokens', cost_usd: 'agent.cost.usd',
  run_cost_usd: 'agent.run.cost.usd', error_type: 'error.type', items_discovered: 'agent.items.discovered',
  items_succeeded: 'agent.items.succeeded', items_failed: 'agent.items.failed', wrapper: 'agent.call.wrapper',
} as const satisfies Record<string, ViewAttribute>;

/** The span row columns the slim rows keep. */
export const SLIM_SPAN_COLUMNS = 'trace_id, span_id, parent_span_id, name, start_time, end_time, duration_ms, status_code, status_message, service_name';

/**
 * `expr AS column` for each slim column, given how to read an attribute (`col(key)`) and the marker's
 * process columns: the same projection for `span_attrs` (views) and raw span rows (viewer).
 */
export function slimColumnsSql(col: (key: ViewAttribute) => string, pid: string, host: string): string {
  const cols = Object.entries(SLIM_COLUMNS).map(([name, key]) =>
    name === 'provider' ? `coalesce(${col(key)}, ${col('gen_ai.system')}) AS provider` : `${col(key)} AS ${name}`);
  return [...cols, `${pid} AS pid`, `${host} AS host`].join(', ');
}


// ------------------------------------------------------------------ the stored runs table

/** The table of telemetry.duckdb that holds `runsSql`'s rows (status NULL until a run span ends it). */
export const RUNS_TABLE = 'runs';

/** Span rows of the store's `spans` table (typed attribute columns) as the run SQL reads them. */
const storeSlimSpans = (spans: string): string =>
  `(SELECT ${SLIM_SPAN_COLUMNS}, ${slimColumnsSql((key) => `"${key}"`, MARKER_PID, MARKER_HOST)} FROM ${spans})`;

/** SQL: the runs of the store's `spans` and `run_starts` that `runFilter` selects, as the `runs` table holds them. */
export const storeRunsSql = (runFilter = 'TRUE'): string => runsSql(storeSlimSpans('spans'), 'run_starts', runFilter, true, true);

/**
 * Statements that compute the stored runs again: those whose ids the table `touched` (column `run_id`)
 * holds, or every run. For some runs, their rows are copied out first (one pass over `spans`), so the
 * run SQL's four parts read a small table rather than the whole store four times; for every run (a
 * full load), the parts read `spans` itself: a copy of all of it would cost more than it saves.
 */
export const refreshRunsSql = (touched?: string): string[] => {
  if (!touched) return [`DELETE FROM ${RUNS_TABLE}`, `INSERT INTO ${RUNS_TABLE} BY NAME ${storeRunsSql()}`];
  const selected = `IN (SELECT run_id FROM ${touched})`;
  return [
    `CREATE OR REPLACE TEMP TABLE _runs_spans AS SELECT * FROM ${storeSlimSpans(`spans WHERE "agent.run.id" ${selected}`)}`,
    `CREATE OR REPLACE TEMP TABLE _runs_starts AS SELECT * FROM run_starts WHERE run_id ${selected}`,
    `DELETE FROM ${RUNS_TABLE} WHERE run_id ${selected}`,
    `INSERT INTO ${RUNS_TABLE} BY NAME SELECT * FROM (${runsSql('_runs_spans', '_runs_starts', 'TRUE', true, true)})`,
    'DROP TABLE _runs_spans', 'DROP TABLE _runs_starts',
  ];
};

/**
 * SQL: the rows of a stored runs table `runs`, with the status of a run still without its run span
 * decided now from its process (running / abandoned).
 */
export const storedRunsSql = (runs: string, where = 'TRUE'): string =>
  `SELECT r.* REPLACE (coalesce(r.status, ${markerStatusSql('r.host', 'r.pid')}) AS status) FROM ${runs} r WHERE ${where}`;
