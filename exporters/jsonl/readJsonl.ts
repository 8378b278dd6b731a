import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { RowSignal } from '../../semconv/schema.js';
import { ResourceLookup } from './resources.js';

export interface ReadStats {
  files: number;
  rows: number;
  /** Final lines cut short (a writer killed mid-write, or still writing): skipped. */
  tornLines: Array<{ file: string; line: number }>;
  /** Complete lines that are not JSON objects (a corrupted file): skipped. */
  badLines: Array<{ file: string; line: number; error: string }>;
}

export const newReadStats = (): ReadStats => ({ files: 0, rows: 0, tornLines: [], badLines: [] });

/** The `.jsonl` files of a directory (or the one file given), oldest name first. */
export function jsonlFiles(target: string): string[] {
  const st = fs.statSync(target);
  if (st.isFile()) return [target];
  return fs.readdirSync(target).filter((n) => n.endsWith('.jsonl')).sort().map((n) => path.join(target, n));
}

/**
 * Streams the rows of JSONL files back, one parsed object at a time. A last line without its newline
 * that does not parse is a torn write: it is skipped and counted in `stats.tornLines`, never thrown.
 * `target` is a signal folder of a telemetry directory (`<dir>/spans`) or a file in one: a row that
 * names its resource (`resource_id`) comes back with `resource`, `service_name` and `scope` filled from
 * `<dir>/resources/`, and the fields format v3 leaves out at their default put back (rows of `runs/`
 * and other files are parsed as they are).
 */
export async function* readJsonl<T = Record<string, unknown>>(target: string, stats: ReadStats = newReadStats()): AsyncGenerator<T> {
  const files = jsonlFiles(target);
  const folder = files.length === 1 && files[0] === target ? path.dirname(target) : target;
  const resources = new ResourceLookup(path.dirname(folder));
  // Which signal's defaults to put back (format v3): the folder's name, else told by the row.
  const named = path.basename(folder);
  const signalOf = (row: Record<string, unknown>): RowSignal | undefined => named === 'spans' || named === 'metrics' || named === 'logs' ? named
    : named === 'runs' ? undefined
    : 'span_id' in row && 'end_time' in row ? 'spans' : 'severity_number' in row ? 'logs' : 'unit' in row && 'type' in row ? 'metrics' : undefined;
  for (const file of files) {
    stats.files++;
    const size = fs.statSync(file).size;
    const endsWithNewline = size === 0 || (await lastByte(file, size)) === 0x0a;
    const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    let n = 0;
    let pending: string | undefined;
    // Hold each line back one step so the last one can be judged against the file's final byte.
    const judge = (line: string, isLast: boolean): T | undefined => {
      if (!line.trim()) return undefined;
      try {
        const row = JSON.parse(line) as T;
        stats.rows++;
        return resources.fill(row, signalOf(row as Record<string, unknown>));
      } catch (err) {
        if (isLast && !endsWithNewline) stats.tornLines.push({ file, line: n });
        else stats.badLines.push({ file, line: n, error: (err as Error).message });
        return undefined;
      }
    };
    for await (const line of lines) {
      if (pending !== undefined) {
        const row = judge(pending, false);
        if (row !== undefined) yield row;
      }
      pending = line;
      n++;
    }
    if (pending !== undefined) {
      const row = judge(pending, true);
      if (row !== undefined) yield row;
    }
  }
}

async function lastByte(file: string, size: number): Promise<number> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    return buf[0]!;
  } finally {
    await fh.close();
  }
}
