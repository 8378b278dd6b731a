import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { DropCounter } from '../dropCounter.js';
import type { ResourceSink } from './ResourceFile.js';
import { ResourceTails, serializeSpanHead } from './serializeSpan.js';

/**
 * Spans → JSONL bytes, shared by the JSONL and DuckDB exporters. Rows are encoded one by one into a
 * reused buffer: concatenating a batch into one string first made V8 flatten a ~1 MB string and then
 * encode it again (about 1 µs a span). The tail of a row is the same for every span of a resource and
 * scope, so it is kept, encoded, from one span to the next: their id when `resources` writes each pair
 * once (the JSONL files), else the service name, scope and resource inline (rows loaded straight into DuckDB).
 */
export class SpanRowSerializer {
  private readonly tails: ResourceTails;
  private scratch = Buffer.allocUnsafe(1024 * 1024);

  constructor(private readonly drops?: DropCounter, resources?: ResourceSink) {
    this.tails = new ResourceTails(resources);
  }

  /** The batch's rows; a view of the scratch buffer, valid until the next call. A span that cannot be serialized is skipped and counted. */
  toBuffer(spans: ReadableSpan[]): Buffer {
    let off = 0;
    let failed = 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      let head: string;
      let tail: Buffer;
      try {
        head = serializeSpanHead(span);
        tail = this.tails.of(span.resource, span.instrumentationScope).bytes;
      } catch {
        failed++;
        continue;
      }
      const need = off + head.length * 3 + tail.length;
      if (need > this.scratch.length) this.grow(need);
      off += this.scratch.write(head, off, 'utf8');
      off += tail.copy(this.scratch, off);
    }
    if (failed) this.drops?.add('spans', 'serialize_failed', failed);
    return this.scratch.subarray(0, off);
  }

  /** One span's row as text (a whole line), or undefined when it cannot be serialized (counted). */
  rowText(span: ReadableSpan): string | undefined {
    try {
      return serializeSpanHead(span) + this.tails.of(span.resource, span.instrumentationScope).text;
    } catch {
      this.drops?.add('spans', 'serialize_failed', 1);
      return undefined;
    }
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
