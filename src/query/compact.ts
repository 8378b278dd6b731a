import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { COLUMNS, globLit, lit, namesResource, readJsonColumns, MAX_ROW_BYTES, readResourcesSql, withResourceSql, type Signal } from '../../exporters/duckdb/index.js';
import { resourceFiles } from '../../exporters/jsonl/resources.js';
import { DUCKDB_FILE } from '../../semconv/schema.js';
import { listFiles, readCompleteLines, type FilePart } from './files.js';
import { countLines, ingest, openStore } from './ingest.js';
import { openFiles } from './liveFiles.js';

export interface CompactOptions {
  /** Only files last written longer ago than this. */
  olderThanMs: number;
  dryRun?: boolean;
  now?: number;
  onProgress?: (p: { done: number; total: number; rows: number }) => void;
}

export interface CompactedFile { rel: string; parquet: string; rows: number; bytesBefore: number; bytesAfter: number }

export interface CompactResult {
  files: CompactedFile[];
  /** Files left as JSONL, and why (a line that does not parse, a count that did not match, …). */
  skipped: Array<{ rel: string; reason: string }>;
  /** Things the user should know (the database could not be checked, …). */
  notes: string[];
}

/** Strict read_json: a line that does not parse fails the file (it is then left alone, not lost). */
const readJsonStrict = (signal: Signal, file: string): string =>
  `SELECT * FROM read_json(${globLit(file)}, format='newline_delimited', columns=${readJsonColumns(COLUMNS[signal])}, ` +
  `maximum_object_size=${MAX_ROW_BYTES})`;

/**
 * JSONL files no process writes any more and last written before the cutoff. Resource files stay JSONL:
 * tiny, and what readers of the other JSONL files join.
 */
export function closedFiles(dir: string, olderThanMs: number, now = Date.now()): FilePart[] {
  const files = listFiles(dir);
  const open = openFiles(files);
  return files.filter((f) => f.kind === 'jsonl' && f.signal !== 'resources' && now - f.mtimeMs > olderThanMs && !open.has(f.file));
}

/**
 * Rewrites closed JSONL files as zstd Parquet files of the same name in the same folder. The JSONL file
 * is deleted only once the Parquet file is complete, renamed into place and holds exactly as many rows
 * as the JSONL file has complete lines (a torn last line, which no reader can use, is left out).
 */
export async function compact(dir: string, opts: CompactOptions): Promise<CompactResult> {
  const todo = closedFiles(dir, opts.olderThanMs, opts.now);
  const result: CompactResult = { files: [], skipped: [], notes: [] };
  if (todo.length && !opts.dryRun) await catchUpDatabase(dir, todo, result.notes);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-otel-compact-'));
  let rows = 0;
  try {
    for (const [i, f] of todo.entries()) {
      try {
        const done = await compactFile(conn, f, staging, !!opts.dryRun, dir);
        if (done) {
          result.files.push(done);
          rows += done.rows;
        }
      } catch (err) {
        result.skipped.push({ rel: f.rel, reason: (err as Error).message.split('\n')[0]! });
      }
      opts.onProgress?.({ done: i + 1, total: todo.length, rows });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return result;
}

/** Undefined for a file with no complete line: a Parquet file would be larger, and it is left as it is. */
async function compactFile(conn: DuckDBConnection, f: FilePart, staging: string, dryRun: boolean, dir: string): Promise<CompactedFile | undefined> {
  const buf = readCompleteLines(f);
  const rows = countLines(buf);
  if (rows === 0) return undefined;
  const parquet = f.file.replace(/\.jsonl$/, '.parquet');
  const out: CompactedFile = { rel: f.rel, parquet: path.basename(parquet), rows, bytesBefore: f.size, bytesAfter: 0 };
  if (dryRun) return out;
  let source = f.file;
  if (buf.length < f.size) { // a torn last line: compact the complete lines only
    source = path.join(staging, path.basename(f.file));
    fs.writeFileSync(source, buf, { mode: 0o600 });
  }
  const tmp = `${parquet}.tmp`; // not a data file name: no reader sees it half written
  try {
    // Parquet rows hold their resource (joined in here): a Parquet file is read without `resources/`.
    const select = readJsonStrict(f.signal, source);
    await conn.run(`COPY (${namesResource(f.signal) ? withResourceSql(select, readResourcesSql(resourceFiles(dir)), f.signal) : select}) ` +
      `TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    const n = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${globLit(tmp)})`)).getRowObjectsJS()[0]!.n);
    if (n !== rows) throw new Error(`the Parquet file holds ${n} rows, the JSONL file ${rows} lines; left as JSONL`);
    const st = fs.statSync(f.file);
    if (st.size !== f.size || st.mtimeMs !== f.mtimeMs) throw new Error('written to while compacting; left as JSONL');
    fs.chmodSync(tmp, 0o600);
    fs.utimesSync(tmp, st.atime, st.mtime); // keeps its age for --older-than and retention
    fs.renameSync(tmp, parquet);
    fs.unlinkSync(f.file);
    out.bytesAfter = fs.statSync(parquet).size;
    return out;
  } finally {
    fs.rmSync(tmp, { force: true });
    if (source !== f.file) fs.rmSync(source, { force: true });
  }
}

/**
 * The database counts `X.parquet` as held when it holds `X.jsonl`, so before compacting a file it holds
 * only the start of (a crashed agent's last rows), it takes the rest. A database held by a running
 * agent cannot be checked: said in a note.
 */
async function catchUpDatabase(dir: string, todo: FilePart[], notes: string[]): Promise<void> {
  if (!fs.existsSync(path.join(dir, DUCKDB_FILE))) return;
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(dir);
  } catch (err) {
    notes.push(`${(err as Error).message}; could not check that it holds all rows of the compacted files ` +
      '(run `agent-otel ingest` before compacting when no agent runs)');
    return;
  }
  try {
    const held = await store.ingested();
    const partial = todo.filter((f) => (held.get(f.rel) ?? 0) > 0 && held.get(f.rel)! < f.size).map((f) => f.rel);
    if (partial.length) await ingest(store, { only: new Set(partial) });
  } finally {
    await store.close();
  }
}
