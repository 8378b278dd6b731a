import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DIR_SPANS } from '../../semconv/schema.js';
import { AppendFile, type AppendFileOptions } from './AppendFile.js';
import { SpanRowSerializer } from './SpanRowSerializer.js';
import type { DropCounter } from '../dropCounter.js';

export type JsonlExporterOptions = Omit<AppendFileOptions, 'signal'> & { drops?: DropCounter };

/** Writes spans as flat JSONL rows (see semconv/README.md) to `<root>/spans/`. */
export class JsonlSpanExporter implements SpanExporter {
  readonly file: AppendFile;
  /** Encodes the rows (its buffer is reused: see `inFlight`). */
  readonly rows: SpanRowSerializer;
  private inFlight = false;
  private isShutdown = false;

  constructor(private readonly opts: JsonlExporterOptions) {
    this.file = new AppendFile({ ...opts, signal: DIR_SPANS });
    this.rows = new SpanRowSerializer(opts.drops);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error('JsonlSpanExporter is shut down') });
    }
    const resource = spans[0]?.resource;
    if (resource?.asyncAttributesPending) {
      resource.waitForAsyncAttributes?.().then(() => this.export(spans, resultCallback), () => this.export(spans, resultCallback));
      return;
    }
    // The scratch buffer is reused, so it must not be in a write still in flight (an export the
    // queue gave up on after its timeout): then this batch gets bytes of its own.
    const bytes = this.inFlight ? Buffer.from(this.rows.toBuffer(spans)) : this.rows.toBuffer(spans);
    this.inFlight = true;
    this.file.append(bytes, (error) => {
      this.inFlight = false;
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
    });
  }

  /** Synchronous last-chance write at process exit. */
  exportSync(spans: ReadableSpan[]): void {
    // appendSync, not append: an asynchronous write started at exit may never run
    if (spans.length) this.file.appendSync(Buffer.from(this.rows.toBuffer(spans)), (error) => {
      if (error) this.opts.drops?.add('spans', 'export_failed', spans.length, error.message);
    });
    else this.file.flushSync();
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
