import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { resourceTail, serializeSpanHead } from '../jsonl/serializeSpan.js';
import type { DuckDbWriter } from './DuckDbWriter.js';

/**
 * Spans straight into DuckDB, for when JSONL files are off. (With JSONL on, the DuckDB writer follows
 * the JSONL files instead and rows are serialized only once.)
 */
export class DuckDbSpanExporter implements SpanExporter {
  private lastResource: Resource | undefined;
  private lastTail = '';

  constructor(private readonly writer: DuckDbWriter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let text = '';
    for (const span of spans) {
      if (span.resource !== this.lastResource) {
        this.lastResource = span.resource;
        this.lastTail = resourceTail(span.resource.attributes as Record<string, unknown>);
      }
      text += serializeSpanHead(span) + this.lastTail;
    }
    this.writer.add({ signal: 'spans', buf: Buffer.from(text), file: null });
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
