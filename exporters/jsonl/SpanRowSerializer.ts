import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import type { DropCounter } from '../dropCounter.js';
import type { ResourceSink } from './ResourceFile.js';
import { ResourceTails, serializeSpanHead } from './serializeSpan.js';

/**
 * Spans → JSONL bytes, shared by the JSONL and DuckDB exporters. Rows are encoded one by one into a
 * reused buffer: concatenating a batch into one string first made V8 flatten a ~1 MB string and then
 * encode it again (about 1 µs a span). The resource part of a row is the same for every span of a
 * resource, so it is kept from one span to the next: its id when `resources` writes each resource once
 * (the JSONL files), else the resource inline (rows loaded straight into DuckDB).
 */
export class SpanRowSerializer {
  private readonly tails: ResourceTails;
  /** The tail's bytes, encoded once per tail: copying them costs less than encoding them on every row. */
  private tailText = '';
  private tailBytes: Buffer = Buffer.alloc(0);
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
        tail = this.tailFor(span.resource);
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

  private tailFor(resource: Resource): Buffer {
    const text = this.tails.of(resource);
    if (text !== this.tailText) {
      this.tailText = text;
      this.tailBytes = Buffer.from(text, 'utf8');
    }
    return this.tailBytes;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
