import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { isoMicros } from './isoTime.js';
import { attributesJson, ResourceTails } from './serializeSpan.js';
import type { ResourceSink } from './ResourceFile.js';

// A string JSON.stringify leaves as it is between quotes (see serializeSpan.ts).
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const str = (s: string): string => (PLAIN.test(s) ? '"' + s + '"' : JSON.stringify(s));

function bodyJson(body: unknown): string {
  if (body === undefined || body === null) return 'null';
  if (typeof body === 'string') return str(body);
  if (typeof body === 'number') return Number.isFinite(body) ? String(body) : 'null';
  if (typeof body === 'boolean') return body ? 'true' : 'false';
  if (body instanceof Uint8Array) return '"' + Buffer.from(body).toString('base64') + '"';
  return JSON.stringify(body) ?? 'null';
}

// Records of one logger share one scope object: remember the last one's name as JSON.
let lastScope: InstrumentationScope | undefined;
let lastComponent = '';
function componentJson(scope: InstrumentationScope): string {
  if (scope !== lastScope) {
    lastScope = scope;
    lastComponent = ',"component":' + JSON.stringify(scope.name);
  }
  return lastComponent;
}

/**
 * One log record → one JSONL row (format v3) without the tail naming its resource and scope (shared with
 * span rows). Null fields are left out (semconv LOG_DEFAULTS). Hand-built like span rows: ids and numbers
 * need no escaping.
 */
export function serializeLogHead(r: ReadableLogRecord): string {
  const ctx = r.spanContext;
  return '{"time":"' + isoMicros(r.hrTime) + '"' +
    (r.severityText === undefined ? '' : ',"severity_text":' + str(r.severityText)) +
    ',"severity_number":' + (r.severityNumber ?? 0) +
    ',"body":' + bodyJson(r.body) +
    (r.eventName ? ',"event_name":' + str(r.eventName) : '') +
    componentJson(r.instrumentationScope) +
    (ctx ? ',"trace_id":"' + ctx.traceId + '","span_id":"' + ctx.spanId + '"' : '') +
    ',"attributes":' + attributesJson(r.attributes);
}

/**
 * Log records → JSONL bytes, encoded one by one into a reused buffer (as SpanRowSerializer does for
 * spans). A record that cannot be serialized (a cyclic or BigInt body) is skipped and reported.
 */
export class LogRowSerializer {
  private readonly tails: ResourceTails;
  private scratch = Buffer.allocUnsafe(256 * 1024);

  /** `resources` writes each resource and scope once and rows name them by id; without it rows carry them inline. */
  constructor(resources?: ResourceSink) {
    this.tails = new ResourceTails(resources);
  }

  /** The batch's rows: a view of the scratch buffer, valid until the next call; `failed` counts skipped records. */
  toBuffer(records: readonly ReadableLogRecord[]): { bytes: Buffer; failed: number } {
    let off = 0;
    let failed = 0;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      let row: string;
      try {
        row = serializeLogHead(rec) + this.tails.of(rec.resource, rec.instrumentationScope).text;
      } catch {
        failed++;
        continue;
      }
      if (off + row.length * 3 > this.scratch.length) this.grow(off + row.length * 3);
      off += this.scratch.write(row, off, 'utf8');
    }
    return { bytes: this.scratch.subarray(0, off), failed };
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    this.scratch.copy(next);
    this.scratch = next;
  }
}
