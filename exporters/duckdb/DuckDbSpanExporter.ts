import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { SpanRowSerializer } from '../jsonl/SpanRowSerializer.js';
import type { DuckDbWriter } from './DuckDbWriter.js';

/**
 * Spans straight into DuckDB, for when JSONL files are off and the database is the only store. (With
 * JSONL on, the database is loaded from the files: by readers, or by the writer with `duckdb: 'live'`.)
 */
export class DuckDbSpanExporter implements SpanExporter {
  private readonly rows = new SpanRowSerializer();

  constructor(private readonly writer: DuckDbWriter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    // the writer keeps the bytes until its next load: a copy of the reused buffer
    this.writer.add({ signal: 'spans', buf: Buffer.from(this.rows.toBuffer(spans)), file: null });
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  /** The writer is shared with the metric exporter: its owner closes it. */
  shutdown(): Promise<void> {
    return this.writer.flush();
  }
}
