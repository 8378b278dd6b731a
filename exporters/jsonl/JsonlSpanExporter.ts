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
    this.file.append(this.serialize(spans), (error) =>
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS }));
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
    if (spans.length) this.file.append(this.serialize(spans), () => {});
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
