import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { QueueOptions } from '../pipeline/ExportQueueProcessor.js';
import type { LogDrops } from './LogDrops.js';

/** An exporter that can also write synchronously, for the last records at process exit. */
export type MaybeSyncLogExporter = LogRecordExporter & { exportSync?(records: ReadableLogRecord[]): void };

/**
 * The log-record twin of ExportQueueProcessor: a bounded queue (past it, records are dropped and
 * counted), batches exported one at a time under suppressed tracing, failed or timed-out exports
 * counted, and `flushSync()` for process exit, where promises no longer run.
 */
export class LogExportQueue implements LogRecordProcessor {
  private queue: ReadableLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private exporting: Promise<void> | undefined;
  private isShutdown = false;
  private inFlight = 0;
  /** Records handed to this queue so far (the exit hooks flush only when something happened). */
  seen = 0;

  constructor(
    private readonly exporter: MaybeSyncLogExporter,
    private readonly opts: QueueOptions,
    private readonly drops: LogDrops,
    readonly name = 'logs',
  ) {}

  get queueDepth(): number { return this.queue.length; }

  onEmit(record: ReadWriteLogRecord): void {
    if (this.isShutdown) return;
    this.seen++;
    if (this.queue.length >= this.opts.maxQueueSize) {
      this.drops.add('queue_full', 1, `${this.name} queue holds ${this.opts.maxQueueSize} records`);
      return;
    }
    this.queue.push(record as ReadableLogRecord);
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

  /** Process exit: writes what is queued now, or counts it (exit_unsent) when the exporter cannot. */
  flushSync(): void {
    const records = this.queue;
    this.queue = [];
    if (!this.exporter.exportSync) {
      this.drops.add('exit_unsent', records.length + this.inFlight, `${this.name}: not sent at exit`);
      this.inFlight = 0;
      return;
    }
    try {
      this.exporter.exportSync(records);
    } catch (err) {
      this.drops.add('export_failed', records.length, (err as Error).message);
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

  private drain(): Promise<void> {
    if (!this.exporting) {
      this.exporting = (async () => {
        while (this.queue.length > 0) {
          const batch = this.opts.drainAll ? this.queue : this.queue.slice(0, this.opts.maxExportBatchSize);
          this.queue = this.opts.drainAll ? [] : this.queue.slice(batch.length);
          await this.exportBatch(batch);
        }
      })().finally(() => { this.exporting = undefined; });
    }
    return this.exporting;
  }

  private exportBatch(batch: ReadableLogRecord[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      this.inFlight = batch.length;
      const settle = (ok: boolean, error?: Error) => {
        if (settled) return;
        settled = true;
        this.inFlight = 0;
        clearTimeout(timeout);
        if (!ok) this.drops.add('export_failed', batch.length, `${this.name}: ${error?.message ?? 'timeout'}`);
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
