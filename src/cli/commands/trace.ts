import type { CAC } from 'cac';
import pc from 'picocolors';
import { lit } from '../../../exporters/duckdb/index.js';
import { QueryError } from '../../query/session.js';
import { withSession, type CommonOptions } from '../common.js';
import { fmtMs, safeJson, safeText } from '../format.js';
import { fmtTime, isoSql } from '../table.js';
import { formatLogLine } from './logs.js';
import { compareSpans, maxOf, minOf, renderTree, renderWaterfall, treeOrder, type TraceSpan } from '../waterfall.js';

const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** At most this many log records of one trace are read (the first by time); more are counted and said. */
export const TRACE_LOGS_LIMIT = 10_000;

type LogOfSpan = Record<string, unknown> & { span_id: string | null; time: string };

export function register(cli: CAC): void {
  cli.command('trace <trace-id>', 'Show one trace as a tree and a waterfall (a unique prefix of 8+ hex chars is enough)')
    .option('--json', 'Print the spans of the trace as a JSON array')
    .example('agent-otel trace 7812de81')
    .action(async (id: string, o: CommonOptions) => {
      const wanted = String(id).trim().toLowerCase();
      if (!/^[0-9a-f]{8,32}$/.test(wanted)) {
        throw new QueryError(`a trace id is 32 hex characters (a unique prefix of at least 8 will do); got ${safeText(JSON.stringify(String(id)))}`);
      }
      const { rows, logs, moreLogs } = await withSession(o, async (s) => {
        // Both forms are pushed down into the scan (a zone-map / string filter, no JSON parsing).
        const where = wanted.length === 32 ? `trace_id = ${lit(wanted)}` : `starts_with(trace_id, ${lit(wanted)})`;
        const { rows } = await s.query(`SELECT trace_id, span_id, parent_span_id, name, kind,
            ${isoSql('start_time')} AS start_time, ${isoSql('end_time')} AS end_time, duration_ms,
            epoch_us(start_time) AS start_us, epoch_us(end_time) AS end_us,
            status_code, status_message, service_name, attributes, events, links
          FROM spans WHERE ${where}`);
        const ids = [...new Set(rows.map((r) => String(r.trace_id)))].sort();
        if (ids.length === 0) {
          // A run that started and was killed (or is still going) before any of its spans ended: say so.
          const started = (await s.query(`SELECT run_id, status FROM agent_runs WHERE ${where} AND status IN ('running', 'abandoned') ORDER BY run_id LIMIT 1`)).rows[0];
          throw new QueryError(started
            ? `trace ${wanted} has no span yet: its run ${safeText(String(started.run_id))} started and is ${started.status} (no span of it ended)`
            : `no trace ${wanted} in ${s.dir}`);
        }
        if (ids.length > 1) {
          throw new QueryError(`trace id prefix ${wanted} is ambiguous: it matches ${ids.length} traces (${ids.slice(0, 5).map(safeText).join(', ')}${ids.length > 5 ? ', …' : ''}); give more characters`);
        }
        // The trace's log records, oldest first (the `logs` view over logs/*.jsonl; empty without files).
        const traceId = String(rows[0]!.trace_id);
        const logRows = (await s.query(`SELECT ${isoSql('time')} AS time, level, severity_text, severity_number, component, event_name,
            body, span_id, attributes FROM logs WHERE trace_id = ${lit(traceId)} ORDER BY logs.time, span_id LIMIT ${TRACE_LOGS_LIMIT + 1}`)).rows;
        const logs = logRows.slice(0, TRACE_LOGS_LIMIT).map((r) => ({ ...r, attributes: parseJson(r.attributes) ?? {} }) as unknown as LogOfSpan);
        const moreLogs = logRows.length > TRACE_LOGS_LIMIT;
        return { rows, logs, moreLogs };
      });
      const logsBySpan = new Map<string, LogOfSpan[]>();
      const spanIds = new Set(rows.map((r) => String(r.span_id)));
      const unplaced: LogOfSpan[] = []; // logged in a span that is not in the files (yet), or outside any span
      for (const l of logs) {
        if (l.span_id && spanIds.has(l.span_id)) {
          const list = logsBySpan.get(l.span_id) ?? [];
          list.push(l);
          logsBySpan.set(l.span_id, list);
        } else {
          unplaced.push(l);
        }
      }
      const spans: Array<TraceSpan & { row: Record<string, unknown> }> = rows.map((r) => ({
        row: r, span_id: String(r.span_id), parent_span_id: (r.parent_span_id as string | null) ?? null, name: String(r.name),
        start_us: Number(r.start_us), end_us: Number(r.end_us), duration_ms: Number(r.duration_ms),
        status_code: String(r.status_code), status_message: (r.status_message as string | null) ?? null,
        attributes: (parseJson(r.attributes) ?? {}) as Record<string, unknown>,
      }));
      if (o.json) {
        const out = spans.sort(compareSpans).map(({ row, attributes }) => {
          const { start_us: _s, end_us: _e, ...rest } = row;
          const own = logsBySpan.get(String(row.span_id));
          // A span with log records carries them, oldest first, as the `logs` view has them.
          return { ...rest, attributes, events: parseJson(row.events) ?? [], links: parseJson(row.links) ?? [], ...(own ? { logs: own } : {}) };
        });
        process.stdout.write(safeJson(out, 2) + '\n');
        return;
      }
      const lines = treeOrder(spans);
      const t0 = minOf(spans.map((s) => s.start_us));
      const t1 = maxOf(spans.map((s) => s.end_us));
      const errors = spans.filter((s) => s.status_code === 'ERROR').length;
      const services = [...new Set(rows.map((r) => r.service_name).filter(Boolean).map(safeText))].join(', ');
      const first = spans.find((s) => s.start_us === t0)!.row;
      // Under each span: its records as `agent-otel logs` prints them, with the time of day only.
      const logLine = (l: LogOfSpan) => `${pc.dim('·')} ${formatLogLine({ ...l, time: l.time.slice(11, 23), trace_id: null } as never)}`;
      const notes = new Map([...logsBySpan].map(([id, list]) => [id, list.map(logLine)]));
      const tail: string[] = [];
      if (unplaced.length) tail.push(pc.dim(`logs of this trace outside the spans shown (${unplaced.length}):`), ...unplaced.map((l) => `  ${logLine(l)}${l.span_id ? pc.dim(` span=${safeText(l.span_id)}`) : ''}`), '');
      if (moreLogs) tail.push(pc.dim(`(only the first ${TRACE_LOGS_LIMIT} log records of this trace are shown; agent-otel logs --trace ${safeText(rows[0]!.trace_id)} --limit 1000000 lists them all)`), '');
      process.stdout.write([
        `${pc.bold(`trace ${safeText(rows[0]!.trace_id)}`)}  ${spans.length} span${spans.length === 1 ? '' : 's'}  ${fmtMs((t1 - t0) / 1000)}  ` +
          `started ${safeText(fmtTime(first.start_time))} UTC${services ? `  service ${services}` : ''}` +
          (errors ? `  ${pc.red(`${errors} error${errors === 1 ? '' : 's'}`)}` : ''),
        '',
        renderTree(lines, notes),
        '',
        renderWaterfall(lines),
        '',
        ...tail,
      ].join('\n'));
    });
}
