import { diag } from '@opentelemetry/api';
import type { DropCounter } from '../dropCounter.js';
import type { Chunk, DuckDbStore } from './DuckDbStore.js';

export interface DuckDbWriterOptions {
  /** Load what has arrived at most this often (ms). */
  intervalMillis: number;
  /** Past this many bytes waiting, load at once. */
  batchBytes: number;
  /** Past this many bytes waiting (the database cannot keep up), stop holding more. */
  maxPendingBytes: number;
  drops?: DropCounter;
}

export const DEFAULT_DUCKDB_WRITER: Omit<DuckDbWriterOptions, 'drops'> = {
  intervalMillis: 1000, batchBytes: 16 * 1024 ** 2, maxPendingBytes: 256 * 1024 ** 2,
};

/**
 * Collects NDJSON chunks and loads them into the DuckDB store in large batches, one load at a time,
 * off the agent's hot path. Chunks that also went to a JSONL file are never lost when a load fails:
 * the database just lags behind the files (and `agent-otel ingest` catches it up); chunks with no JSONL
 * copy are counted as dropped.
 */
export class DuckDbWriter {
  private pending: Chunk[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private closed = false;
  /** JSONL files some of whose bytes were not loaded: `ingest` catches them up, this writer leaves them. */
  private readonly behind = new Set<string>();
  /** Rows loaded so far, per signal. */
  readonly loaded = { spans: 0, metrics: 0 };
  /** Time of the last successful load. */
  lastLoadAt: Date | undefined;
  /** Set once data could not be loaded: the database lags behind the JSONL files. */
  lagging = false;

  constructor(readonly store: DuckDbStore, private readonly opts: DuckDbWriterOptions) {}

  add(chunk: Chunk): void {
    if (this.closed || this.store.unavailable) return this.discard([chunk], this.store.unavailable ?? 'closed');
    // Once bytes of a file were not loaded, its later bytes must not be either: the bookkeeping counts
    // bytes from the start of the file, and `ingest` loads the rest from there.
    if (chunk.file && this.behind.has(chunk.file)) return;
    if (this.pendingBytes + chunk.buf.length > this.opts.maxPendingBytes) {
      return this.discard([chunk], `more than ${this.opts.maxPendingBytes} bytes waiting for DuckDB`);
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.buf.length;
    if (this.pendingBytes >= this.opts.batchBytes) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, this.opts.intervalMillis);
      this.timer.unref();
    }
  }

  /** Loads everything added so far. Never rejects. */
  async flush(): Promise<void> {
    while (this.loading) await this.loading;
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.loading = this.store.load(chunks).then((n) => {
      this.loaded.spans += n.spans;
      this.loaded.metrics += n.metrics;
      this.lastLoadAt = new Date();
    }, (err: Error) => this.discard(chunks, err.message)).finally(() => { this.loading = undefined; });
    await this.loading;
  }

  /**
   * Process exit, where no load can run any more: rows that also went to a JSONL file stay there for
   * `agent-otel ingest`; rows with no JSONL copy are counted as dropped (exit_unsent).
   */
  abandonAtExit(): void {
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.closed = true;
    this.countUnsaved(chunks, 'exit_unsent', 'still waiting to be loaded at exit');
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    await this.flush();
    this.closed = true;
    await this.store.close();
  }

  private discard(chunks: Chunk[], why: string): void {
    // An unavailable store has already said why, once.
    if (!this.lagging && !this.store.unavailable) diag.warn(`agent-otel: DuckDB is behind the JSONL files (${why}); run \`agent-otel ingest\` to catch up`);
    this.lagging = true;
    this.countUnsaved(chunks, 'export_failed', why);
  }

  private countUnsaved(chunks: Chunk[], reason: string, why: string): void {
    for (const c of chunks) {
      if (c.file) { this.behind.add(c.file); continue; } // the JSONL file has these rows
      let rows = 0;
      for (let i = c.buf.indexOf(10); i !== -1; i = c.buf.indexOf(10, i + 1)) rows++;
      this.opts.drops?.add(c.signal === 'spans' ? 'spans' : 'metric_points', reason, rows, `DuckDB: ${why}`);
    }
  }
}
