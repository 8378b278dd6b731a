import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DropCounter } from '../../exporters/dropCounter.js';
import { ExportQueue, type QueueOptions } from './ExportQueue.js';
import { NO_HOOK } from '../noHook.js';

export type { QueueOptions } from './ExportQueue.js';

/** An exporter that can also write synchronously, for the last spans at process exit. */
type MaybeSyncExporter = SpanExporter & { exportSync?(spans: ReadableSpan[]): void };

/** The export queue (ExportQueue) as a span processor: sampled spans are queued as they end. */
export class ExportQueueProcessor extends ExportQueue<ReadableSpan> implements SpanProcessor {
  constructor(exporter: MaybeSyncExporter, opts: QueueOptions, drops: DropCounter, name = 'spans') {
    super(exporter, opts, (reason, n, detail) => drops.add('spans', reason, n, detail), name, 'spans');
  }

  readonly onStart = NO_HOOK;

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) this.enqueue(span);
  }
}
