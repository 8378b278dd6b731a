import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { DIR_SPANS } from '../../semconv/schema.js';
import { AppendFile, type AppendFileOptions } from './AppendFile.js';
import { resourceTail, serializeSpanHead } from './serializeSpan.js';
import type { DropCounter } from '../dropCounter.js';

export type JsonlExporterOptions = Omit<AppendFileOptions, 'signal'> & { drops?: DropCounter };

/** Writes spans as flat JSONL rows (see semconv/README.md) to `<root>/spans/`. */
export class JsonlSpanExporter implements SpanExporter {
  readonly file: AppendFile;
  private lastResource: Resource | undefined;
  private lastTail = '';
  private isShutdown = false;

  constructor(private readonly opts: JsonlExporterOptions) {
    this.file = new AppendFile({ ...opts, signal: DIR_SPANS });
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
    const bytes = this.inFlight ? Buffer.from(this.serializeToBuffer(spans)) : this.serializeToBuffer(spans);
    this.inFlight = true;
    this.file.append(bytes, (error) => {
      this.inFlight = false;
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
    });
  }

  /**
   * The batch's rows encoded straight into a reused buffer, row by row: concatenating a batch into one
   * string first made V8 flatten a ~1 MB string and then encode it again (about 1 µs a span). The view
   * is valid until the next call — the export queue starts the next export only after this one's write
   * has completed.
   */
  serializeToBuffer(spans: ReadableSpan[]): Buffer {
    let off = 0;
    let failed = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      let row: string;
      try {
        row = serializeSpanHead(span) + this.tailFor(span.resource);
      } catch {
        failed++;
        continue;
      }
      if (off + row.length * 3 > this.scratch.length) this.grow(off + row.length * 3);
      off += this.scratch.write(row, off, 'utf8');
    }
    if (failed) this.opts.drops?.add('spans', 'serialize_failed', failed);
    return this.scratch.subarray(0, off);
  }

  private scratch = Buffer.allocUnsafe(1024 * 1024);
  private inFlight = false;

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }

  /** The JSONL text of a batch; a span that cannot be serialized is skipped and counted. */
  serialize(spans: ReadableSpan[]): string {
    let out = '';
    let failed = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      try {
        out += serializeSpanHead(span) + this.tailFor(span.resource);
      } catch {
        failed++;
      }
    }
    if (failed) this.opts.drops?.add('spans', 'serialize_failed', failed);
    return out;
  }

  private tailFor(resource: Resource): string {
    if (resource !== this.lastResource) {
      this.lastResource = resource;
      this.lastTail = resourceTail(resource.attributes as Record<string, unknown>);
    }
    return this.lastTail;
  }

  /** Synchronous last-chance write at process exit. */
  exportSync(spans: ReadableSpan[]): void {
    if (spans.length) this.file.append(Buffer.from(this.serializeToBuffer(spans)), () => {});
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
