import { diag } from '@opentelemetry/api';
import type { DropCounter } from '../dropCounter.js';
import { emptyCounts, withStoreLock, type Chunk, type DuckDbStore, type Signal } from './DuckDbStore.js';
import { isLockError } from './sqlPaths.js';

export interface DuckDbWriterOptions {
  /** Load what has arrived at most this often (ms). */
  intervalMillis: number;
  /** Past this many bytes waiting, load at once. */
  batchBytes: number;
  /** Past this many bytes waiting (the database cannot keep up), stop holding more. */
  maxPendingBytes: number;
  drops?: DropCounter;
  /**
   * Runs with the store open after each load: loads what the JSONL files hold that the database does
   * not (with files on, that is all there is to load). Resolves to the rows it loaded.
   */
  catchUp?: (store: DuckDbStore) => Promise<Record<Signal, number>>;
}

export const DEFAULT_DUCKDB_WRITER: Omit<DuckDbWriterOptions, 'drops' | 'catchUp'> = {
  intervalMillis: 1000, batchBytes: 16 * 1024 ** 2, maxPendingBytes: 256 * 1024 ** 2,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The agent's own DuckDB loads (option `duckdb: 'live'`, or the database as the only store with
 * `jsonl: false`): at most every `intervalMillis`, off the hot path, it opens telemetry.duckdb, loads
 * what is new, and closes it again, so readers and other agents are never locked out for longer than
 * one load. When another process has the file at that moment the load waits for the next turn; rows
 * with no JSONL copy wait in memory up to `maxPendingBytes` and are counted as dropped past it.
 */
export class DuckDbWriter {
  private pending: Chunk[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private closed = false;
  private dirty = false;
  private warned = false;
  /** Rows loaded so far, per signal. */
  readonly loaded = emptyCounts();
  /** Time of the last successful load. */
  lastLoadAt: Date | undefined;
  /** Set once data could not be loaded: the database lags behind the JSONL files. */
  lagging = false;

  constructor(readonly store: DuckDbStore, private readonly opts: DuckDbWriterOptions) {
    store.quiet = true;
  }

  /** Rows with no JSONL copy (the DuckDB exporters). */
  add(chunk: Chunk): void {
    if (this.closed) return this.countUnsaved([chunk], 'export_failed', 'closed');
    if (this.pendingBytes + chunk.buf.length > this.opts.maxPendingBytes) {
      return this.discard([chunk], `more than ${this.opts.maxPendingBytes} bytes waiting for DuckDB`);
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.buf.length;
    if (this.pendingBytes >= this.opts.batchBytes) void this.flush();
    else this.schedule();
  }

  /**
   * Checks `changed()` every `intervalMillis` and catches up when it says the files grew: the agent's
   * hot path is not involved at all.
   */
  watch(changed: () => boolean): void {
    clearInterval(this.watcher);
    this.watcher = setInterval(() => { if (changed()) this.poke(); }, this.opts.intervalMillis);
    this.watcher.unref();
  }

  /** The JSONL files grew: catch up at the next turn. */
  poke(): void {
    if (this.closed) return;
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, this.opts.intervalMillis);
    this.timer.unref();
  }

  /** Loads everything added so far. Never rejects. */
  async flush(waitMs = 0): Promise<void> {
    while (this.loading) await this.loading;
    if (this.pending.length === 0 && !this.dirty) return;
    this.loading = withStoreLock(this.store.file, () => this.load(waitMs)).finally(() => { this.loading = undefined; });
    await this.loading;
  }

  private async load(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (let pause = 50; !(await this.store.open()); pause = Math.min(pause * 2, 500)) {
      const held = isLockError(this.store.openError);
      if (!held) return this.discard(this.take(), this.store.unavailable ?? 'unavailable');
      if (Date.now() + pause > deadline) {
        // Held by another process for now (a query, an ingest): the rows wait for the next turn.
        this.behind(this.store.unavailable ?? 'in use');
        if (!this.closed) this.schedule();
        return;
      }
      await sleep(pause);
    }
    const chunks = this.take();
    this.dirty = false;
    try {
      const n = await this.store.load(chunks);
      const m = this.opts.catchUp ? await this.opts.catchUp(this.store) : emptyCounts();
      for (const s of Object.keys(this.loaded) as Signal[]) this.loaded[s] += n[s] + m[s];
      this.lastLoadAt = new Date();
      this.lagging = false;
    } catch (err) {
      this.discard(chunks, (err as Error).message);
    } finally {
      await this.store.release();
    }
  }

  private take(): Chunk[] {
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return chunks;
  }

  /**
   * Process exit, where no load can run any more: rows in the JSONL files stay there for the next
   * reader; rows with no JSONL copy are counted as dropped (exit_unsent).
   */
  abandonAtExit(): void {
    const chunks = this.take();
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.watcher);
    this.countUnsaved(chunks, 'exit_unsent', 'still waiting to be loaded at exit');
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    clearInterval(this.watcher);
    this.timer = undefined;
    this.closed = true;
    this.dirty = true; // whatever the files gained since the last turn
    await this.flush(2000); // a reader holds the file for one query at most
    const left = this.take();
    if (left.length) this.discard(left, this.store.unavailable ?? 'the database could not be opened before shutdown');
    await this.store.close();
  }

  private behind(why: string): void {
    if (!this.warned) diag.warn(`agent-otel: ${why}; telemetry still goes to the JSONL files, and DuckDB catches up at its next turn`);
    this.warned = true;
    this.lagging = true;
  }

  private discard(chunks: Chunk[], why: string): void {
    this.behind(`DuckDB is behind (${why})`);
    this.countUnsaved(chunks, 'export_failed', why);
  }

  private countUnsaved(chunks: Chunk[], reason: string, why: string): void {
    for (const c of chunks) {
      if (c.file) continue; // the JSONL file has these rows
      const rows = c.buf.reduce((n, b) => (b === 10 ? n + 1 : n), 0);
      this.opts.drops?.add(c.signal === 'spans' ? 'spans' : 'metric_points', reason, rows, `DuckDB: ${why}`);
    }
  }
}
