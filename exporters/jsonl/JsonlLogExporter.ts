import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DIR_LOGS } from '../../semconv/logs.js';
import { AppendFile } from './AppendFile.js';
import type { JsonlExporterOptions } from './JsonlSpanExporter.js';
import { JsonlRowExporter } from './JsonlRowExporter.js';
import { LogRowSerializer } from './serializeLog.js';
import { ResourceFile } from './ResourceFile.js';

/** Where a log exporter reports records it could not serialize. */
export interface LogDropSink {
  add(reason: string, n: number, detail?: string): void;
}

/**
 * Writes log records as flat JSONL rows (see semconv/README.md, "Log row") to `<root>/logs/`, through
 * the same AppendFile as spans: one file per process, rotation by size and UTC day, retention, 0600
 * files in 0700 folders, every write's outcome reported.
 */
export class JsonlLogExporter extends JsonlRowExporter<ReadableLogRecord> implements LogRecordExporter {
  readonly rows: LogRowSerializer;
  private readonly drops: LogDropSink | undefined;

  constructor(opts: Omit<JsonlExporterOptions, 'drops'> & { drops?: LogDropSink }) {
    const { drops, ...fileOpts } = opts;
    super(new AppendFile({ ...fileOpts, signal: DIR_LOGS }), 'JsonlLogExporter', ResourceFile.acquire(fileOpts));
    this.rows = new LogRowSerializer(this.resources);
    this.drops = drops;
  }

  protected encode(records: ReadableLogRecord[]): Buffer {
    const { bytes, failed } = this.rows.toBuffer(records);
    if (failed) this.drops?.add('serialize_failed', failed);
    return bytes;
  }

  protected exitWriteFailed(n: number, message: string): void {
    this.drops?.add('export_failed', n, message);
  }
}
