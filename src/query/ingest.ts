import fs from 'node:fs';
import { DuckDbStore, emptyCounts, FilesChangedError, loadedRows, isLockError, withStoreLock, type Chunk, type FileChunk, type Signal } from '../../exporters/duckdb/index.js';
import { jsonlTwin, listFiles, notIngested, readCompleteLines, type FilePart } from './files.js';
import { DatabaseUnavailable } from './database.js';
import { openFiles } from './liveFiles.js';
import { duckdbThreadsFromEnv } from '../storageConfig.js';

/**
 * Staged (in-memory) JSONL per transaction at most. Whole files are read by DuckDB where they lie and
 * do not count: everything goes in as few transactions as possible, since each further append to a
 * table makes the final checkpoint rewrite it (1M spans: one transaction 6.7 µs CPU/row and 146 MB,
 * four 9.5 µs/row and 223 MB).
 */
const STAGED_BYTES = 256 * 1024 ** 2;

export interface IngestResult {
  /** Files that had rows to load (new files, or the new lines of files that grew). */
  files: number;
  rows: Record<Signal, number>;
  /** Data files the database already held entirely. */
  upToDate: number;
  /** Files that could not be loaded (a line that does not parse, …), with DuckDB's message. */
  failed: Array<{ rel: string; error: string }>;
}

export interface IngestProgress {
  done: number;
  total: number;
  rows: number;
  /** Bytes of JSONL/Parquet loaded so far, and in all. */
  bytes: number;
  totalBytes: number;
}

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

/** Opens `<dir>/telemetry.duckdb` for writing; throws DatabaseUnavailable when it cannot (held by another process, …). */
export async function openStore(dir: string): Promise<DuckDbStore> {
  const store = new DuckDbStore(dir, { threads: duckdbThreadsFromEnv() });
  store.quiet = true;
  if (!(await store.open())) throw new DatabaseUnavailable(store.file, store.openError ?? store.unavailable);
  return store;
}

/** True when the last byte of a JSONL file is a newline (no torn last line to leave out). */
function endsComplete(f: FilePart): boolean {
  if (f.size === 0) return true;
  const b = Buffer.alloc(1);
  const fd = fs.openSync(f.file, 'r');
  try {
    fs.readSync(fd, b, 0, 1, f.size - 1);
  } finally {
    fs.closeSync(fd);
  }
  return b[0] === 10;
}

type Item = { part: FilePart; chunk?: Chunk; whole?: FileChunk; bytes: number };

/**
 * Loads into the store what it does not hold yet: new JSONL files, the complete lines a JSONL file
 * gained since (from the byte offset the bookkeeping records), and Parquet files whose JSONL twin was
 * never loaded. Each load records the bytes it took, in the same transaction, so running it again adds
 * nothing; a torn last line waits until it is complete. A file pruned meanwhile is skipped. `only`
 * limits it to some files (relative paths).
 */
export async function ingest(store: DuckDbStore, opts: { only?: Set<string>; onProgress?: (p: IngestProgress) => void } = {}): Promise<IngestResult> {
  const files = listFiles(store.dir);
  const onDisk = new Set(files.map((f) => f.rel));
  const todo = notIngested(files, await store.ingested())
    .filter((f) => !opts.only || opts.only.has(f.rel))
    // Both X.jsonl and X.parquet: a compaction was cut short; the JSONL file is the one to trust.
    .filter((f) => !(f.kind === 'parquet' && onDisk.has(jsonlTwin(f.rel))));
  const result: IngestResult = { files: 0, rows: emptyCounts(), upToDate: files.length - todo.length, failed: [] };
  const totalBytes = todo.reduce((s, f) => s + f.size - f.offset, 0);
  const live = openFiles(todo); // still written to: staged up to the listed size, never read in place
  let doneBytes = 0;
  const progress = (done: number) => opts.onProgress?.({
    done, total: todo.length, rows: loadedRows(result.rows), bytes: doneBytes, totalBytes,
  });

  let done = 0; // files whose new rows are loaded (or failed)
  let batch: Item[] = [];
  let batchBytes = 0;
  const add = (n: Record<Signal, number>, count: number) => {
    for (const s of Object.keys(n) as Signal[]) result.rows[s] += n[s];
    result.files += count;
  };
  const flush = async () => {
    const items = batch;
    batch = [];
    batchBytes = 0;
    if (items.length === 0) return;
    const bytes = items.reduce((n, i) => n + i.bytes, 0);
    const load = (its: Item[], onFraction?: (f: number) => void) =>
      store.load(its.flatMap((i) => (i.chunk ? [i.chunk] : [])), its.flatMap((i) => (i.whole ? [i.whole] : [])), onFraction);
    const base = doneBytes;
    // never backwards: a load redone (a row over read_json's first limit) reports its progress from 0 again
    const onFraction = opts.onProgress && ((f: number) => { doneBytes = Math.max(doneBytes, base + f * bytes); progress(done); });
    try {
      try {
        add(await load(items, onFraction), items.length);
      } catch (err) {
        if (!(err instanceof FilesChangedError)) throw err;
        // Written to after it was listed: its complete lines up to the listed size, staged.
        for (const i of items) {
          if (!i.whole || !err.files.includes(i.whole.file)) continue;
          i.chunk = { signal: i.part.signal, buf: readCompleteLines(i.part), file: i.part.file };
          i.whole = undefined;
        }
        add(await load(items, onFraction), items.length);
      }
    } catch (err) {
      if (!store.connection()) throw err; // the store itself is gone, not a file
      // One bad file must not hold back the others: load them one at a time to find it.
      for (const item of items) {
        try {
          add(await load([item]), 1);
        } catch (e) {
          let buf = item.chunk?.buf;
          if (!buf) { try { buf = fs.readFileSync(item.part.file); } catch { continue; /* pruned meanwhile */ } }
          result.failed.push(failure(item.part, buf, e));
        }
      }
    }
    doneBytes = base + bytes;
    done += items.length;
    progress(done);
  };

  for (const part of todo) {
    if (part.kind === 'parquet') {
      await flush();
      try {
        const n = await store.loadParquet(part.signal, part.file);
        add({ ...emptyCounts(), [part.signal]: n }, 1);
      } catch (err) {
        if (fs.existsSync(part.file)) result.failed.push({ rel: part.rel, error: String((err as Error)?.message ?? err).split('\n')[0]! });
      }
      doneBytes += part.size;
      progress(++done);
    } else {
      let item: Item | undefined;
      try {
        // A whole file with no torn tail is read by DuckDB from where it lies; anything else is staged.
        if (part.offset === 0 && !live.has(part.file) && endsComplete(part)) item = { part, whole: { signal: part.signal, file: part.file, bytes: part.size }, bytes: part.size };
        else {
          const buf = readCompleteLines(part);
          if (buf.length > 0) item = { part, chunk: { signal: part.signal, buf, file: part.file }, bytes: buf.length };
        }
      } catch { /* pruned meanwhile */ }
      if (item && item.bytes > 0) {
        batch.push(item);
        if (item.chunk) batchBytes += item.bytes;
        if (batchBytes >= STAGED_BYTES) await flush();
      }
    }
  }
  await flush();
  done = todo.length; // files with nothing new to load (a torn line only) count as done too
  progress(done);
  return result;
}

export interface CatchUpResult {
  /** The database now holds everything the files held when it looked (bar files that failed). */
  ok: boolean;
  /** Why not: another process held the file for longer than we waited, or it cannot be written. */
  why?: string;
  held?: boolean;
  result?: IngestResult;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Brings `<dir>/telemetry.duckdb` up to date with the files (creating it when there are files): what a
 * reader runs before it queries. The file is held for this one ingest only. When another process holds
 * it (another ingest, a query reading it), waits up to `waitMs` for it, then gives up: the reader then
 * reads what the database lacks from the files, with the same answer.
 */
export async function catchUp(dir: string, opts: { waitMs?: number; onProgress?: (p: IngestProgress) => void } = {}): Promise<CatchUpResult> {
  const store = new DuckDbStore(dir, { threads: duckdbThreadsFromEnv() });
  store.quiet = true;
  return withStoreLock(store.file, async () => {
    const deadline = Date.now() + (opts.waitMs ?? 1000);
    for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
      if (await store.open()) break;
      const held = isLockError(store.openError);
      if (!held || Date.now() + pause > deadline) {
        await store.close();
        return { ok: false, held, why: store.unavailable };
      }
      await sleep(pause);
    }
    try {
      return { ok: true, result: await ingest(store, { onProgress: opts.onProgress }) };
    } catch (err) {
      return { ok: false, why: `${store.file} could not be brought up to date: ${(err as Error).message.split('\n')[0]}` };
    } finally {
      await store.close();
    }
  });
}

/** True when the directory has data files the database does not hold (or no database yet). */
export function needsCatchUp(files: FilePart[], ingested: Map<string, number> | undefined): boolean {
  if (!ingested) return files.length > 0;
  const onDisk = new Set(files.map((f) => f.rel));
  return notIngested(files, ingested).some((f) => !(f.kind === 'parquet' && onDisk.has(jsonlTwin(f.rel))) && (f.kind === 'parquet' || f.size > f.offset));
}
