import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbPathProblem, isLockError, lit } from '../../exporters/duckdb/index.js';
import { DUCKDB_FILE } from '../../semconv/schema.js';
import { listFiles } from '../query/files.js';
import { catchUp } from '../query/ingest.js';
import type { ConnectionPool } from './pool.js';

const DB_ALIAS = 'viewer_store';

/**
 * The viewer's use of a directory's telemetry.duckdb: attached only while it is read and detached at
 * once, so an agent starting later can still open it for writing; one use at a time.
 */
export class TelemetryDb {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string, private readonly pool: ConnectionPool) {
    this.file = path.join(dir, DUCKDB_FILE);
  }

  /** Size and mtime of the file and its WAL (undefined: no database): a new one means new rows. */
  signature(): string | undefined {
    const sig = (f: string) => {
      try {
        const st = fs.statSync(f);
        return `${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    };
    const main = sig(this.file);
    return main === '-' ? undefined : `${main}/${sig(`${this.file}.wal`)}`;
  }

  /**
   * Attaches telemetry.duckdb read-only, runs `fn`, detaches. Resolves to why it could not when
   * the file is held by a running agent (or unreadable).
   */
  read<T>(fn: (alias: string, conn: DuckDBConnection) => Promise<T>): Promise<T | string> {
    return this.inTurn(async (): Promise<T | string> => {
      const conn = await this.pool.acquire();
      try {
        try {
          const problem = duckdbPathProblem(this.file);
          if (problem) throw new Error(problem);
          await conn.run(`ATTACH ${lit(this.file)} AS ${DB_ALIAS} (READ_ONLY)`);
        } catch (err) {
          return isLockError(err) ? `${DUCKDB_FILE} is held by another process` : `${DUCKDB_FILE} cannot be read: ${(err as Error).message}`;
        }
        try {
          return await fn(DB_ALIAS, conn);
        } finally {
          await conn.run(`DETACH ${DB_ALIAS}`).catch(() => {});
        }
      } finally {
        this.pool.release(conn);
      }
    });
  }

  /**
   * Brings telemetry.duckdb up to date with the files (it is their materialized view), holding it for
   * that one ingest; in turn with this viewer's own reads of it. Resolves to why it could not, when
   * that is worth saying (another process holding it for a moment is not).
   */
  catchUp(): Promise<string | undefined> {
    return this.inTurn(async (): Promise<string | undefined> => {
      if (duckdbPathProblem(this.file)) return undefined;
      const files = listFiles(this.dir);
      if (files.length === 0) return undefined;
      const r = await catchUp(this.dir, { waitMs: 2000 });
      return r.ok || r.held ? undefined : r.why;
    });
  }

  /** Resolves once every use queued so far is done. */
  async settled(): Promise<void> {
    await this.chain.catch(() => {});
  }

  private inTurn<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => {});
    return next;
  }
}
