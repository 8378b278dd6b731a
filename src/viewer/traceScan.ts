import fs from 'node:fs';
import { isoSql } from '../../exporters/jsonl/isoTime.js';
import type { Row } from './store.js';

/** The columns of a whole span row as the trace page reads it (what `scanJsonl` gives for a JSONL line). */
export const TRACE_COLUMNS = `trace_id, span_id, parent_span_id, name, kind, ${isoSql('start_time')} AS start_time,
  ${isoSql('end_time')} AS end_time, epoch_us(start_time) AS start_us, epoch_us(end_time) AS end_us, duration_ms,
  status_code, status_message, service_name, scope, attributes, events, links, resource`;

/** Microseconds since the epoch of an ISO-8601 UTC time with up to 6 fraction digits. */
function epochUs(iso: unknown): number {
  const s = String(iso);
  const ms = Date.parse(s);
  const frac = /\.(\d+)Z?$/.exec(s)?.[1] ?? '';
  return Math.floor(ms / 1000) * 1e6 + Number(`${frac}000000`.slice(0, 6));
}

/**
 * The rows of one trace in a JSONL file: the lines that contain its id (a byte search, far cheaper than
 * parsing the whole file), parsed; a torn last line is left out.
 */
export async function scanJsonl(file: string, traceId: string): Promise<Row[]> {
  const needle = Buffer.from(traceId);
  const out: Row[] = [];
  const fh = await fs.promises.open(file, 'r');
  try {
    const chunk = 8 * 1024 * 1024;
    let carry = Buffer.alloc(0);
    for (let pos = 0; ;) {
      const buf = Buffer.allocUnsafe(chunk);
      const { bytesRead } = await fh.read(buf, 0, chunk, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const end = data.lastIndexOf(10) + 1;
      carry = Buffer.from(data.subarray(end));
      for (let i = data.indexOf(needle); i !== -1 && i < end;) {
        const from = data.lastIndexOf(10, i) + 1;
        const to = data.indexOf(10, i);
        try {
          const row = JSON.parse(data.toString('utf8', from, to)) as Row;
          if (row.trace_id === traceId) out.push({ ...row, start_us: epochUs(row.start_time), end_us: epochUs(row.end_time) });
        } catch { /* not a span row */ }
        i = data.indexOf(needle, to);
      }
    }
  } finally {
    await fh.close();
  }
  return out;
}
