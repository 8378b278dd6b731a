import { context, diag, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DropCounter } from '../../exporters/dropCounter.js';

export interface QueueOptions {
  /** Spans held while waiting for export; past this they are dropped and counted. */
  maxQueueSize: number;
  /** Spans per export call; a full batch is exported at once. */
  maxExportBatchSize: number;
  /** A partial batch waits at most this long (a local file is cheap: keep `tail` live). */
  scheduledDelayMillis: number;
  /** A single export taking longer than this is given up (and its spans counted as dropped). */
  exportTimeoutMillis: number;
  /**
   * Export everything queued at once, not one batch at a time (local files: a bigger write costs no
   * more per span, and with one export in flight a backlog could otherwise never be worked off).
   */
  drainAll?: boolean;
}

/** An exporter that can also write synchronously, for the last spans at process exit. */
type MaybeSyncExporter = SpanExporter & { exportSync?(spans: ReadableSpan[]): void };

/**
 * The SDK's BatchSpanProcessor, plus what it lacks here: every dropped span is counted (queue full or
 * failed export) instead of only logged, and `flushSync()` writes what is still queued when the
 * process exits, where promises no longer run. One export at a time, under suppressed tracing.
 */
export class ExportQueueProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerIsImmediate = false;
  private exporting: Promise<void> | undefined;
  private isShutdown = false;
  /** Spans handed to the exporter whose export has not answered yet. */
  private inFlight = 0;

  constructor(
    private readonly exporter: MaybeSyncExporter,
    private readonly opts: QueueOptions,
    private readonly drops: DropCounter,
    private readonly name = 'spans',
  ) {}

  /** Spans handed to this processor so far (to tell whether anything happened since a flush). */
  spansSeen = 0;

  /** Spans waiting to be exported. */
  get queueDepth(): number { return this.queue.length; }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.spansSeen++;
    if (this.queue.length >= this.opts.maxQueueSize) {
      this.drops.add('spans', 'queue_full', 1, `${this.name} queue holds ${this.opts.maxQueueSize} spans`);
      return;
    }
    this.queue.push(span);
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
    const spans = this.queue;
    this.queue = [];
    if (!this.exporter.exportSync) {
      // the batch in flight too: its answer will never come
      this.drops.add('spans', 'exit_unsent', spans.length + this.inFlight, `${this.name}: not sent at exit`);
      this.inFlight = 0;
      return;
    }
    try {
      this.exporter.exportSync(spans);
    } catch (err) {
      this.drops.add('spans', 'export_failed', spans.length, (err as Error).message);
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

  private takeAll(): ReadableSpan[] {
    const all = this.queue;
    this.queue = [];
    return all;
  }

  private exportBatch(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      this.inFlight = batch.length;
      const settle = (ok: boolean, error?: Error) => {
        if (settled) return;
        settled = true;
        this.inFlight = 0;
        clearTimeout(timeout);
        if (!ok) this.drops.add('spans', 'export_failed', batch.length, `${this.name}: ${error?.message ?? 'timeout'}`);
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
