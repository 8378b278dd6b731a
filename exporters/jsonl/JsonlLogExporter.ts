import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DIR_LOGS } from '../../semconv/logs.js';
import { AppendFile } from './AppendFile.js';
import type { JsonlExporterOptions } from './JsonlSpanExporter.js';
import { LogRowSerializer } from './serializeLog.js';

/** Where a log exporter reports records it could not serialize. */
export interface LogDropSink {
  add(reason: string, n: number, detail?: string): void;
}

/**
 * Writes log records as flat JSONL rows (see semconv/README.md, "Log row") to `<root>/logs/`, through
 * the same AppendFile as spans: one file per process, rotation by size and UTC day, retention, 0600
 * files in 0700 folders, every write's outcome reported.
 */
export class JsonlLogExporter implements LogRecordExporter {
  readonly file: AppendFile;
  readonly rows = new LogRowSerializer();
  private readonly drops: LogDropSink | undefined;
  private inFlight = false;
  private isShutdown = false;

  constructor(opts: Omit<JsonlExporterOptions, 'drops'> & { drops?: LogDropSink }) {
    const { drops, ...fileOpts } = opts;
    this.file = new AppendFile({ ...fileOpts, signal: DIR_LOGS });
    this.drops = drops;
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error('JsonlLogExporter is shut down') });
    }
    const resource = records[0]?.resource;
    if (resource?.asyncAttributesPending) {
      resource.waitForAsyncAttributes?.().then(() => this.export(records, resultCallback), () => this.export(records, resultCallback));
      return;
    }
    const { bytes, failed } = this.rows.toBuffer(records);
    if (failed) this.drops?.add('serialize_failed', failed);
    // The scratch buffer is reused: a write still in flight (given up on by the queue) keeps its own.
    const own = this.inFlight ? Buffer.from(bytes) : bytes;
    this.inFlight = true;
    this.file.append(own, (error) => {
      this.inFlight = false;
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
    });
  }

  /** Synchronous last-chance write at process exit. */
  exportSync(records: ReadableLogRecord[]): void {
    if (records.length) {
      const { bytes, failed } = this.rows.toBuffer(records);
      if (failed) this.drops?.add('serialize_failed', failed);
      this.file.append(Buffer.from(bytes), () => {});
    }
    this.file.flushSync();
  }

  forceFlush(): Promise<void> {
    return this.file.flush();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.file.close();
  }
}
