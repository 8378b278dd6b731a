import fs from 'node:fs';
import path from 'node:path';
import { DIR_METRICS, DIR_RESOURCES, DIR_RUNS, DIR_SPANS } from '../../semconv/schema.js';
import { DIR_LOGS } from '../../semconv/logs.js';
import type { Signal } from '../../exporters/duckdb/index.js';

/** One JSONL or Parquet file of the telemetry directory, and which part of it a query still needs. */
export interface FilePart {
  signal: Signal;
  /** Absolute path. */
  file: string;
  /** Path relative to the telemetry directory (the key in the database's bookkeeping). */
  rel: string;
  kind: 'jsonl' | 'parquet';
  size: number;
  mtimeMs: number;
  /** Bytes already in the database: read from here on. */
  offset: number;
}

// resources last: listed after the rows naming them, so every resource of a listed row is listed too
const SIGNAL_DIRS: Array<[Signal, string]> = [
  ['spans', DIR_SPANS], ['metrics', DIR_METRICS], ['logs', DIR_LOGS], ['run_starts', DIR_RUNS], ['resources', DIR_RESOURCES],
];

/**
 * Every data file of the directory (resources, spans, metrics, logs, run starts), oldest name first per
 * signal. The resource files come first (loads take them before the rows that name them) though they are
 * listed last (so they hold every resource that the rows listed before them name).
 */
export function listFiles(dir: string): FilePart[] {
  const parts: FilePart[] = [];
  for (const [signal, sub] of SIGNAL_DIRS) {
    let names: string[];
    try { names = fs.readdirSync(path.join(dir, sub)).sort(); } catch { continue; }
    for (const name of names) {
      const kind = name.endsWith('.jsonl') ? 'jsonl' : name.endsWith('.parquet') ? 'parquet' : undefined;
      if (!kind) continue;
      const file = path.join(dir, sub, name);
      try {
        const st = fs.statSync(file);
        parts.push({ signal, file, rel: `${sub}/${name}`, kind, size: st.size, mtimeMs: st.mtimeMs, offset: 0 });
      } catch { /* pruned meanwhile */ }
    }
  }
  return [...parts.filter((p) => p.signal === 'resources'), ...parts.filter((p) => p.signal !== 'resources')];
}

/** The JSONL twin of a compacted Parquet file: the database knows the rows under that name. */
export const jsonlTwin = (rel: string): string => rel.replace(/\.parquet$/, '.jsonl');

/**
 * What the database does not hold yet: files it has never seen, and the tails of JSONL files that grew
 * since (a crashed agent's last rows, or another process's). A Parquet file counts as held when its
 * JSONL twin was.
 */
export function notIngested(files: FilePart[], ingested: Map<string, number>): FilePart[] {
  const out: FilePart[] = [];
  for (const f of files) {
    const held = ingested.get(f.rel) ?? (f.kind === 'parquet' ? ingested.get(jsonlTwin(f.rel)) : undefined) ?? 0;
    if (f.kind === 'parquet') {
      if (!held) out.push(f);
    } else if (held < f.size) {
      out.push({ ...f, offset: held });
    }
  }
  return out;
}

/** The complete lines of a JSONL file from `offset` (a torn last line is left out). */
export function readCompleteLines(f: FilePart): Buffer {
  const fd = fs.openSync(f.file, 'r');
  try {
    const buf = Buffer.alloc(f.size - f.offset);
    let n = 0;
    while (n < buf.length) {
      const r = fs.readSync(fd, buf, n, buf.length - n, f.offset + n);
      if (r === 0) break;
      n += r;
    }
    const end = buf.lastIndexOf(10, n - 1) + 1;
    return buf.subarray(0, end);
  } finally {
    fs.closeSync(fd);
  }
}

/** JSONL files whose last byte is not a newline: a writer was killed mid-line or is still writing. */
export function tornFiles(files: FilePart[]): string[] {
  const torn: string[] = [];
  const b = Buffer.alloc(1);
  for (const f of files) {
    if (f.kind !== 'jsonl' || f.size === 0) continue;
    const fd = fs.openSync(f.file, 'r');
    try {
      fs.readSync(fd, b, 0, 1, f.size - 1);
      if (b[0] !== 10) torn.push(f.rel);
    } finally {
      fs.closeSync(fd);
    }
  }
  return torn;
}
