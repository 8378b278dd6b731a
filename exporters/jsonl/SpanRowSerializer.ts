import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import type { DropCounter } from '../dropCounter.js';
import type { ResourceSink } from './ResourceFile.js';
import { resourceTail, serializeSpanHead } from './serializeSpan.js';

/**
 * Spans → JSONL bytes, shared by the JSONL and DuckDB exporters. Rows are encoded one by one into a
 * reused buffer: concatenating a batch into one string first made V8 flatten a ~1 MB string and then
 * encode it again (about 1 µs a span). The resource part of a row is the same for every span of a
 * resource, so it is kept from one span to the next: its id when `resources` writes each resource once
 * (the JSONL files), else the resource inline (rows loaded straight into DuckDB).
 */
export class SpanRowSerializer {
  private lastResource: Resource | undefined;
  /** The resource tail, encoded once per resource. */
  private lastTail: Buffer = Buffer.alloc(0);
  private scratch = Buffer.allocUnsafe(1024 * 1024);

  constructor(private readonly drops?: DropCounter, private readonly resources?: ResourceSink) {}

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
    if (resource !== this.lastResource) {
      const id = this.resources?.idFor(resource);
      this.lastTail = Buffer.from(resourceTail(resource.attributes as Record<string, unknown>, id), 'utf8');
      // a resource that could not be written is inline, and tried again with the next batch
      this.lastResource = id === undefined && this.resources ? undefined : resource;
    }
    return this.lastTail;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
