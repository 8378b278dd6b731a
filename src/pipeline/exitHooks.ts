import { diag } from '@opentelemetry/api';
import type { MetricReader, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { DropCounter } from '../../exporters/dropCounter.js';
import { DuckDbMetricExporter } from '../../exporters/duckdb/DuckDbMetricExporter.js';
import type { DuckDbWriter } from '../../exporters/duckdb/DuckDbWriter.js';
import type { OtlpPipeline } from '../otlp/pipeline.js';
import { collectMetricsSync } from './collectMetricsSync.js';
import type { ExportQueueProcessor } from './ExportQueueProcessor.js';

/** What the `exit` event writes or counts, besides the span queues. */
export interface ExitTargets {
  /** The meter provider's readers: those whose exporter writes synchronously (JSONL) get their last points written. */
  readers: MetricReader[];
  /** OTLP: what it has not delivered is counted as dropped. */
  otlp?: OtlpPipeline;
  /** DuckDB: pending rows stay in the JSONL files (for `ingest`); rows with no JSONL copy are counted. */
  duck?: DuckDbWriter;
  drops: DropCounter;
}

type SyncExporter = PushMetricExporter & { exportSync?(metrics: ResourceMetrics): void };
const exporterOf = (r: MetricReader): SyncExporter | undefined => (r as unknown as { _exporter?: SyncExporter })._exporter;

const countPoints = (m: ResourceMetrics | undefined): number =>
  m ? m.scopeMetrics.reduce((s, sm) => s + sm.metrics.reduce((t, x) => t + x.dataPoints.length, 0), 0) : 0;

/**
 * The last synchronous chance at process exit: queued spans written (JSONL), what can no longer be sent
 * counted as dropped (OTLP requests in flight, DuckDB rows with no JSONL copy, metric points for OTLP),
 * then the metric points recorded since the last export collected synchronously and written, the drop
 * counts among them. Never throws.
 */
/** What exit hooks need of a queue: whether anything arrived since the last flush, and a synchronous flush. */
export type ExitQueue = Pick<ExportQueueProcessor, 'seen' | 'flushSync'>;

export function flushAtExit(queues: readonly ExitQueue[], t: ExitTargets | undefined): void {
  for (const q of queues) {
    try { q.flushSync(); } catch (err) { diag.error('agent-otel: flush at exit failed', err); }
  }
  if (!t) return;
  try {
    t.otlp?.abandonAtExit();
    t.duck?.abandonAtExit();
    const writers: Array<[MetricReader, SyncExporter]> = [];
    for (const reader of t.readers) {
      const exporter = exporterOf(reader);
      if (exporter?.exportSync) writers.push([reader, exporter]);
      else if (exporter && (reader === t.otlp?.metricReader || exporter instanceof DuckDbMetricExporter)) {
        // cannot be delivered from here: counted, so the metric file written next says so
        t.drops.add('metric_points', 'exit_unsent', countPoints(collectMetricsSync(reader)), 'not sent at exit');
      }
    }
    for (const [reader, exporter] of writers) {
      const metrics = collectMetricsSync(reader);
      if (metrics) exporter.exportSync!(metrics);
      else diag.warn('agent-otel: this @opentelemetry/sdk-metrics cannot be read synchronously; metrics since the last export are lost at exit');
    }
  } catch (err) {
    diag.error('agent-otel: flush at exit failed', err);
  }
}

/**
 * Flush on exit: at `beforeExit` (asynchronously, once per burst of activity), at `exit` (synchronously,
 * see flushAtExit; it also runs after an uncaught exception or unhandled rejection, before Node prints
 * it and exits as it would have) and on SIGTERM/SIGINT (flush, then let the signal act as it would have,
 * unless the program handles the signal itself).
 */
export function installExitHooks(queues: readonly ExitQueue[], flush: () => Promise<void>, shutdown: () => Promise<void>,
  handleSignals: boolean, targets?: ExitTargets): () => void {
  const token = { flushing: false, lastSeen: -1, exited: false };
  const seen = () => queues.reduce((s, q) => s + q.seen, 0);
  // beforeExit fires again after our flush's I/O: flush only when spans ended since the last one.
  const onBeforeExit = () => {
    if (token.flushing || seen() === token.lastSeen) return;
    token.flushing = true;
    token.lastSeen = seen();
    flush().catch(() => { /* counted where it failed */ }).finally(() => { token.flushing = false; });
  };
  const onExit = () => {
    if (token.exited) return;
    token.exited = true;
    flushAtExit(queues, targets);
  };
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  const onSignal = (signal: NodeJS.Signals) => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    const othersHandle = process.listenerCount(signal) > 0;
    const timeout = new Promise<void>((r) => setTimeout(r, 3000).unref());
    void Promise.race([othersHandle ? flush() : shutdown(), timeout]).catch(() => { /* counted where it failed */ }).finally(() => {
      if (othersHandle) return;
      // Death by the signal skips the `exit` event: what the bounded shutdown did not finish is written now.
      onExit();
      process.kill(process.pid, signal);
    });
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
}
