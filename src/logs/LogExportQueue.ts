import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ExportQueue, type QueueOptions } from '../pipeline/ExportQueue.js';
import type { LogDrops } from './LogDrops.js';

/** An exporter that can also write synchronously, for the last records at process exit. */
export type MaybeSyncLogExporter = LogRecordExporter & { exportSync?(records: ReadableLogRecord[]): void };

/** The export queue (ExportQueue) as a log record processor: every record is queued as it is emitted. */
export class LogExportQueue extends ExportQueue<ReadableLogRecord> implements LogRecordProcessor {
  constructor(exporter: MaybeSyncLogExporter, opts: QueueOptions, drops: LogDrops, name = 'logs') {
    super(exporter, opts, (reason, n, detail) => drops.add(reason, n, detail), name, 'records');
  }

  onEmit(record: ReadWriteLogRecord): void {
    this.enqueue(record as ReadableLogRecord);
  }
}
