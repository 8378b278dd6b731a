import path from 'node:path';
import type { CAC } from 'cac';
import pc from 'picocolors';
import { lit } from '../../../exporters/duckdb/index.js';
import { LOG_SEVERITY, LOG_SEVERITY_NAMES, severityName, type LogRow } from '../../../semconv/logs.js';
import { parseDuration } from '../../parse/duration.js';
import { LogFollower } from '../../query/followLogs.js';
import { QueryError } from '../../query/session.js';
import { outputFormat, sinceCutoff, withSession, type CommonOptions } from '../common.js';
import { existingDir } from '../dir.js';
import { followLines } from '../follow.js';
import { safeJson, safeJsonText, safeText } from '../format.js';
import { isoSql } from '../table.js';
import { positiveInt } from './runs.js';

interface LogsOptions extends CommonOptions {
  level?: string; component?: string; event?: string; trace?: string; since?: string | number; limit?: number | string; follow?: boolean;
}


/** A filter value: exact, or a `*` wildcard pattern. */
const matchSql = (col: string, v: string): string =>
  v.includes('*') ? `${col} LIKE ${lit(v.replace(/[%_\\]/g, '\\$&').replace(/\*/g, '%'))} ESCAPE '\\'` : `${col} = ${lit(v)}`;

function minSeverity(level: string | undefined): number | undefined {
  if (level === undefined) return undefined;
  const l = String(level).toLowerCase() as keyof typeof LOG_SEVERITY;
  if (!(l in LOG_SEVERITY)) throw new QueryError(`--level must be one of ${LOG_SEVERITY_NAMES.join(', ')}; got ${JSON.stringify(level)}`);
  return LOG_SEVERITY[l];
}

const LEVEL_COLOUR: Record<string, (s: string) => string> = { error: pc.red, fatal: pc.red, warn: pc.yellow, debug: pc.dim, trace: pc.dim };

function attrsText(a: unknown): string {
  if (!a || typeof a !== 'object') return '';
  return Object.entries(a as Record<string, unknown>)
    .filter(([k]) => k !== 'exception.stacktrace')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

/** One record as one line: time, level, component, event, body (when it says more), attributes, trace. */
export function formatLogLine(r: Pick<LogRow, 'time' | 'severity_number' | 'component' | 'event_name' | 'attributes' | 'trace_id' | 'span_id'> & { body: unknown; level?: string | null }): string {
  const level = r.level ?? severityName(Number(r.severity_number)) ?? '-';
  const body = r.body === null || r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const parts = [
    pc.dim(safeText(String(r.time ?? '').replace('T', ' ').replace('Z', ''))),
    (LEVEL_COLOUR[level] ?? ((s: string) => s))(level.toUpperCase().padEnd(5)),
    pc.cyan(safeText(r.component ?? '')),
    r.event_name ? pc.bold(safeText(r.event_name)) : '',
    body && body !== r.event_name ? safeText(body) : '',
    pc.dim(safeText(attrsText(r.attributes))),
    r.trace_id ? pc.dim(`trace=${safeText(String(r.trace_id).slice(0, 12))} span=${safeText(String(r.span_id ?? '').slice(0, 8))}`) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

export function register(cli: CAC): void {
  cli.command('logs', 'Show log records, oldest first (the `logs` view), or follow them as they are written')
    .option('--level <level>', `Only records of this severity or above: ${LOG_SEVERITY_NAMES.join(', ')}`)
    .option('--component <name>', 'Only records of this component (logger name; * matches anything)')
    .option('--event <name>', 'Only records of this event (* matches anything, e.g. tool.*)')
    .option('--trace <id>', 'Only records of this trace (a prefix of the trace id is enough)')
    .option('--since <duration>', 'Only records of this last period, e.g. 10m, 24h, 7d')
    .option('--limit <n>', 'At most this many records (the newest)', { default: 200 })
    .option('--follow', 'Keep printing new records as agents write them (Ctrl-C to stop)')
    .option('--json', 'Print records as a JSON array (with --follow: one JSON row per line)')
    .example('agent-otel logs --level warn --since 1h')
    .example('agent-otel logs --trace 4bf92f35 --json')
    .action(async (o: LogsOptions) => {
      const format = outputFormat(o);
      const min = minSeverity(o.level);
      const since = o.since === undefined ? undefined : String(o.since);
      if (o.follow) return follow(o, min, since);
      const limit = positiveInt(o.limit ?? 200, '--limit');
      const where: string[] = [];
      if (min !== undefined) where.push(`severity_number >= ${min}`);
      if (o.component !== undefined) where.push(matchSql('component', String(o.component)));
      if (o.event !== undefined) where.push(matchSql('event_name', String(o.event)));
      if (o.trace !== undefined) where.push(`starts_with(trace_id, ${lit(String(o.trace).toLowerCase())})`);
      const cutoff = sinceCutoff(since);
      if (cutoff) where.push(`time >= TIMESTAMP ${lit(cutoff)}`);
      const rows = await withSession(o, async (s) => {
        return s.query(`SELECT * FROM (SELECT ${isoSql('time')} AS time, level, severity_text, severity_number, component, event_name, body,
            trace_id, span_id, attributes, service_name
          FROM logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY logs.time DESC LIMIT ${limit}) ORDER BY time`);
      });
      for (const r of rows.rows) if (typeof r.attributes === 'string') r.attributes = JSON.parse(r.attributes);
      if (format !== 'table') {
        process.stdout.write((format === 'json' ? safeJson(rows.rows, 2) : rows.rows.map((r) => safeJson(r)).join('\n')) + '\n');
        return;
      }
      if (rows.rows.length) process.stdout.write(rows.rows.map((r) => formatLogLine(r as never)).join('\n') + '\n');
      else process.stdout.write(pc.dim('(none)') + '\n');
      process.stderr.write(`agent-otel: ${rows.rows.length} record${rows.rows.length === 1 ? '' : 's'}${rows.rows.length === limit ? ` (--limit ${limit}: the newest)` : ''}\n`);
    });
}

/** --follow: the files' new lines, filtered like the query, until SIGINT/SIGTERM or stdout closes. */
function follow(o: LogsOptions, min: number | undefined, since: string | undefined): Promise<void> {
  const dir = existingDir(o);
  const sinceMs = since === undefined ? undefined : Date.now() - parseDuration(since, '--since');
  const like = (v: string | undefined) => v === undefined ? () => true
    : v.includes('*') ? ((re) => (s: unknown) => re.test(String(s ?? '')))(new RegExp(`^${v.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`))
      : (s: unknown) => s === v;
  const component = like(o.component === undefined ? undefined : String(o.component));
  const event = like(o.event === undefined ? undefined : String(o.event));
  const trace = o.trace === undefined ? undefined : String(o.trace).toLowerCase();
  const follower = new LogFollower(dir);
  const files = follower.start(sinceMs);
  process.stderr.write(`agent-otel: following ${path.join(dir, 'logs')} (${files} file${files === 1 ? '' : 's'}; Ctrl-C to stop)\n`);
  return followLines(follower, (line) => {
    let r: LogRow;
    try { r = JSON.parse(line) as LogRow; } catch { return undefined; } // not a log row: skipped
    if (min !== undefined && !(r.severity_number >= min)) return undefined;
    if (!component(r.component) || !event(r.event_name)) return undefined;
    if (trace !== undefined && !String(r.trace_id ?? '').startsWith(trace)) return undefined;
    if (sinceMs !== undefined && !(Date.parse(r.time) >= sinceMs)) return undefined;
    return o.json ? safeJsonText(line) : formatLogLine(r);
  });
}
