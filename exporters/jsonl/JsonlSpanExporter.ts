import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DIR_SPANS } from '../../semconv/schema.js';
import { AppendFile, type AppendFileOptions } from './AppendFile.js';
import { JsonlRowExporter } from './JsonlRowExporter.js';
import { ResourceFile } from './ResourceFile.js';
import { SpanRowSerializer } from './SpanRowSerializer.js';
import type { DropCounter } from '../dropCounter.js';

export type JsonlExporterOptions = Omit<AppendFileOptions, 'signal'> & { drops?: DropCounter };

/** Writes spans as flat JSONL rows (see semconv/README.md) to `<root>/spans/`, their resources to `<root>/resources/`. */
export class JsonlSpanExporter extends JsonlRowExporter<ReadableSpan> implements SpanExporter {
  /** Encodes the rows (its buffer is reused: see JsonlRowExporter). */
  readonly rows: SpanRowSerializer;

  constructor(private readonly opts: JsonlExporterOptions) {
    const { drops, ...fileOpts } = opts;
    super(new AppendFile({ ...fileOpts, signal: DIR_SPANS }), 'JsonlSpanExporter', ResourceFile.acquire(fileOpts));
    this.rows = new SpanRowSerializer(drops, this.resources);
  }

  protected encode(spans: ReadableSpan[]): Buffer {
    return this.rows.toBuffer(spans);
  }

  protected override rowText(span: ReadableSpan): string | undefined {
    return this.rows.rowText(span);
  }

  protected exitWriteFailed(n: number, message: string): void {
    this.opts.drops?.add('spans', 'export_failed', n, message);
  }
}
