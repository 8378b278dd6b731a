import type { CAC } from 'cac';
import pc from 'picocolors';
import { lit } from '../../../exporters/duckdb/index.js';
import { LOG_SEVERITY } from '../../../semconv/logs.js';
import type { QuerySession } from '../../query/session.js';
import { sinceCutoff, withSession, type CommonOptions } from '../common.js';
import { fmtMs, fmtUsd, safeJson, safeText } from '../format.js';
import { snapshotViews } from '../snapshot.js';
import { fmtInt, fmtPct, fmtTime, isoSql, renderTable, type Column } from '../table.js';

type Row = Record<string, unknown>;

/** One titled part of the report: one SQL query over the views, and how to show its rows. */
interface Section {
  key: string; title: string; sql: (since: string) => string; columns: Column<Row>[];
  /** The column the window applies to (default `start_time`). */
  timeColumn?: string;
}

const int = (expr: string) => `(${expr})::INTEGER`;
const num = (expr: string) => `(${expr})::DOUBLE`; // BIGINT/HUGEINT/DECIMAL would come back as strings
const ms = (key: string, head: string): Column<Row> => ({ key, head, align: 'right', show: fmtMs });
const n = (key: string, head: string): Column<Row> => ({ key, head, align: 'right', show: fmtInt });

export const SECTIONS: Section[] = [
  {
    key: 'runs_by_agent', title: 'Runs by agent',
    sql: (since) => `SELECT coalesce(agent, '(none)') AS agent, ${int('count(*)')} AS runs,
        ${num(`count(*) FILTER (status = 'success')`)} / count(*) AS success_rate,
        ${int(`count(*) FILTER (status = 'failed')`)} AS failed,
        ${int(`count(*) FILTER (status = 'abandoned')`)} AS abandoned,
        avg(duration_ms) AS mean_duration_ms, quantile_cont(duration_ms, 0.95) AS p95_duration_ms
      FROM agent_runs WHERE ${since} GROUP BY 1 ORDER BY runs DESC, agent`,
    columns: [{ key: 'agent', head: 'agent' }, n('runs', 'runs'), { key: 'success_rate', head: 'success', align: 'right', show: fmtPct },
      n('failed', 'failed'), n('abandoned', 'abandoned'), ms('mean_duration_ms', 'mean'), ms('p95_duration_ms', 'p95')],
  },
  {
    key: 'llm_by_model', title: 'LLM calls by model',
    sql: (since) => `SELECT coalesce(model, response_model, '(unknown)') AS model, ${int('count(*)')} AS calls,
        ${num('coalesce(sum(input_tokens), 0)')} AS input_tokens, ${num('coalesce(sum(output_tokens), 0)')} AS output_tokens,
        ${num('coalesce(sum(cache_read_tokens), 0)')} AS cache_read_tokens,
        quantile_cont(duration_ms, 0.95) AS p95_latency_ms,
        ${int(`count(*) FILTER (status_code = 'ERROR' OR error_type IS NOT NULL)`)} AS errors
      FROM llm_calls WHERE ${since} GROUP BY 1 ORDER BY calls DESC, model`,
    columns: [{ key: 'model', head: 'model' }, n('calls', 'calls'), n('input_tokens', 'input'), n('output_tokens', 'output'),
      n('cache_read_tokens', 'cache read'), ms('p95_latency_ms', 'p95'), n('errors', 'errors')],
  },
  {
    // cost_usd is null for calls nobody priced: say so rather than summing to a misleading $0.
    key: 'cost_by_model_day', title: 'Cost by model and day (UTC)',
    sql: (since) => `SELECT strftime(start_time, '%Y-%m-%d') AS day, coalesce(model, response_model, '(unknown)') AS model,
        ${int('count(*)')} AS calls, ${int('count(cost_usd)')} AS priced_calls, sum(cost_usd) AS cost_usd
      FROM llm_calls WHERE ${since} GROUP BY 1, 2 ORDER BY day DESC, cost_usd DESC NULLS LAST, model`,
    columns: [{ key: 'day', head: 'day' }, { key: 'model', head: 'model' }, n('calls', 'calls'),
      { key: 'cost_usd', head: 'cost', align: 'right', show: (v, r) => showCost(v, r) }],
  },
  {
    key: 'tools_by_tool', title: 'Tool calls by tool',
    sql: (since) => `SELECT coalesce(tool, '(unknown)') AS tool, ${int('count(*)')} AS calls,
        ${int(`count(*) FILTER (outcome = 'error')`)} AS errors, ${num(`count(*) FILTER (outcome = 'error')`)} / count(*) AS error_rate,
        quantile_cont(duration_ms, 0.5) AS p50_latency_ms, quantile_cont(duration_ms, 0.95) AS p95_latency_ms
      FROM tool_calls WHERE ${since} GROUP BY 1 ORDER BY calls DESC, tool`,
    columns: [{ key: 'tool', head: 'tool' }, n('calls', 'calls'), n('errors', 'errors'),
      { key: 'error_rate', head: 'error rate', align: 'right', show: fmtPct }, ms('p50_latency_ms', 'p50'), ms('p95_latency_ms', 'p95')],
  },
  {
    key: 'top_errors', title: 'Top errors',
    sql: (since) => `SELECT coalesce("error.type", '(no error.type)') AS error_type, name AS "where",
        ${int('count(*)')} AS count, arg_max(status_message, start_time) AS last_message, ${isoSql('max(start_time)')} AS last_seen
      FROM span_attrs WHERE (status_code = 'ERROR' OR "error.type" IS NOT NULL) AND ${since}
      GROUP BY 1, 2 ORDER BY count DESC, last_seen DESC LIMIT 10`,
    columns: [{ key: 'error_type', head: 'error.type', show: (v) => pc.red(String(v)) }, { key: 'where', head: 'where' }, n('count', 'count'),
      { key: 'last_message', head: 'last message', show: (v) => clip(String(v ?? ''), 60) }],
  },
  {
    // Log records of warn and above (the `logs` view): what components complained about, and how often.
    // The last message: an Error's message when the record carried one (logger() bodies are the event name).
    key: 'log_errors', title: 'Log errors and warnings by component and event', timeColumn: 'time',
    sql: (since) => `SELECT component, coalesce(event_name, '(no event)') AS event,
        ${int(`count(*) FILTER (severity_number >= ${LOG_SEVERITY.error})`)} AS errors,
        ${int(`count(*) FILTER (severity_number < ${LOG_SEVERITY.error})`)} AS warnings,
        arg_max(coalesce(json_extract_string(attributes, '$."exception.message"'), body), time) AS last_message, ${isoSql('max(time)')} AS last_seen
      FROM logs WHERE severity_number >= ${LOG_SEVERITY.warn} AND ${since}
      GROUP BY 1, 2 ORDER BY errors DESC, warnings DESC, last_seen DESC, component, event LIMIT 20`,
    columns: [{ key: 'component', head: 'component' }, { key: 'event', head: 'event' },
      { key: 'errors', head: 'errors', align: 'right', show: (v) => (Number(v) ? pc.red(fmtInt(v)) : fmtInt(v)) }, n('warnings', 'warnings'),
      { key: 'last_message', head: 'last message', show: (v) => clip(String(v ?? ''), 60) }],
  },
  {
    key: 'abandoned_runs', title: 'Abandoned runs (the process died mid-run)',
    sql: (since) => `SELECT run_id, agent, kind, ${isoSql('start_time')} AS start_time, trace_id, service_name
      FROM agent_runs WHERE status = 'abandoned' AND ${since} ORDER BY agent_runs.start_time DESC, run_id LIMIT 50`,
    columns: [{ key: 'run_id', head: 'run' }, { key: 'agent', head: 'agent' }, { key: 'start_time', head: 'start (UTC)', show: fmtTime },
      { key: 'trace_id', head: 'trace', show: (v) => String(v ?? '').slice(0, 12) }],
  },
];

/** The columns of `agent_runs` the sections read. */
const RUN_COLUMNS = 'run_id, agent, kind, status, start_time, duration_ms, trace_id, service_name';

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function showCost(v: unknown, r: Row): string {
  if (v === null || v === undefined) return pc.dim('not priced');
  const unpriced = Number(r.calls) - Number(r.priced_calls);
  return fmtUsd(v) + (unpriced > 0 ? pc.dim(` (+${unpriced} not priced)`) : '');
}

/** Every section's rows, keyed by section; the views are snapshotted first as they are read many times. */
export async function buildReport(s: QuerySession, cutoff: string | undefined): Promise<Record<string, Row[]>> {
  const since = (col: string) => (cutoff ? `${col} >= TIMESTAMP ${lit(cutoff)}` : 'true');
  await snapshotViews(s, cutoff, RUN_COLUMNS);
  const out: Record<string, Row[]> = {};
  for (const section of SECTIONS) out[section.key] = (await s.query(section.sql(since(section.timeColumn ?? 'start_time')))).rows;
  return out;
}

interface ReportOptions extends CommonOptions { since?: string }

export function register(cli: CAC): void {
  cli.command('report', 'Summary of runs, LLM calls, cost, tools, errors and log problems (default: the last 24h)')
    .option('--since <duration>', 'Window to report on: 30m, 24h, 7d, … or all', { default: '24h' })
    .option('--json', 'Print one JSON object with a key per section')
    .example('agent-otel report --since 7d')
    .action(async (o: ReportOptions) => {
      const since = String(o.since ?? '24h');
      const cutoff = sinceCutoff(since, '--since', true);
      const { sections, dir } = await withSession(o, async (s) => ({ sections: await buildReport(s, cutoff), dir: s.dir }));
      if (o.json) {
        const head = { dir, since: cutoff ? `${cutoff.replace(' ', 'T')}Z` : null };
        process.stdout.write(safeJson({ ...head, ...sections }, 2) + '\n');
        return;
      }
      const window = cutoff ? `since ${cutoff.slice(0, 16)} UTC (last ${since})` : 'all time';
      const parts = [pc.bold(`agent-otel report — ${safeText(dir)}, ${window}`)];
      for (const section of SECTIONS) parts.push('', pc.bold(section.title), renderTable(section.columns, sections[section.key]!));
      const abandoned = sections.runs_by_agent!.reduce((sum, r) => sum + Number(r.abandoned), 0);
      const shown = sections.abandoned_runs!.length;
      if (abandoned > shown) parts.push(pc.dim(`… and ${abandoned - shown} more: agent-otel runs --status abandoned${cutoff ? ` --since ${since}` : ''} --limit ${abandoned}`));
      process.stdout.write(parts.join('\n') + '\n');
    });
}
