import fs from 'node:fs';
import { DuckDbStore, type Chunk } from '../../exporters/duckdb/index.js';
import { jsonlTwin, listFiles, notIngested, readCompleteLines, type FilePart } from './files.js';
import { DatabaseUnavailable } from './database.js';

/** Load this much JSONL per transaction: large loads are what DuckDB is fast at. */
const BATCH_BYTES = 64 * 1024 ** 2;

export interface IngestResult {
  /** Files that had rows to load (new files, or the new lines of files that grew). */
  files: number;
  rows: { spans: number; metrics: number };
  /** Data files the database already held entirely. */
  upToDate: number;
  /** Files that could not be loaded (a line that does not parse, …), with DuckDB's message. */
  failed: Array<{ rel: string; error: string }>;
}

export interface IngestProgress { done: number; total: number; rows: number }

/** Names the first line of the chunk that is not JSON (by its line number in the file), else DuckDB's message. */
function failure(part: FilePart, buf: Buffer, err: unknown): { rel: string; error: string } {
  const lines = buf.toString('utf8').split('\n');
  const bad = lines.findIndex((l) => { try { JSON.parse(l); return false; } catch { return l.trim() !== ''; } });
  if (bad === -1) return { rel: part.rel, error: String((err as Error)?.message ?? err).split('\n')[0]!.replace(/ in file "[^"]*"/, '') };
  const before = part.offset > 0 ? countLines(fs.readFileSync(part.file).subarray(0, part.offset)) : 0;
  return { rel: part.rel, error: `line ${before + bad + 1} is not a JSON row: ${JSON.stringify(lines[bad]!.slice(0, 60))}` };
}

/** Newline-terminated lines in `buf`. */
export const countLines = (buf: Buffer): number => {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
};

/** Opens `<dir>/telemetry.duckdb` for writing; throws DatabaseUnavailable when it cannot (held by an agent, …). */
export async function openStore(dir: string): Promise<DuckDbStore> {
  const store = new DuckDbStore(dir);
  if (!(await store.open())) throw new DatabaseUnavailable(store.file, store.openError ?? store.unavailable);
  return store;
}

/**
 * Loads into the store what it does not hold yet: new JSONL files, the complete lines a JSONL file
 * gained since (from the byte offset the bookkeeping records), and Parquet files whose JSONL twin was
 * never loaded. Each load records the bytes it took, in the same transaction, so running it again adds
 * nothing. `only` limits it to some files (relative paths).
 */
export async function ingest(store: DuckDbStore, opts: { only?: Set<string>; onProgress?: (p: IngestProgress) => void } = {}): Promise<IngestResult> {
  const files = listFiles(store.dir);
  const onDisk = new Set(files.map((f) => f.rel));
  const todo = notIngested(files, await store.ingested())
    .filter((f) => !opts.only || opts.only.has(f.rel))
    // Both X.jsonl and X.parquet: a compaction was cut short; the JSONL file is the one to trust.
    .filter((f) => !(f.kind === 'parquet' && onDisk.has(jsonlTwin(f.rel))));
  const result: IngestResult = { files: 0, rows: { spans: 0, metrics: 0 }, upToDate: files.length - todo.length, failed: [] };
  const progress = (done: number) => opts.onProgress?.({ done, total: todo.length, rows: result.rows.spans + result.rows.metrics });

  let batch: Array<{ part: FilePart; chunk: Chunk }> = [];
  let batchBytes = 0;
  const add = (n: { spans: number; metrics: number }, count: number) => {
    result.rows.spans += n.spans;
    result.rows.metrics += n.metrics;
    result.files += count;
  };
  const flush = async () => {
    const items = batch;
    batch = [];
    batchBytes = 0;
    if (items.length === 0) return;
    try {
      add(await store.load(items.map((i) => i.chunk)), items.length);
    } catch {
      // One bad file must not hold back the others: load them one at a time to find it.
      for (const { part, chunk } of items) {
        try {
          add(await store.load([chunk]), 1);
        } catch (err) {
          result.failed.push(failure(part, chunk.buf, err));
        }
      }
    }
  };

  for (const [i, part] of todo.entries()) {
    if (part.kind === 'parquet') {
      await flush();
      try {
        const n = await store.loadParquet(part.signal, part.file);
        add({ spans: part.signal === 'spans' ? n : 0, metrics: part.signal === 'metrics' ? n : 0 }, 1);
      } catch (err) {
        result.failed.push({ rel: part.rel, error: String((err as Error)?.message ?? err).split('\n')[0]! });
      }
    } else {
      let buf: Buffer = Buffer.alloc(0);
      try { buf = readCompleteLines(part); } catch { /* pruned meanwhile */ }
      if (buf.length > 0) {
        batch.push({ part, chunk: { signal: part.signal, buf, file: part.file } });
        batchBytes += buf.length;
        if (batchBytes >= BATCH_BYTES) await flush();
      }
    }
    progress(i + 1);
  }
  await flush();
  progress(todo.length);
  return result;
}
