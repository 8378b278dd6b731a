/**
 * What a run is and what state it is in: the one definition the `agent_runs` view (CLI, report, `sql`)
 * and the viewer's `vruns` table both use.
 *
 * A run is an `invoke_agent` span that carries `agent.run.status` (our `withAgentRun` spans; another
 * framework's agent span outside any run, given success/failed from its span status by the pipeline).
 * An agent span nested inside a run has no `agent.run.status`: it is neither a run nor part of totals.
 * A run start (a `run_starts` row, written by `withAgentRun` to `<dir>/runs/`; in stores written before
 * it, an `agent.run.start` marker span) whose run span never came is a run still going while its
 * process lives, else abandoned.
 *
 * Statuses: `success`, `failed` (from the run span), `running`, `abandoned` (start only). There is no
 * `unknown`: a run span always has a status, since that is what makes it a run span.
 *
 * Liveness: the start's process (`host` + `pid`) exists on this host. Not "and wrote recently": a run
 * can be silent for minutes (a long model call, a human in the loop, metrics off), and `abandoned` must
 * mean the process is gone, or a run would flip from abandoned back to success. The price: a pid reused
 * by another process after a crash keeps the run `running` until that process ends.
 */
import os from 'node:os';
import { LLM_OPERATIONS, RunStatus } from '../../semconv/attributes.js';
import { SPAN_NAME_RUN_START } from '../../semconv/spans.js';
import type { FilePart } from './files.js';
import { isAlive, parseFileName } from './liveFiles.js';

export type RunStatusValue = (typeof RunStatus)[keyof typeof RunStatus];

/** Every status a run can have (what `--status` and the viewer's filter accept). */
export const RUN_STATUSES: readonly RunStatusValue[] = [RunStatus.RUNNING, RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.ABANDONED];

export const isRunStatus = (v: unknown): v is RunStatusValue => RUN_STATUSES.includes(v as RunStatusValue);

// ------------------------------------------------------------------ liveness

/** A run's process, as its run start names it. */
export interface RunProcess { host: string; pid: number }

/** The liveness rule: the process exists on this host. */
export function isLiveProcess(host: unknown, pid: unknown): boolean {
  return host === os.hostname() && typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && isAlive(pid);
}

/**
 * The live processes among the writers of a directory's files (the pid in each file's name): a run's
 * process writes its run start to files named so, and never has them pruned while it lives.
 */
export function liveWriters(files: FilePart[]): RunProcess[] {
  const host = os.hostname();
  const pids = new Set<number>();
  for (const f of files) {
    const id = parseFileName(f.file);
    if (id) pids.add(id.pid);
  }
  return [...pids].filter((pid) => isLiveProcess(host, pid)).map((pid) => ({ host, pid }));
}

/** The table the run SQL reads liveness from, per connection. */
export const LIVE_PROCESSES = '_live_processes';

/** Statements that (re)create `_live_processes` holding `live`. */
export function liveProcessesSql(live: RunProcess[]): string[] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const rows = live.filter((p) => Number.isInteger(p.pid)).map((p) => `(${q(p.host)}, ${p.pid})`);
  return [
    `CREATE OR REPLACE TEMP TABLE ${LIVE_PROCESSES} (host VARCHAR, pid BIGINT)`,
    ...(rows.length ? [`INSERT INTO ${LIVE_PROCESSES} VALUES ${rows.join(', ')}`] : []),
  ];
}

/** SQL: the status of a run that has a start and no run span, from its process (columns `host`, `pid`). */
export const markerStatusSql = (host: string, pid: string): string =>
  `CASE WHEN EXISTS (SELECT 1 FROM ${LIVE_PROCESSES} l WHERE l.host = ${host} AND l.pid = ${pid}) ` +
  `THEN '${RunStatus.RUNNING}' ELSE '${RunStatus.ABANDONED}' END`;

// ------------------------------------------------------------------ what counts

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
 */
export const runsSql = (spans: string, runStarts: string, runFilter = 'TRUE', rescan = false): string => `
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
    coalesce(e.status, ${markerStatusSql('m.host', 'm.pid')}) AS status, e.run_id IS NOT NULL AS ended,
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
