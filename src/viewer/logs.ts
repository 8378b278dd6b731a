/**
 * The viewer's log records: read from `<dir>/logs/*.jsonl` through the `logs` view (src/logs/view.ts,
 * the one definition the CLI uses too), in an in-memory DuckDB of its own, per request. Logs are not in
 * the store's span index: the files are read as they are now, filtered and bounded by the query.
 * Request values reach SQL only as bound parameters; fragments come from the fixed text here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DIR_LOGS, LOG_SEVERITY, LOG_SEVERITY_NAMES, type LogSeverityName } from '../../semconv/logs.js';
import { logsViewStatements } from '../logs/view.js';
import { ParamError, type Parser } from './params.js';
import { isoSql } from '../../exporters/jsonl/isoTime.js';

type Row = Record<string, unknown>;

/** At most this many records of one trace in a response (the rest are counted). */
export const MAX_TRACE_LOGS = 5000;

/** Filters of the Logs page, as `agent-otel logs` takes them. */
export interface LogFilters {
  level?: LogSeverityName; component?: string; event?: string; trace?: string; since?: string;
}

/** `?trace=`: a trace id or a prefix of one (hex, any case). */
export const traceIdPrefix: Parser<string> = (raw, name) => {
  if (!/^[0-9a-fA-F]{1,32}$/.test(raw)) throw new ParamError(`${name} must be a trace id or a prefix of one (1 to 32 hex characters); got ${JSON.stringify(raw.slice(0, 80))}`);
  return raw.toLowerCase();
};

export const LEVELS = LOG_SEVERITY_NAMES;

/** A filter value: exact, or a pattern where `*` matches anything (as the CLI). Bound, never spliced. */
function match(col: string, v: string, values: DuckDBValue[]): string {
  if (!v.includes('*')) {
    values.push(v);
    return `${col} = ?`;
  }
  values.push(v.replace(/[%_\\]/g, '\\$&').replace(/\*/g, '%'));
  return `${col} LIKE ? ESCAPE '\\'`;
}

const COLUMNS = `${isoSql('time', 'ms')} AS time, level, severity_text, severity_number,
  component, event_name, body, trace_id, span_id, attributes, service_name`;

const parse = (r: Row): Row => ({ ...r, attributes: typeof r.attributes === 'string' ? JSON.parse(r.attributes) : r.attributes ?? {} });

export class ViewerLogs {
  private instance: Promise<DuckDBInstance> | undefined;
  private closed = false;

  constructor(readonly dir: string) {}

  /**
   * What the log files are now (names, sizes, times): the page reloads when it changes. A stat per
   * file, no reading.
   */
  version(): string {
    const d = path.join(this.dir, DIR_LOGS);
    let names: string[];
    try {
      names = fs.readdirSync(d).filter((n) => n.endsWith('.jsonl')).sort();
    } catch {
      return '0';
    }
    let size = 0;
    let mtime = 0;
    for (const n of names) {
      try {
        const st = fs.statSync(path.join(d, n));
        size += st.size;
        mtime = Math.max(mtime, st.mtimeMs);
      } catch { /* pruned meanwhile */ }
    }
    return `${names.length}:${names.at(-1) ?? ''}:${size}:${mtime}`;
  }

  /** One page of records matching the filters, newest first, and how many match. */
  async page(f: LogFilters, limit: number, offset: number): Promise<{ total: number; limit: number; offset: number; rows: Row[] }> {
    const values: DuckDBValue[] = [];
    const where: string[] = [];
    if (f.level) { where.push('severity_number >= ?'); values.push(LOG_SEVERITY[f.level]); }
    if (f.component !== undefined) where.push(match('component', f.component, values));
    if (f.event !== undefined) where.push(match('event_name', f.event, values));
    if (f.trace !== undefined) { where.push('starts_with(trace_id, ?)'); values.push(f.trace); }
    if (f.since !== undefined) { where.push('time >= CAST(? AS TIMESTAMP)'); values.push(f.since); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.run(async (q) => {
      // Two passes over the files rather than a copy of every matching record in memory.
      const [total] = await q(`SELECT count(*)::DOUBLE AS n FROM logs ${w}`, values);
      const rows = await q(`SELECT ${COLUMNS} FROM logs ${w} ORDER BY logs.time DESC, span_id LIMIT ${limit} OFFSET ${offset}`, values);
      return { total: Number(total!.n), limit, offset, rows: rows.map(parse) };
    });
  }

  /** A trace's records, oldest first (at most MAX_TRACE_LOGS), and how many it has. */
  async ofTrace(traceId: string): Promise<{ logs: Row[]; total: number; omitted: number; max: number }> {
    return this.run(async (q) => {
      const rows = await q(`SELECT ${COLUMNS} FROM logs WHERE trace_id = ? ORDER BY logs.time, span_id LIMIT ${MAX_TRACE_LOGS + 1}`, [traceId]);
      let total = rows.length;
      if (rows.length > MAX_TRACE_LOGS) total = Number((await q('SELECT count(*)::DOUBLE AS n FROM logs WHERE trace_id = ?', [traceId]))[0]!.n);
      const shown = rows.slice(0, MAX_TRACE_LOGS).map(parse);
      return { logs: shown, total, omitted: total - shown.length, max: MAX_TRACE_LOGS };
    });
  }

  close(): void {
    this.closed = true;
    void this.instance?.then((i) => i.closeSync(), () => undefined);
  }

  /** A connection of its own with the `logs` view over the files as they are now; closed after. */
  private async run<T>(fn: (q: (sql: string, values?: DuckDBValue[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the viewer is closing');
    this.instance ??= DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
    const conn = await (await this.instance).connect();
    try {
      for (const sql of logsViewStatements(this.dir)) await conn.run(sql);
      return await fn(async (sql, values = []) => (await conn.runAndReadAll(sql, values)).getRowObjectsJson() as Row[]);
    } finally {
      conn.closeSync();
    }
  }
}
