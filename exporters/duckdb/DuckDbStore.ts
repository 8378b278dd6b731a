import fs from 'node:fs';
import path from 'node:path';
import { diag } from '@opentelemetry/api';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensurePrivateDir, makePrivate, O_NEW_FILE } from '../jsonl/safeFiles.js';
import { DUCKDB_FILE, INGESTED_TABLE, METRIC_COLUMNS, RESOURCE_COLUMNS, RUN_START_COLUMNS, SPAN_COLUMNS, type RowSignal } from '../../semconv/schema.js';
import { LOG_COLUMNS } from '../../semconv/logs.js';
import { duckdbPathProblem, globLit, isLockError, lit } from './sqlPaths.js';
import { withTransaction } from './transaction.js';
import { fillMarkerResourcesSql, refreshRunsSql, RUNS_TABLE, storeRunsSql } from './runs.js';
import {
  type StringKinds, MAX_ROW_BYTES, STORE_STORAGE_VERSION, STORE_STRINGS, INGESTED_DDL, SPAN_ATTRIBUTE_COLUMNS, SPAN_TABLE_COLUMNS, columnList, createTableSql, readJsonColumns, spanAttributesSql, withResourceSql,
} from './tables.js';

/**
 * What the files hold, one directory and table each (`run_starts`: the `runs/` directory); `resources`
 * first: the other rows' loads join it.
 */
export type Signal = 'resources' | 'spans' | 'metrics' | 'logs' | 'run_starts';
export const SIGNALS: readonly Signal[] = ['resources', 'spans', 'metrics', 'logs', 'run_starts'];
/** The signals whose rows name a resource (`resource_id`, joined back by `withResourceSql`). */
export const namesResource = (signal: Signal): signal is RowSignal => signal === 'spans' || signal === 'metrics' || signal === 'logs';
export const COLUMNS: Record<Signal, ReadonlyArray<readonly [string, string]>> = {
  resources: RESOURCE_COLUMNS, spans: SPAN_COLUMNS, metrics: METRIC_COLUMNS, logs: LOG_COLUMNS, run_starts: RUN_START_COLUMNS,
};

/** A run of JSONL bytes to load, and the JSONL file they also went to (null when there is none). */
export interface Chunk { signal: Signal; buf: Buffer; file: string | null }

/** A whole JSONL file (or its first `bytes`, complete lines) to load straight from disk, no copy. */
export interface FileChunk { signal: Signal; file: string; bytes: number }

export interface DuckDbStoreOptions {
  /** DuckDB worker threads (default: every core; the agent's live writer passes 1, readers env AGENT_OTEL_DUCKDB_THREADS via src/storageConfig.ts). */
  threads?: number;
}

/** Files read in place that changed while they were loaded (nothing was loaded: stage them instead). */
export class FilesChangedError extends Error {
  constructor(readonly files: string[]) {
    super(`${files.length} file(s) changed while they were loaded`);
  }
}

export const emptyCounts = (): Record<Signal, number> => ({ resources: 0, spans: 0, metrics: 0, logs: 0, run_starts: 0 });
/** The rows a load counts (what `agent-otel ingest` reports): every table's but the resources'. */
export const loadedRows = (n: Record<Signal, number>): number => n.spans + n.metrics + n.logs + n.run_starts;

/**
 * `<dir>/telemetry.duckdb`: a materialized view of the JSONL/Parquet files, with the `spans`, `metrics`
 * and `logs` tables. Rows are bulk-loaded from NDJSON with `read_json` (DuckDB parses on its own
 * threads), each load in one transaction together with the bookkeeping of which JSONL bytes the
 * database now holds — which is what makes ingest idempotent. Whoever loads opens the file for one
 * load and `release()`s it after, so no process keeps it from the others.
 */
export class DuckDbStore {
  readonly file: string;
  private conn: DuckDBConnection | undefined;
  private instance: DuckDBInstance | undefined;
  private opening: Promise<DuckDBConnection | undefined> | undefined;
  /** Prefix of this process's staging files (loads run one at a time, so one per signal suffices). */
  private readonly staging: string;
  private closed = false;
  /** Why the store is unusable (another process holds it, …); undefined while fine. */
  unavailable: string | undefined;
  /** DuckDB's own error when the file could not be opened (it names the process holding the lock). */
  openError: Error | undefined;
  /** When set, a failure to open is not warned about (the caller says it, or retries). */
  quiet = false;

  constructor(readonly dir: string, private readonly opts: DuckDbStoreOptions = {}) {
    this.file = path.join(dir, DUCKDB_FILE);
    this.staging = path.join(dir, '.staging', `${process.pid}`);
  }

  /** Opens (once until `release()`) and creates the tables; undefined when the file cannot be used now. */
  open(): Promise<DuckDBConnection | undefined> {
    return (this.opening ??= (async () => {
      try {
        if (this.closed) throw new Error('DuckDB store is closed');
        const problem = duckdbPathProblem(this.file);
        if (problem) throw new Error(problem);
        ensurePrivateDir(path.dirname(this.staging));
        const threads = this.opts.threads;
        // Row order in the tables means nothing (the bookkeeping says what is held): DuckDB then inserts
        // on all its threads without merging batches back into file order.
        this.instance = await DuckDBInstance.create(this.file, {
          preserve_insertion_order: 'false', storage_compatibility_version: STORE_STORAGE_VERSION, ...(threads ? { threads: String(threads) } : {}),
        });
        this.conn = await this.instance.connect();
        const strings = (await namesCompression(this.conn)) ? STORE_STRINGS : {};
        // A database made before resources were written once lacks `resource_id` (added before the
        // typed attribute columns, whose rebuild copies the row's columns).
        for (const signal of SIGNALS) {
          await this.conn.run(createTableSql(signal, signal === 'spans' ? SPAN_TABLE_COLUMNS : COLUMNS[signal], strings[signal]));
          if (namesResource(signal)) await this.conn.run(`ALTER TABLE ${signal} ADD COLUMN IF NOT EXISTS resource_id VARCHAR`);
          // format v3: a resource row names the scope of the rows naming it
          if (signal === 'resources') await this.conn.run('ALTER TABLE resources ADD COLUMN IF NOT EXISTS scope STRUCT(name VARCHAR, version VARCHAR)');
        }
        await addAttributeColumns(this.conn);
        await this.conn.run(INGESTED_DDL);
        await addRunsTable(this.conn, strings[RUNS_TABLE]);
        this.makePrivate();
        this.unavailable = undefined;
        this.openError = undefined;
        return this.conn;
      } catch (err) {
        this.openError = err as Error;
        this.unavailable = isLockError(err)
          ? `${this.file} is in use by another process`
          : `${this.file} cannot be opened: ${(err as Error).message}`;
        if (!this.quiet) {
          diag.warn(`agent-otel: ${this.unavailable}; telemetry still goes to the JSONL files, ` +
            'and the next query (or `agent-otel ingest`) loads them into the database');
        }
        this.closeHandles();
        this.opening = undefined; // the next open tries again (another process may have let go of it)
        return undefined;
      }
    })());
  }

  /**
   * Loads chunks of NDJSON rows (complete lines, in memory or straight from their files) into their
   * tables and records, per JSONL file, how many of its bytes the database holds. Resolves to the rows
   * loaded per signal.
   */
  async load(chunks: Chunk[], fileChunks: FileChunk[] = [], onProgress?: (fraction: number) => void): Promise<Record<Signal, number>> {
    try {
      return await this.loadRows(chunks, fileChunks, onProgress, ROW_BYTES);
    } catch (err) {
      if (!isRowTooLarge(err)) throw err;
      return this.loadRows(chunks, fileChunks, onProgress, MAX_ROW_BYTES);
    }
  }

  /** `load()` with read_json allowing rows of up to `rowBytes`. */
  private async loadRows(chunks: Chunk[], fileChunks: FileChunk[], onProgress: ((fraction: number) => void) | undefined, rowBytes: number): Promise<Record<Signal, number>> {
    const loaded = emptyCounts();
    const conn = await this.open();
    if (!conn || this.closed) throw new Error(this.unavailable ?? 'DuckDB store is closed');
    const files = new Map<string, { signal: Signal; bytes: number }>();
    const held = (signal: Signal, file: string, bytes: number) => {
      const rel = path.relative(this.dir, file);
      const f = files.get(rel) ?? { signal, bytes: 0 };
      f.bytes += bytes;
      files.set(rel, f);
    };
    for (const c of chunks) if (c.file) held(c.signal, c.file, c.buf.length);
    for (const c of fileChunks) held(c.signal, c.file, c.bytes);
    // DuckDB's own progress of the running statement (by bytes read), polled: loads are one statement per signal.
    const total = chunks.reduce((n, c) => n + c.buf.length, 0) + fileChunks.reduce((n, c) => n + c.bytes, 0);
    let before = 0;
    let current = 0;
    let poll: NodeJS.Timeout | undefined;
    if (onProgress) {
      await conn.run('SET enable_progress_bar = true');
      await conn.run('SET enable_progress_bar_print = false');
      poll = setInterval(() => {
        const pct = conn.progress.percentage;
        if (pct >= 0 && total > 0) onProgress(Math.min(1, (before + (current * pct) / 100) / total));
      }, 100);
    }
    try {
      await withTransaction(conn, async () => {
        const ends = await tableEnds(conn);
        for (const signal of SIGNALS) {
          const sources: string[] = fileChunks.filter((c) => c.signal === signal).map((c) => c.file);
          const bufs = chunks.filter((c) => c.signal === signal).map((c) => c.buf);
          if (bufs.length) {
            const staging = `${this.staging}-${signal}.jsonl`;
            // a predictable name: created exclusively, never through a symlink planted there
            fs.rmSync(staging, { force: true });
            await fs.promises.writeFile(staging, bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs), { mode: 0o600, flag: O_NEW_FILE });
            sources.push(staging);
          }
          if (sources.length === 0) continue;
          current = fileChunks.filter((c) => c.signal === signal).reduce((n, c) => n + c.bytes, 0) + bufs.reduce((n, b) => n + b.length, 0);
          const rows = `SELECT * FROM read_json([${sources.map(globLit).join(', ')}], ` +
            `format='newline_delimited', columns=${readJsonColumns(COLUMNS[signal])}, maximum_object_size=${rowBytes})`;
          // Each resource once, in `resources`: rows keep only its id (readers join it back, as for the
          // files: ~2 µs/row less to store than a copy of it in every row); spans get their typed
          // attribute columns, so that queries parse no JSON.
          const r = await conn.run(signal === 'resources'
            ? `INSERT INTO resources BY NAME SELECT DISTINCT ON (resource_id) * FROM (${rows}) n ` +
              'WHERE resource_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM resources o WHERE o.resource_id = n.resource_id)'
            : namesResource(signal)
              ? `INSERT INTO ${signal} BY NAME SELECT *${typedColumns(signal)} FROM (${withResourceSql(rows, 'resources', signal, false)})`
              : `INSERT INTO ${signal} BY NAME ${rows}`);
          if (signal === 'spans') await conn.run(fillMarkerResourcesSql(ends.spans));
          loaded[signal] = r.rowsChanged;
          before += current;
          current = 0;
        }
        // A file read in place must not have grown meanwhile: the bookkeeping would miss rows DuckDB read.
        const grown = fileChunks.filter((c) => { try { return fs.statSync(c.file).size !== c.bytes; } catch { return true; } });
        if (grown.length) throw new FilesChangedError(grown.map((c) => c.file));
        if (loaded.spans || loaded.run_starts) await refreshRuns(conn, ends);
        for (const [file, f] of files) {
          await conn.run(`INSERT INTO ${INGESTED_TABLE} VALUES (${lit(file)}, '${f.signal}', ${f.bytes}, now()) ` +
            `ON CONFLICT (file) DO UPDATE SET bytes = bytes + EXCLUDED.bytes, updated_at = now()`);
        }
        await vacuumFor(conn, loadedRows(loaded));
      });
      this.makePrivate(); // the WAL appears with the first commit
    } finally {
      clearInterval(poll);
      for (const signal of SIGNALS) fs.rmSync(`${this.staging}-${signal}.jsonl`, { force: true });
    }
    return loaded;
  }

  /**
   * Loads a whole Parquet file (a compacted JSONL file) into its table and records it as held, in one
   * transaction. Resolves to the rows loaded.
   */
  async loadParquet(signal: Signal, file: string): Promise<number> {
    const conn = await this.open();
    if (!conn || this.closed) throw new Error(this.unavailable ?? 'DuckDB store is closed');
    return withTransaction(conn, async () => {
      const ends = await tableEnds(conn);
      const r = await conn.run(`INSERT INTO ${signal} BY NAME SELECT *${typedColumns(signal)} FROM read_parquet(${globLit(file)})`);
      if (r.rowsChanged && (signal === 'spans' || signal === 'run_starts')) await refreshRuns(conn, ends);
      await vacuumFor(conn, r.rowsChanged);
      await conn.run(`INSERT INTO ${INGESTED_TABLE} VALUES (${lit(path.relative(this.dir, file))}, '${signal}', ` +
        `${fs.statSync(file).size}, now()) ON CONFLICT (file) DO UPDATE SET bytes = EXCLUDED.bytes, updated_at = now()`);
      return r.rowsChanged;
    });
  }

  /** Bytes of each file (relative path) the database holds. */
  async ingested(): Promise<Map<string, number>> {
    const conn = await this.open();
    if (!conn) throw new Error(this.unavailable);
    const rows = (await conn.runAndReadAll(`SELECT file, bytes FROM ${INGESTED_TABLE}`)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.file), Number(r.bytes)]));
  }

  /**
   * Writes everything to the database file and closes it, so that other processes can open it; the
   * next `open()` (or `load()`) opens it again.
   */
  async release(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const conn = await opening;
    if (!conn) return;
    try {
      await conn.run('CHECKPOINT');
    } catch (err) {
      diag.warn(`agent-otel: checkpoint of ${this.file} failed: ${(err as Error).message}`);
    }
    this.closeHandles();
    this.makePrivate();
  }

  /** Releases the file for good. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.release();
    this.closed = true;
    try { fs.rmdirSync(path.dirname(this.staging)); } catch { /* another process's staging is in there */ }
  }

  private closeHandles(): void {
    try { this.conn?.closeSync(); } catch { /* closed */ }
    try { this.instance?.closeSync(); } catch { /* closed */ }
    this.conn = undefined;
    this.instance = undefined;
  }

  /** DuckDB creates its file, WAL and spill directory with the process umask: 0600 / 0700 here. */
  private makePrivate(): void {
    makePrivate(this.file, `${this.file}.wal`, `${this.file}.tmp`);
  }

  connection(): DuckDBConnection | undefined {
    return this.conn;
  }
}

/**
 * read_json's `maximum_object_size` on a load's first try (DuckDB's default, also its least). It reads
 * files in buffers of twice that, and a row must fit in one: so a 64 MiB file is read by two threads, not
 * one, in smaller allocations (the run starts of 1M spans: ~30% less wall and CPU than with 64 MiB), and
 * rows of up to ~32 MiB load. A load with a larger one (a captured prompt, …) fails whole, and is done
 * again with MAX_ROW_BYTES, as every other reader of the files.
 */
const ROW_BYTES = 16 * 1024 ** 2;
/** DuckDB's error for a row over `maximum_object_size`. */
const isRowTooLarge = (err: unknown): boolean => /"maximum_object_size" of \d+ bytes exceeded/.test(String((err as Error)?.message ?? err));

/** DuckDB's rows per row group: a load of at least this many writes row groups of its own. */
const ROW_GROUP_ROWS = 122_880;

/**
 * Sets whether the checkpoints after a load of `rows` vacuum (merge row groups left partly full, or
 * holding deleted rows, by writing them again). A large load's parallel insert leaves each thread's
 * last row group partly full, and merging those rewrites much of the table: ~10% of a full load's CPU,
 * which the user waits for. Small loads, the usual catch-up, keep vacuuming: it is what reclaims the
 * `runs` rows each refresh deletes. So the first small load after a large one does the merge, once
 * (~0.6 s for 1M spans; bench/README "Round 8").
 */
async function vacuumFor(conn: DuckDBConnection, rows: number): Promise<void> {
  await conn.run(rows >= ROW_GROUP_ROWS ? 'SET max_vacuum_tasks = 0' : 'RESET max_vacuum_tasks');
}

/** The select items a signal's table adds to its rows at ingest: the spans' typed attribute columns. */
const typedColumns = (signal: Signal): string => (signal === 'spans' ? `, ${spanAttributesSql()}` : '');

/**
 * A `spans` table made by a version without the typed attribute columns is rebuilt with them, once
 * (one statement over the table, in a transaction: a crash leaves the old table as it was).
 */
async function addAttributeColumns(conn: DuckDBConnection): Promise<void> {
  const have = new Set((await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'spans'`)).getRowObjectsJS().map((r) => r.column_name));
  if (SPAN_ATTRIBUTE_COLUMNS.every(([name]) => have.has(name))) return;
  await withTransaction(conn, async () => {
    await conn.run(`CREATE TABLE _spans_typed AS SELECT ${columnList(SPAN_COLUMNS)}, ${spanAttributesSql()} FROM spans`);
    await conn.run('DROP TABLE spans');
    await conn.run('ALTER TABLE _spans_typed RENAME TO spans');
  });
}

/** The last row id of `spans` and `run_starts` (-1 when empty): rows a transaction appends after have larger ones. */
type TableEnds = { spans: bigint; run_starts: bigint };
async function tableEnds(conn: DuckDBConnection): Promise<TableEnds> {
  const r = (await conn.runAndReadAll(`SELECT (SELECT coalesce(max(rowid), -1) FROM spans) AS spans,
    (SELECT coalesce(max(rowid), -1) FROM run_starts) AS run_starts`)).getRowObjectsJS()[0]!;
  return { spans: BigInt(r.spans as bigint), run_starts: BigInt(r.run_starts as bigint) };
}

/**
 * Brings the `runs` table (exporters/duckdb/runs.ts) up to date in the caller's transaction: the runs the
 * rows appended after `ends` name are computed again over all their rows; without `ends` (rows were
 * deleted), every run.
 */
export async function refreshRuns(conn: DuckDBConnection, ends?: TableEnds): Promise<void> {
  const all = !ends || (ends.spans < 0n && ends.run_starts < 0n);
  if (!all) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE _runs_touched AS
      SELECT "agent.run.id" AS run_id FROM spans WHERE rowid > ${ends.spans} AND "agent.run.id" IS NOT NULL
      UNION SELECT run_id FROM run_starts WHERE rowid > ${ends.run_starts} AND run_id IS NOT NULL`);
  }
  for (const sql of refreshRunsSql(all ? undefined : '_runs_touched')) await conn.run(sql);
  if (!all) await conn.run('DROP TABLE _runs_touched');
}

/**
 * True when the database file can name the string compressions of STORE_STRINGS: one created with
 * STORE_STORAGE_VERSION or later. A file made by an earlier version of agent-otel (storage v1.0) keeps
 * working, its tables compressed as DuckDB chooses.
 */
async function namesCompression(conn: DuckDBConnection): Promise<boolean> {
  const rows = (await conn.runAndReadAll(`SELECT tags['storage_version'] AS v FROM duckdb_databases()
    WHERE database_name = current_database()`)).getRowObjectsJS();
  const [major = 0, minor = 0] = (/^v(\d+)\.(\d+)/.exec(String(rows[0]?.v ?? '')) ?? []).slice(1).map(Number);
  return major > 1 || (major === 1 && minor >= 3);
}

/** A database made before the `runs` table gets it, computed over all its rows, once. */
async function addRunsTable(conn: DuckDBConnection, strings: StringKinds | undefined): Promise<void> {
  const have = (await conn.runAndReadAll(`SELECT 1 FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '${RUNS_TABLE}'`)).getRowObjectsJS();
  if (have.length > 0) return;
  // made from its column types rather than AS SELECT: its string columns' compression is named
  const columns = (await conn.runAndReadAll(`DESCRIBE ${storeRunsSql()}`)).getRowObjectsJS()
    .map((r) => [String(r.column_name), String(r.column_type)] as const);
  await withTransaction(conn, async () => {
    await conn.run(createTableSql(RUNS_TABLE, columns, strings));
    await conn.run(`INSERT INTO ${RUNS_TABLE} BY NAME ${storeRunsSql()}`);
  });
}

/**
 * DuckDB's lock on a database file is a POSIX record lock, which belongs to the process: two opens of
 * one file inside one process do not exclude each other (and closing either drops both locks). Every
 * open of the file for writing in this process goes through here, one at a time.
 */
const storeLocks = new Map<string, Promise<unknown>>();
export function withStoreLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const prev = storeLocks.get(file) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => {});
  storeLocks.set(file, tail);
  void tail.then(() => { if (storeLocks.get(file) === tail) storeLocks.delete(file); });
  return next;
}
