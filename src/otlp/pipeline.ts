import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  PeriodicExportingMetricReader, type AggregationOption, type AggregationTemporality, type InstrumentType,
  type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { DropCounter } from '../../exporters/dropCounter.js';
import type { OtlpProtocol, ResolvedOtlp } from '../config.js';
import { ExportQueueProcessor, type QueueOptions } from '../pipeline/ExportQueueProcessor.js';
import { ProtoTraceExporter } from './ProtoTraceExporter.js';

/** Longest a flush or shutdown waits for the OTLP endpoint, retries included. */
export const OTLP_DRAIN_TIMEOUT_MS = 5000;
/** Span export requests in flight at once (each up to maxExportBatchSize spans). */
export const OTLP_MAX_INFLIGHT = 4;

export interface OtlpExporterOptions {
  url: string;
  protocol: OtlpProtocol;
  headers?: Record<string, string>;
  timeoutMillis?: number;
}

/**
 * The OTLP/HTTP trace exporter for a protocol: http/json is the official exporter; http/protobuf is the
 * official transport with this package's span encoder (same bytes on the wire, a fraction of the CPU).
 * Both retry with backoff and read the OTLP env vars for headers, TLS and compression.
 */
export function createOtlpTraceExporter(o: OtlpExporterOptions): SpanExporter {
  const config = { url: o.url, headers: o.headers, timeoutMillis: o.timeoutMillis, concurrencyLimit: OTLP_MAX_INFLIGHT + 2 };
  return o.protocol === 'http/json' ? new JsonTraceExporter(config) : new ProtoTraceExporter(config);
}

/** The official OTLP/HTTP metric exporter, with cumulative temporality (what Prometheus-style backends expect). */
export function createOtlpMetricExporter(o: OtlpExporterOptions): PushMetricExporter {
  const config = {
    url: o.url, headers: o.headers, timeoutMillis: o.timeoutMillis, concurrencyLimit: 2,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  };
  return o.protocol === 'http/json' ? new JsonMetricExporter(config) : new ProtoMetricExporter(config);
}

/**
 * Remembers whether the endpoint answered the last export, and bounds flushes: while the handle flushes
 * or shuts down, an endpoint that just failed is not retried again (its exports fail at once and are
 * counted), and every export, including one already retrying, gives up at the drain deadline. Outside
 * flushes, exports retry with backoff for as long as the exporter's timeout allows.
 */
export class OtlpGuard {
  lastFailed = false;
  private draining = 0;
  private deadline = 0;
  private readonly inflight = new Set<(error: Error) => void>();

  constructor(private readonly drainTimeoutMillis = OTLP_DRAIN_TIMEOUT_MS) {}

  /** Runs `fn` (a flush or shutdown) with exports bounded by the drain deadline. */
  async whileDraining<T>(fn: () => Promise<T>): Promise<T> {
    if (this.draining++ === 0) {
      this.deadline = Date.now() + this.drainTimeoutMillis;
      for (const fail of this.inflight) this.armDeadline(fail);
    }
    try {
      return await fn();
    } finally {
      this.draining--;
    }
  }

  /** Calls `start(done)`, makes sure `done` is called once, within the drain deadline while draining. */
  run(start: (done: (r: ExportResult) => void) => void, done: (r: ExportResult) => void): void {
    if (this.draining && this.lastFailed) {
      done({ code: ExportResultCode.FAILED, error: new Error('endpoint unreachable during flush: not retried') });
      return;
    }
    let settled = false;
    const finish = (r: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.inflight.delete(fail);
      this.lastFailed = r.code !== ExportResultCode.SUCCESS;
      done(r);
    };
    const fail = (error: Error): void => finish({ code: ExportResultCode.FAILED, error });
    this.inflight.add(fail);
    if (this.draining) this.armDeadline(fail);
    try {
      start(finish);
    } catch (err) {
      fail(err as Error);
    }
  }

  /** Resolves when `p` does, or at the drain deadline. */
  bounded(p: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, this.drainTimeoutMillis);
      t.unref();
      p.then(() => resolve(), (err) => { diag.debug('agent-otel: OTLP exporter shutdown', err); resolve(); })
        .finally(() => clearTimeout(t));
    });
  }

  private armDeadline(fail: (error: Error) => void): void {
    const t = setTimeout(() => fail(new Error(`export gave up at flush/shutdown after ${this.drainTimeoutMillis} ms`)),
      Math.max(0, this.deadline - Date.now()));
    t.unref();
  }
}

/**
 * The OTLP span exporter as its ExportQueueProcessor sees it. The OTLP exporter encodes a batch inside
 * `export()`, so the batch is acknowledged as soon as it is encoded and handed to the transport: the
 * queue moves on and the spans can be garbage collected young, instead of waiting in the queue for the
 * request before them (long-lived spans cost more GC than encoding them). Up to `maxInflight` requests
 * are in flight, each retried with backoff by the exporter; beyond that the acknowledgement waits, so the
 * queue fills and counts what it cannot hold. A request that finally fails is counted here.
 */
export class PipelinedSpanExporter implements SpanExporter {
  private inflight = 0;
  /** Spans of the requests in flight that the queue was told are sent (acknowledged, not yet delivered). */
  private inflightSpans = 0;
  private abandoned = false;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(readonly inner: SpanExporter, private readonly guard: OtlpGuard, private readonly drops: DropCounter,
    private readonly name: string, private readonly maxInflight = OTLP_MAX_INFLIGHT) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const n = spans.length;
    if (this.abandoned) {
      this.drops.add('spans', 'exit_unsent', n, `${this.name}: the process is exiting`);
      return resultCallback({ code: ExportResultCode.SUCCESS });
    }
    // Until acknowledged, the spans are the queue's (it counts them at exit); after, they are ours.
    let acked = false;
    let finished = false;
    this.inflight++;
    this.guard.run((done) => this.inner.export(spans, done), (r) => {
      if (this.abandoned) return; // counted by abandonAtExit()
      finished = true;
      if (acked) this.inflightSpans -= n;
      if (r.code !== ExportResultCode.SUCCESS) this.drops.add('spans', 'export_failed', n, `${this.name}: ${r.error?.message ?? 'failed'}`);
      this.inflight--;
      this.slotWaiters.shift()?.();
      if (this.inflight === 0) for (const f of this.idleWaiters.splice(0)) f();
    });
    const ack = () => {
      acked = true;
      if (!finished) this.inflightSpans += n;
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    if (this.inflight <= this.maxInflight) ack();
    else this.slotWaiters.push(ack);
  }

  /**
   * Process exit: the requests in flight will never be answered (nothing asynchronous runs any more).
   * Their spans are counted as dropped, once; later exports are counted at once.
   */
  abandonAtExit(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.drops.add('spans', 'exit_unsent', this.inflightSpans, `${this.name}: requests still in flight at exit`);
    this.inflightSpans = 0;
  }

  /** Resolves when no request is in flight. */
  settled(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  forceFlush(): Promise<void> {
    return this.guard.bounded(this.settled());
  }

  async shutdown(): Promise<void> {
    await this.guard.bounded(this.settled());
    await this.guard.bounded(this.inner.shutdown());
  }
}

function countPoints(metrics: ResourceMetrics): number {
  let n = 0;
  for (const sm of metrics.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

/**
 * A metric exporter behind the guard that counts the data points it could not deliver (in
 * `agent_otel.metric_points.dropped` and `health()`, logged once) and then reports success to the
 * reader, so an unreachable collector is one warning, not an error every export interval.
 */
export class CountingMetricExporter implements PushMetricExporter {
  constructor(readonly inner: PushMetricExporter, private readonly guard: OtlpGuard, private readonly drops: DropCounter,
    private readonly timeoutMillis: number) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let answered = false;
    const answer = (r: ExportResult) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (r.code !== ExportResultCode.SUCCESS) {
        this.drops.add('metric_points', 'export_failed', countPoints(metrics), `otlp metrics: ${r.error?.message ?? 'failed'}`);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    // Answer before the reader's own timeout would, so the drop is counted here and not logged as an error there.
    const timer = setTimeout(() => answer({ code: ExportResultCode.FAILED, error: new Error(`no answer within ${this.timeoutMillis} ms`) }),
      this.timeoutMillis);
    timer.unref();
    this.guard.run((done) => this.inner.export(metrics, done), answer);
  }

  forceFlush(): Promise<void> {
    return this.guard.bounded(this.inner.forceFlush());
  }

  shutdown(): Promise<void> {
    return this.guard.bounded(this.inner.shutdown());
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation!(instrumentType);
  }
}

/** What registerTelemetry adds for OTLP: a span queue (drops counted) and a periodic metric reader. */
export interface OtlpPipeline {
  guard: OtlpGuard;
  spanProcessor?: ExportQueueProcessor;
  /** Resolves when no span export request is in flight (call inside guard.whileDraining to bound it). */
  settled(): Promise<void>;
  /** Process exit: counts the spans of requests still in flight as dropped (exit_unsent). */
  abandonAtExit(): void;
  metricReader?: PeriodicExportingMetricReader;
  /** For `health()`: where each signal goes. */
  info: { traces?: string; metrics?: string; protocol: ResolvedOtlp['protocol'] };
}

export function createOtlpPipeline(cfg: ResolvedOtlp, queue: QueueOptions, drops: DropCounter, metricIntervalMillis: number): OtlpPipeline {
  const guard = new OtlpGuard();
  const common = { headers: cfg.headers, timeoutMillis: cfg.timeoutMillis };
  const spanExporter = cfg.tracesUrl ? new PipelinedSpanExporter(
    createOtlpTraceExporter({ ...common, url: cfg.tracesUrl, protocol: cfg.protocol.traces }), guard, drops, `otlp ${cfg.tracesUrl}`,
  ) : undefined;
  const spanProcessor = spanExporter ? new ExportQueueProcessor(spanExporter, queue, drops, `otlp ${cfg.tracesUrl}`) : undefined;
  let metricReader: PeriodicExportingMetricReader | undefined;
  if (cfg.metricsUrl) {
    const exportTimeoutMillis = Math.min(metricIntervalMillis, 30_000);
    const exporter = new CountingMetricExporter(createOtlpMetricExporter({ ...common, url: cfg.metricsUrl, protocol: cfg.protocol.metrics }),
      guard, drops, Math.max(1, exportTimeoutMillis - 50));
    metricReader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: metricIntervalMillis, exportTimeoutMillis });
  }
  diag.info(`agent-otel: exporting over OTLP (${cfg.protocol.traces}) to ${[cfg.tracesUrl, cfg.metricsUrl].filter(Boolean).join(' and ')}`);
  return {
    guard, spanProcessor, metricReader,
    settled: () => spanExporter?.settled() ?? Promise.resolve(),
    abandonAtExit: () => spanExporter?.abandonAtExit(),
    info: { traces: cfg.tracesUrl, metrics: cfg.metricsUrl, protocol: cfg.protocol },
  };
}
