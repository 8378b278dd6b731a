import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';

export interface QueueOptions {
  /** Items (spans, log records) held while waiting for export; past this they are dropped and counted. */
  maxQueueSize: number;
  /** Items per export call; a full batch is exported at once. */
  maxExportBatchSize: number;
  /** A partial batch waits at most this long (a local file is cheap: keep `tail` live). */
  scheduledDelayMillis: number;
  /** A single export taking longer than this is given up (and its items counted as dropped). */
  exportTimeoutMillis: number;
  /**
   * Export everything queued at once, not one batch at a time (local files: a bigger write costs no
   * more per item, and with one export in flight a backlog could otherwise never be worked off).
   */
  drainAll?: boolean;
}

/** The options' names, for the config's checks of a queue option object. */
export const QUEUE_KEYS = ['maxQueueSize', 'maxExportBatchSize', 'scheduledDelayMillis', 'exportTimeoutMillis'] as const;

/** The queue every signal gets unless configured (the SDK's batch processor defaults, but a 16k queue). */
export const DEFAULT_QUEUE: QueueOptions = {
  maxQueueSize: 16384,
  maxExportBatchSize: 1024,
  scheduledDelayMillis: 500,
  exportTimeoutMillis: 30_000,
};

/** What one export hands over: the items, or what a backlog made of them (RowBuffer: their encoded rows). */
export interface Batch { readonly length: number }

/**
 * Where a queue holds its items until they are exported. The default keeps the items themselves; an
 * exporter may bring its own (`QueueExporter.backlog`) that encodes each item as it arrives, so that
 * no item (a span with its attributes, times, context) stays alive until its export.
 */
export interface Backlog<T, B extends Batch> {
  /** Items held. */
  readonly length: number;
  /** No room for another item (`maxQueueSize` items, or a bound of the backlog's own). */
  readonly full: boolean;
  /** Keeps the item; one it cannot encode it counts itself (`serialize_failed`) or throws for (then counted by the queue). */
  push(item: T): void;
  /** Removes and returns at most `max` items, or all of them when they cannot be split (encoded rows: one write). */
  take(max: number): B;
}

/** An exporter of spans or log records that can also write synchronously, for the last items at process exit. */
export interface QueueExporter<T, B extends Batch = T[]> {
  export(batch: B, resultCallback: (result: ExportResult) => void): void;
  exportSync?(batch: B): void;
  shutdown(): Promise<void>;
  /** The backlog of this exporter's queue, if not the items themselves (the exporter then gets its batches). */
  backlog?(maxItems: number): Backlog<T, B>;
}

/** Counts dropped items: `queue_full`, `serialize_failed`, `export_failed`, `exit_unsent`. */
export type DropSink = (reason: string, n: number, detail: string) => void;

/**
 * The SDK's batch processors, plus what they lack here: every dropped item is counted (queue full,
 * failed or timed-out export) instead of only logged, and `flushSync()` writes what is still queued when
 * the process exits, where promises no longer run. One export at a time, under suppressed tracing.
 * What it holds is its Backlog's: the items, or (JSONL) their rows. The span and log processors are
 * thin subclasses (ExportQueueProcessor, LogExportQueue).
 */
export class ExportQueue<T, B extends Batch = T[]> {
  private readonly backlog: Backlog<T, B>;
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private exporting: Promise<void> | undefined;
  private isShutdown = false;
  /** Items handed to the exporter whose export has not answered yet. */
  private inFlight = 0;
  /** Items handed to this queue so far (the exit hooks flush only when something happened). */
  seen = 0;

  constructor(
    private readonly exporter: QueueExporter<T, B>,
    private readonly opts: QueueOptions,
    private readonly drop: DropSink,
    readonly name: string,
    /** What an item is called in messages: `spans`, `records`. */
    private readonly noun: string,
  ) {
    // Without a backlog of its own, the exporter takes the items themselves (B is T[]).
    this.backlog = exporter.backlog?.(opts.maxQueueSize) ?? (new Items<T>(opts.maxQueueSize) as unknown as Backlog<T, B>);
  }

  /** Items waiting to be exported. */
  get queueDepth(): number { return this.backlog.length; }

  protected enqueue(item: T): void {
    if (this.isShutdown) return;
    this.seen++;
    if (this.backlog.full) {
      this.drop('queue_full', 1, `${this.name} queue is full (${this.backlog.length} ${this.noun} held)`);
      return;
    }
    try {
      this.backlog.push(item);
    } catch (err) {
      this.drop('serialize_failed', 1, `${this.name}: ${(err as Error).message}`);
      return;
    }
    if (this.backlog.length >= this.opts.maxExportBatchSize) this.kick(0);
    else if (!this.timer) this.kick(this.opts.scheduledDelayMillis);
  }

  forceFlush(): Promise<void> {
    return this.drain();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    await this.drain();
    this.isShutdown = true;
    clearTimeout(this.timer);
    await this.exporter.shutdown();
  }

  /**
   * Process exit: synchronously hand what is queued to an exporter that can write it now; what an
   * exporter cannot send any more (OTLP, DuckDB without files) is counted as dropped (exit_unsent).
   */
  flushSync(): void {
    const items = this.backlog.take(Infinity);
    if (!this.exporter.exportSync) {
      // the batch in flight too: its answer will never come
      this.drop('exit_unsent', items.length + this.inFlight, `${this.name}: not sent at exit`);
      this.inFlight = 0;
      return;
    }
    try {
      this.exporter.exportSync(items);
    } catch (err) {
      this.drop('export_failed', items.length, (err as Error).message);
    }
  }

  private kick(delay: number): void {
    if (this.timer) {
      if (delay > 0 || this.timerIsImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerIsImmediate = delay === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delay);
    this.timer.unref();
  }

  /** Exports batches until the queue is empty; concurrent callers share the one run. */
  private drain(): Promise<void> {
    if (!this.exporting) {
      this.exporting = (async () => {
        while (this.backlog.length > 0) await this.exportBatch(this.backlog.take(this.opts.drainAll ? Infinity : this.opts.maxExportBatchSize));
      })().finally(() => { this.exporting = undefined; });
    }
    return this.exporting;
  }

  private exportBatch(batch: B): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      this.inFlight = batch.length;
      const settle = (ok: boolean, error?: Error) => {
        if (settled) return;
        settled = true;
        this.inFlight = 0;
        clearTimeout(timeout);
        if (!ok) this.drop('export_failed', batch.length, `${this.name}: ${error?.message ?? 'timeout'}`);
        resolve();
      };
      const timeout = setTimeout(() => settle(false, new Error(`export timed out after ${this.opts.exportTimeoutMillis} ms`)),
        this.opts.exportTimeoutMillis);
      timeout.unref();
      context.with(suppressTracing(context.active()), () => {
        try {
          this.exporter.export(batch, (r) => settle(r.code === ExportResultCode.SUCCESS, r.error));
        } catch (err) {
          diag.error(`agent-otel: ${this.name} exporter threw`, err);
          settle(false, err as Error);
        }
      });
    });
  }
}

/** The default backlog: the items themselves, in the order they came. */
class Items<T> implements Backlog<T, T[]> {
  private items: T[] = [];

  constructor(private readonly maxItems: number) {}

  get length(): number { return this.items.length; }
  get full(): boolean { return this.items.length >= this.maxItems; }

  push(item: T): void { this.items.push(item); }

  take(max: number): T[] {
    if (max < this.items.length) return this.items.splice(0, max);
    const all = this.items;
    this.items = [];
    return all;
  }
}
