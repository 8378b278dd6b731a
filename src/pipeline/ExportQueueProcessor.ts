import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DropCounter } from '../../exporters/dropCounter.js';
import { ExportQueue, type Batch, type QueueExporter, type QueueOptions } from './ExportQueue.js';
import { NO_HOOK } from '../noHook.js';

export type { QueueOptions } from './ExportQueue.js';

/**
 * The export queue (ExportQueue) as a span processor: sampled spans are queued as they end. With the
 * JSONL exporter the queue holds their rows, encoded as they end (JsonlRowExporter.backlog), not the spans.
 */
export class ExportQueueProcessor extends ExportQueue<ReadableSpan, Batch> implements SpanProcessor {
  /** `exporter`: any SpanExporter (it gets the spans), or one with a backlog of its own (it gets what that made of them). */
  constructor(exporter: QueueExporter<ReadableSpan, Batch>, opts: QueueOptions, drops: DropCounter, name = 'spans') {
    super(exporter, opts, (reason, n, detail) => drops.add('spans', reason, n, detail), name, 'spans');
  }

  readonly onStart = NO_HOOK;

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) this.enqueue(span);
  }
}
