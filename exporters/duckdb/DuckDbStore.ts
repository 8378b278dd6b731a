import fs from 'node:fs';
import path from 'node:path';
import { diag } from '@opentelemetry/api';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensurePrivateDir, makePrivate, O_NEW_FILE } from '../jsonl/safeFiles.js';
import {
  DUCKDB_FILE, INGESTED_DDL, INGESTED_TABLE, METRIC_COLUMNS, SPAN_COLUMNS, createTableSql, readJsonColumns,
} from '../../semconv/schema.js';

export type Signal = 'spans' | 'metrics';
export const COLUMNS: Record<Signal, ReadonlyArray<readonly [string, string]>> = { spans: SPAN_COLUMNS, metrics: METRIC_COLUMNS };

/** A run of JSONL bytes to load, and the JSONL file they also went to (null when there is none). */
export interface Chunk { signal: Signal; buf: Buffer; file: string | null }

import { duckdbPathProblem, globLit, isLockError, lit } from './sqlPaths.js';

/**
 * `<dir>/telemetry.duckdb`, opened once per process, with the `spans` and `metrics` tables. Rows are
 * bulk-loaded from NDJSON text with `read_json` (DuckDB parses on its own threads, far cheaper for the
 * agent than appending row by row), each load in one transaction together with the bookkeeping of
 * which JSONL bytes the database now holds — which is what makes `ingest` idempotent.
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

  constructor(readonly dir: string) {
    this.file = path.join(dir, DUCKDB_FILE);
    this.staging = path.join(dir, '.staging', `${process.pid}`);
  }

  /** Opens (once) and creates the tables; undefined when the file cannot be used. */
  open(): Promise<DuckDBConnection | undefined> {
    return (this.opening ??= (async () => {
      try {
        const problem = duckdbPathProblem(this.file);
        if (problem) throw new Error(problem);
        ensurePrivateDir(path.dirname(this.staging));
        this.instance = await DuckDBInstance.create(this.file, { threads: process.env.AGENT_OTEL_DUCKDB_THREADS ?? '1' });
        this.conn = await this.instance.connect();
        await this.conn.run(createTableSql('spans', SPAN_COLUMNS));
        await this.conn.run(createTableSql('metrics', METRIC_COLUMNS));
        await this.conn.run(INGESTED_DDL);
        this.makePrivate();
        return this.conn;
      } catch (err) {
        this.openError = err as Error;
        this.unavailable = isLockError(err)
          ? `${this.file} is in use by another process`
          : `${this.file} cannot be opened: ${(err as Error).message}`;
        diag.warn(`agent-otel: ${this.unavailable}; telemetry still goes to the JSONL files, ` +
          'and `agent-otel ingest` loads them into the database later');
        return undefined;
      }
    })());
  }

  /**
   * Loads chunks of NDJSON rows (complete lines) into their tables and records, per JSONL file, how
   * many of its bytes the database holds. Resolves to the rows loaded per signal.
   */
  async load(chunks: Chunk[]): Promise<Record<Signal, number>> {
    const loaded = { spans: 0, metrics: 0 };
    const conn = await this.open();
    if (!conn || this.closed) throw new Error(this.unavailable ?? 'DuckDB store is closed');
    const files = new Map<string, { signal: Signal; bytes: number }>();
    for (const c of chunks) {
      if (!c.file) continue;
      const rel = path.relative(this.dir, c.file);
      const f = files.get(rel) ?? { signal: c.signal, bytes: 0 };
      f.bytes += c.buf.length;
      files.set(rel, f);
    }
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const signal of ['spans', 'metrics'] as const) {
        const bufs = chunks.filter((c) => c.signal === signal).map((c) => c.buf);
        if (bufs.length === 0) continue;
        const staging = `${this.staging}-${signal}.jsonl`;
        // a predictable name: created exclusively, never through a symlink planted there
        fs.rmSync(staging, { force: true });
        await fs.promises.writeFile(staging, bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs), { mode: 0o600, flag: O_NEW_FILE });
        const r = await conn.run(`INSERT INTO ${signal} SELECT * FROM read_json(${globLit(staging)}, ` +
          `format='newline_delimited', columns=${readJsonColumns(COLUMNS[signal])}, maximum_object_size=67108864)`);
        loaded[signal] = r.rowsChanged;
      }
      for (const [file, f] of files) {
        await conn.run(`INSERT INTO ${INGESTED_TABLE} VALUES (${lit(file)}, '${f.signal}', ${f.bytes}, now()) ` +
          `ON CONFLICT (file) DO UPDATE SET bytes = bytes + EXCLUDED.bytes, updated_at = now()`);
      }
      await conn.run('COMMIT');
      this.makePrivate(); // the WAL appears with the first commit
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      for (const signal of ['spans', 'metrics']) fs.rmSync(`${this.staging}-${signal}.jsonl`, { force: true });
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
    await conn.run('BEGIN TRANSACTION');
    try {
      const r = await conn.run(`INSERT INTO ${signal} BY NAME SELECT * FROM read_parquet(${globLit(file)})`);
      await conn.run(`INSERT INTO ${INGESTED_TABLE} VALUES (${lit(path.relative(this.dir, file))}, '${signal}', ` +
        `${fs.statSync(file).size}, now()) ON CONFLICT (file) DO UPDATE SET bytes = EXCLUDED.bytes, updated_at = now()`);
      await conn.run('COMMIT');
      return r.rowsChanged;
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /** Bytes of each file (relative path) the database holds. */
  async ingested(): Promise<Map<string, number>> {
    const conn = await this.open();
    if (!conn) throw new Error(this.unavailable);
    const rows = (await conn.runAndReadAll(`SELECT file, bytes FROM ${INGESTED_TABLE}`)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.file), Number(r.bytes)]));
  }

  /** Writes everything to the database file and closes it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const conn = await this.opening;
    if (!conn) return;
    try {
      await conn.run('CHECKPOINT');
    } catch (err) {
      diag.warn(`agent-otel: checkpoint of ${this.file} failed: ${(err as Error).message}`);
    }
    conn.closeSync();
    this.instance?.closeSync();
    this.makePrivate();
    try { fs.rmdirSync(path.dirname(this.staging)); } catch { /* another process's staging is in there */ }
  }

  /** DuckDB creates its file, WAL and spill directory with the process umask: 0600 / 0700 here. */
  private makePrivate(): void {
    makePrivate(this.file, `${this.file}.wal`, `${this.file}.tmp`);
  }

  connection(): DuckDBConnection | undefined {
    return this.conn;
  }
}
