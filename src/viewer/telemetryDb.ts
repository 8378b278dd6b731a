import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbPathProblem, isLockError, lit } from '../../exporters/duckdb/index.js';
import { DUCKDB_FILE } from '../../semconv/schema.js';
import { listFiles } from '../query/files.js';
import { catchUp } from '../query/ingest.js';
import { QuerySession, type Source } from '../query/session.js';
import type { ConnectionPool } from './pool.js';

const DB_ALIAS = 'viewer_store';

/**
 * The viewer's use of a directory's telemetry.duckdb: attached only while it is read and detached at
 * once, so an agent starting later can still open it for writing. A catch-up (this process writing it)
 * waits for every read and holds back those after it; reads through the pool (one alias) go one at a
 * time, query sessions (an instance of their own each) alongside them. The last query session is kept,
 * detached, for the next request while nothing changed.
 */
export class TelemetryDb {
  readonly file: string;
  /** The last catch-up queued, reads under way (or waiting), the pool's reads one after another. */
  private writing: Promise<unknown> = Promise.resolve();
  private readonly reading = new Set<Promise<unknown>>();
  private poolChain: Promise<unknown> = Promise.resolve();
  /**
   * The last query session, detached from the file between uses and used again while neither the files
   * nor the database changed (opening one costs ~0.3 s: views, catalog); `busy` while a request has it.
   */
  private kept: { key: string; session: QuerySession; busy: boolean } | undefined;

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
    return this.asReader(() => this.inPoolTurn(async (): Promise<T | string> => {
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
    }));
  }

  /**
   * A query session (src/query/session.ts: the views, runs from the database's runs table) over the
   * database as it is plus what the files hold beyond it, open for `fn` only; undefined when it cannot
   * be opened (no database with source `duckdb`, …: the caller answers otherwise).
   */
  session<T>(source: Source, fn: (s: QuerySession) => Promise<T>): Promise<T | undefined> {
    return this.asReader(async () => {
      const key = `${source}|${listFiles(this.dir).map((f) => `${f.rel}:${f.size}`).join(',')}|${this.signature() ?? '-'}`;
      let kept = this.kept?.key === key && !this.kept.busy ? this.kept : undefined;
      if (kept) {
        kept.busy = true;
        try {
          await kept.session.resume();
        } catch {
          this.drop(kept); // held by a writer now, …: a new session reads what it can
          kept = undefined;
        }
      }
      if (!kept) {
        let s: QuerySession;
        try {
          s = await QuerySession.open(this.dir, source, { catchUp: false });
        } catch {
          return undefined;
        }
        if (this.kept?.busy) { // another request has the kept one: this one is for this request only
          try {
            return await fn(s);
          } finally {
            s.close();
          }
        }
        if (this.kept) this.drop(this.kept);
        kept = this.kept = { key, session: s, busy: true };
      }
      try {
        return await fn(kept.session);
      } finally {
        try {
          await kept.session.suspend();
          kept.busy = false;
        } catch {
          this.drop(kept);
        }
      }
    });
  }

  private drop(kept: { session: QuerySession }): void {
    kept.session.close();
    if (this.kept === kept) this.kept = undefined;
  }

  /** Closes the kept session (after `settled`). */
  close(): void {
    if (this.kept) this.drop(this.kept);
  }

  /**
   * Brings telemetry.duckdb up to date with the files (it is their materialized view), holding it for
   * that one ingest; in turn with this viewer's own reads of it. Resolves to why it could not, when
   * that is worth saying (another process holding it for a moment is not).
   */
  catchUp(): Promise<string | undefined> {
    return this.asWriter(async (): Promise<string | undefined> => {
      if (duckdbPathProblem(this.file)) return undefined;
      const files = listFiles(this.dir);
      if (files.length === 0) return undefined;
      const r = await catchUp(this.dir, { waitMs: 2000 });
      return r.ok || r.held ? undefined : r.why;
    });
  }

  /** Resolves once every use queued so far is done. */
  async settled(): Promise<void> {
    await Promise.all([this.writing, ...this.reading]);
  }

  private asReader<T>(run: () => Promise<T>): Promise<T> {
    const next = this.writing.then(run, run);
    const done = next.catch(() => {});
    this.reading.add(done);
    void done.then(() => this.reading.delete(done));
    return next;
  }

  private asWriter<T>(run: () => Promise<T>): Promise<T> {
    const next = Promise.all([this.writing, ...this.reading]).then(run, run);
    this.writing = next.catch(() => {});
    return next;
  }

  private inPoolTurn<T>(run: () => Promise<T>): Promise<T> {
    const next = this.poolChain.then(run, run);
    this.poolChain = next.catch(() => {});
    return next;
  }
}
