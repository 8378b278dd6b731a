import type { CAC } from 'cac';
import { lit } from '../../../exporters/duckdb/index.js';
import { isRunStatus, RUN_STATUSES } from '../../query/runStatus.js';
import { QueryError } from '../../query/session.js';
import { outputFormat, sinceCutoff, withSession, type CommonOptions } from '../common.js';
import { fmtMs, fmtUsd, formatRows } from '../format.js';
import { fmtInt, fmtStatus, fmtTime, isoSql, renderTable, type Column } from '../table.js';

interface RunsOptions extends CommonOptions { agent?: string; status?: string; since?: string; limit?: number | string }

/** A positive whole number from a command-line option. */
export function positiveInt(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new QueryError(`${name} takes a whole number of 1 or more; got ${JSON.stringify(v)}`);
  return n;
}

type Run = Record<string, unknown>;
const COLUMNS: Column<Run>[] = [
  { key: 'run_id', head: 'run', show: (v) => String(v ?? '').slice(0, 8) },
  { key: 'agent', head: 'agent' },
  { key: 'kind', head: 'kind' },
  { key: 'status', head: 'status', show: fmtStatus },
  { key: 'start_time', head: 'start (UTC)', show: fmtTime },
  { key: 'duration_ms', head: 'duration', align: 'right', show: fmtMs },
  { key: 'llm_calls', head: 'LLM calls', align: 'right', show: fmtInt },
  { key: 'input_tokens', head: 'tokens in', align: 'right', show: fmtInt },
  { key: 'output_tokens', head: 'tokens out', align: 'right', show: fmtInt },
  { key: 'cost_usd', head: 'cost', align: 'right', show: fmtUsd },
  { key: 'trace_id', head: 'trace', show: (v) => String(v ?? '').slice(0, 12) },
];

export function register(cli: CAC): void {
  cli.command('runs', 'List recent agent runs, newest first (running = its process lives; abandoned = it died mid-run)')
    .option('--agent <name>', 'Only runs of this agent')
    .option('--status <status>', `Only runs with this status: ${RUN_STATUSES.join(', ')}`)
    .option('--since <duration>', 'Only runs started within this long, e.g. 30m, 24h, 7d')
    .option('--limit <n>', 'At most this many runs', { default: 20 })
    .option('--json', 'Print runs as a JSON array')
    .option('--csv', 'Print runs as CSV with a header')
    .example('agent-otel runs --status failed --since 7d')
    .action(async (o: RunsOptions) => {
      const format = outputFormat(o);
      const limit = positiveInt(o.limit ?? 20, '--limit');
      const where: string[] = [];
      if (o.agent !== undefined) where.push(`agent = ${lit(String(o.agent))}`);
      if (o.status !== undefined) {
        if (!isRunStatus(String(o.status))) throw new QueryError(`--status must be one of ${RUN_STATUSES.join(', ')}; got ${JSON.stringify(String(o.status))}`);
        where.push(`status = ${lit(String(o.status))}`);
      }
      const cutoff = sinceCutoff(o.since === undefined ? undefined : String(o.since));
      if (cutoff) where.push(`start_time >= TIMESTAMP ${lit(cutoff)}`);
      // Counts come back as numbers (BIGINT would be strings in JSON).
      const rows = await withSession(o, (s) => s.query(`SELECT run_id, agent, kind, status,
          ${isoSql('start_time')} AS start_time, ${isoSql('end_time')} AS end_time, duration_ms,
          llm_calls::INTEGER AS llm_calls, tool_calls::INTEGER AS tool_calls, tool_errors::INTEGER AS tool_errors,
          input_tokens::DOUBLE AS input_tokens, output_tokens::DOUBLE AS output_tokens,
          cost_usd, error_type, status_message, trace_id, service_name
        FROM agent_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY agent_runs.start_time DESC, run_id LIMIT ${limit}`));
      if (format !== 'table') {
        process.stdout.write(formatRows(rows, format) + '\n');
        return;
      }
      process.stdout.write(renderTable(COLUMNS, rows.rows) + '\n');
      process.stderr.write(`agent-otel: ${rows.rows.length} run${rows.rows.length === 1 ? '' : 's'}${rows.rows.length === limit ? ` (--limit ${limit}; there may be more)` : ''}\n`);
    });
}
