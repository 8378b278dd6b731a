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

/** An exporter of spans or log records that can also write synchronously, for the last items at process exit. */
export interface QueueExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  exportSync?(items: T[]): void;
  shutdown(): Promise<void>;
}

/** Counts dropped items: `queue_full`, `export_failed`, `exit_unsent`. */
export type DropSink = (reason: string, n: number, detail: string) => void;

/**
 * The SDK's batch processors, plus what they lack here: every dropped item is counted (queue full,
 * failed or timed-out export) instead of only logged, and `flushSync()` writes what is still queued when
 * the process exits, where promises no longer run. One export at a time, under suppressed tracing.
 * The span and log processors are thin subclasses (ExportQueueProcessor, LogExportQueue).
 */
export class ExportQueue<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private exporting: Promise<void> | undefined;
  private isShutdown = false;
  /** Items handed to the exporter whose export has not answered yet. */
  private inFlight = 0;
  /** Items handed to this queue so far (the exit hooks flush only when something happened). */
  seen = 0;

  constructor(
    private readonly exporter: QueueExporter<T>,
    private readonly opts: QueueOptions,
    private readonly drop: DropSink,
    readonly name: string,
    /** What an item is called in messages: `spans`, `records`. */
    private readonly noun: string,
  ) {}

  /** Items waiting to be exported. */
  get queueDepth(): number { return this.queue.length; }

  protected enqueue(item: T): void {
    if (this.isShutdown) return;
    this.seen++;
    if (this.queue.length >= this.opts.maxQueueSize) {
      this.drop('queue_full', 1, `${this.name} queue holds ${this.opts.maxQueueSize} ${this.noun}`);
      return;
    }
    this.queue.push(item);
    if (this.queue.length >= this.opts.maxExportBatchSize) this.kick(0);
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
    const items = this.queue;
    this.queue = [];
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
        while (this.queue.length > 0) await this.exportBatch(this.opts.drainAll ? this.takeAll() : this.queue.splice(0, this.opts.maxExportBatchSize));
      })().finally(() => { this.exporting = undefined; });
    }
    return this.exporting;
  }

  private takeAll(): T[] {
    const all = this.queue;
    this.queue = [];
    return all;
  }

  private exportBatch(batch: T[]): Promise<void> {
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
