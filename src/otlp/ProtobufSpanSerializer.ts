import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/** Hex digit values by char code (anything else is 0). */
const HEX = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) { HEX[97 + i] = 10 + i; HEX[65 + i] = 10 + i; }

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(256, size));
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint of a non-negative integer (any size a double holds exactly). */
  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (v < 0x80000000) {
      while (v > 127) { buf[this.pos++] = (v & 127) | 128; v >>>= 7; }
    } else {
      while (v > 127) { buf[this.pos++] = (v % 128) | 128; v = Math.floor(v / 128); }
    }
    buf[this.pos++] = v;
  }

  /** int64 varint: negatives as 64-bit two's complement (10 bytes). */
  int64(v: number): void {
    if (v >= 0) { this.varint(v); return; }
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u > 127n) { this.buf[this.pos++] = Number(u & 127n) | 128; u >>= 7n; }
    this.buf[this.pos++] = Number(u);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  private lastSeconds = -1;
  private baseLo = 0;
  private baseHi = 0;

  /** HrTime → fixed64 nanoseconds since the epoch, in exact 32-bit halves (seconds × 1e9 exceeds 2^53). */
  time(t: HrTime): void {
    const seconds = t[0];
    if (seconds !== this.lastSeconds) { // spans of a batch mostly share their second
      const lower = (seconds % 0x10000) * 1e9; // < 2^46
      const upper = Math.floor(seconds / 0x10000) * 1e9; // < 2^46, shifted left by 16 bits
      const lowSum = (lower % 0x100000000) + (upper % 0x10000) * 0x10000;
      this.baseLo = lowSum % 0x100000000;
      this.baseHi = Math.floor(lower / 0x100000000) + Math.floor(upper / 0x10000) + Math.floor(lowSum / 0x100000000);
      this.lastSeconds = seconds;
    }
    let lo = this.baseLo + t[1];
    let hi = this.baseHi;
    if (lo >= 0x100000000) { lo -= 0x100000000; hi += 1; }
    this.ensure(8);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = lo & 255; buf[p++] = (lo >>> 8) & 255; buf[p++] = (lo >>> 16) & 255; buf[p++] = lo >>> 24;
    buf[p++] = hi & 255; buf[p++] = (hi >>> 8) & 255; buf[p++] = (hi >>> 16) & 255; buf[p++] = (hi >>> 24) & 255;
    this.pos = p;
  }

  /** A length-delimited UTF-8 string (tag written by the caller). */
  string(s: string): void {
    if (s.length < 43) { // ≤ 126 bytes in UTF-8: a one-byte length, written after the string
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
    } else {
      const n = Buffer.byteLength(s, 'utf8');
      this.varint(n);
      this.ensure(n);
      this.buf.write(s, this.pos, 'utf8');
      this.pos += n;
    }
  }

  /** A length-delimited id from its hex form (16 bytes of trace id, 8 of span id); not hex: zeros, an invalid id. */
  hexId(hex: string, bytes: number): void {
    this.ensure(1 + bytes);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = bytes;
    if (hex.length === bytes * 2) {
      for (let i = 0; i < hex.length; i += 2) {
        const hi = HEX[hex.charCodeAt(i)]!;
        const lo = HEX[hex.charCodeAt(i + 1)]!;
        buf[p++] = (hi << 4) | lo; // a non-hex char maps to 0
      }
    } else {
      buf.fill(0, p, p + bytes);
      p += bytes;
    }
    this.pos = p;
  }

  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n < 64) { // a loop beats TypedArray#set for the short keys and values this copies most
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = bytes[i]!;
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += n;
  }

  /** Starts a length-delimited message: one byte reserved for its length. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends it: writes the length, moving the content when the length takes more than one byte. */
  end(start: number): void {
    const len = this.pos - start - 1;
    if (len < 128) { this.buf[start] = len; return; }
    const extra = (len < 1 << 14 ? 2 : len < 1 << 21 ? 3 : len < 1 << 28 ? 4 : 5) - 1;
    this.ensure(extra);
    this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    let v = len;
    let p = start;
    while (v > 127) { this.buf[p++] = (v & 127) | 128; v >>>= 7; }
    this.buf[p] = v;
    this.pos += extra;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** `KeyValue.key` (tag, length, UTF-8) per attribute key: keys repeat on every span. */
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 4096;
function keyBytes(key: string): Buffer {
  let b = keyCache.get(key);
  if (!b) {
    const w = new Writer(key.length * 3 + 8);
    w.byte(0x0a);
    w.string(key);
    b = Buffer.from(w.finish());
    if (keyCache.size < KEY_CACHE_MAX) keyCache.set(key, b);
  }
  return b;
}

function anyValue(w: Writer, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.byte(0x0a); w.string(value); return;
    case 'boolean':
      w.ensure(2); w.buf[w.pos++] = 0x10; w.buf[w.pos++] = value ? 1 : 0; return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) { w.byte(0x18); w.int64(value); } else { w.byte(0x21); w.double(value); }
      return;
    case 'object': {
      if (value === null) return;
      if (value instanceof Uint8Array) { w.byte(0x3a); w.varint(value.length); w.raw(value); return; }
      if (Array.isArray(value)) {
        w.byte(0x2a);
        const arr = w.begin();
        for (const item of value) { w.byte(0x0a); const s = w.begin(); anyValue(w, item); w.end(s); }
        w.end(arr);
        return;
      }
      w.byte(0x32);
      const list = w.begin();
      attributes(w, value as Record<string, unknown>, 0x0a);
      w.end(list);
      return;
    }
    default:
      // undefined, functions, symbols: an empty AnyValue, as the official serializer writes
  }
}

/**
 * Whole `KeyValue` messages (length prefix included) for a key with a short string or boolean value:
 * low-cardinality pairs (`gen_ai.operation.name=chat`, a model name) repeat on most spans. Bounded.
 */
const pairCache = new Map<string, Map<unknown, Buffer>>();
const PAIR_CACHE_MAX_VALUES = 64;
function pairBytes(key: string, value: string | boolean): Buffer | undefined {
  let values = pairCache.get(key);
  if (!values) {
    if (pairCache.size >= KEY_CACHE_MAX) return undefined;
    pairCache.set(key, (values = new Map()));
  }
  let b = values.get(value);
  if (!b) {
    if (values.size >= PAIR_CACHE_MAX_VALUES) return undefined; // a high-cardinality key: encode each time
    const w = new Writer(key.length * 3 + 64);
    const kv = w.begin();
    w.raw(keyBytes(key));
    w.byte(0x12);
    const v = w.begin();
    anyValue(w, value);
    w.end(v);
    w.end(kv);
    values.set(value, (b = Buffer.from(w.finish())));
  }
  return b;
}

function attributes(w: Writer, attrs: Record<string, unknown> | undefined, tag: number): void {
  if (!attrs) return;
  const keys = Object.keys(attrs);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = attrs[key];
    if (typeof value === 'boolean' || (typeof value === 'string' && value.length <= 32)) {
      const cached = pairBytes(key, value);
      if (cached) { w.byte(tag); w.raw(cached); continue; }
    }
    w.byte(tag);
    const kv = w.begin();
    w.raw(keyBytes(key));
    w.byte(0x12);
    const v = w.begin();
    anyValue(w, value);
    w.end(v);
    w.end(kv);
  }
}

const resourceCache = new WeakMap<Resource, Buffer>();
/** `ResourceSpans.resource` (field 1) with its attributes, encoded once per Resource object. */
function resourceBytes(resource: Resource): Buffer {
  let b = resourceCache.get(resource);
  if (!b) {
    const w = new Writer(1024);
    w.byte(0x0a);
    const r = w.begin();
    attributes(w, resource.attributes as Record<string, unknown>, 0x0a);
    w.end(r);
    b = Buffer.from(w.finish());
    if (!resource.asyncAttributesPending) resourceCache.set(resource, b);
  }
  return b;
}

const scopeCache = new WeakMap<InstrumentationScope, Buffer>();
/** `ScopeSpans.scope` (field 1), encoded once per scope object. */
function scopeBytes(scope: InstrumentationScope): Buffer {
  let b = scopeCache.get(scope);
  if (!b) {
    const w = new Writer(256);
    w.byte(0x0a);
    const s = w.begin();
    w.byte(0x0a); w.string(scope.name);
    if (scope.version) { w.byte(0x12); w.string(scope.version); }
    const attrs = (scope as { attributes?: Record<string, unknown> }).attributes;
    if (attrs) attributes(w, attrs, 0x1a);
    w.end(s);
    b = Buffer.from(w.finish());
    scopeCache.set(scope, b);
  }
  return b;
}

function flags(ctx: SpanContext, isRemote: boolean | undefined): number {
  return (ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function event(w: Writer, e: TimedEvent): void {
  w.byte(0x5a);
  const s = w.begin();
  w.byte(0x09); w.time(e.time);
  w.byte(0x12); w.string(e.name);
  attributes(w, e.attributes as Record<string, unknown> | undefined, 0x1a);
  if (e.droppedAttributesCount) { w.byte(0x20); w.varint(e.droppedAttributesCount); }
  w.end(s);
}

function link(w: Writer, l: Link): void {
  w.byte(0x6a);
  const s = w.begin();
  const ctx = l.context;
  w.byte(0x0a); w.hexId(ctx.traceId, 16);
  w.byte(0x12); w.hexId(ctx.spanId, 8);
  const ts = ctx.traceState?.serialize();
  if (ts) { w.byte(0x1a); w.string(ts); }
  attributes(w, l.attributes as Record<string, unknown> | undefined, 0x22);
  if (l.droppedAttributesCount) { w.byte(0x28); w.varint(l.droppedAttributesCount); }
  w.byte(0x35); w.fixed32(flags(ctx, ctx.isRemote));
  w.end(s);
}

function span(w: Writer, sp: ReadableSpan): void {
  w.byte(0x12); // ScopeSpans.spans
  const s = w.begin();
  const ctx = sp.spanContext();
  w.byte(0x0a); w.hexId(ctx.traceId, 16);
  w.byte(0x12); w.hexId(ctx.spanId, 8);
  const ts = ctx.traceState?.serialize();
  if (ts) { w.byte(0x1a); w.string(ts); }
  const parent = sp.parentSpanContext;
  if (parent?.spanId) { w.byte(0x22); w.hexId(parent.spanId, 8); }
  w.byte(0x2a); w.string(sp.name);
  if (sp.kind != null) { w.byte(0x30); w.varint(sp.kind + 1); }
  w.byte(0x39); w.time(sp.startTime);
  w.byte(0x41); w.time(sp.endTime);
  attributes(w, sp.attributes as Record<string, unknown>, 0x4a);
  if (sp.droppedAttributesCount) { w.byte(0x50); w.varint(sp.droppedAttributesCount); }
  for (const e of sp.events) event(w, e);
  if (sp.droppedEventsCount) { w.byte(0x60); w.varint(sp.droppedEventsCount); }
  for (const l of sp.links) link(w, l);
  if (sp.droppedLinksCount) { w.byte(0x70); w.varint(sp.droppedLinksCount); }
  const st = sp.status; // always present, as the official serializer writes it (code UNSET is 0)
  w.byte(0x7a);
  const ss = w.begin();
  if (st.message) { w.byte(0x12); w.string(st.message); }
  w.byte(0x18); w.varint(st.code);
  w.end(ss);
  w.ensure(6);
  w.buf[w.pos++] = 0x85; w.buf[w.pos++] = 0x01; // flags: field 16, fixed32
  w.fixed32(flags(ctx, parent?.isRemote));
  w.end(s);
}

/**
 * spans → an OTLP `ExportTraceServiceRequest` (opentelemetry-proto v1, trace_service.proto), grouped by
 * resource then scope as the SDK's serializer does, written straight into one Buffer in one pass
 * (lengths patched in place): ids decoded from hex through a table, strings through Buffer's UTF-8
 * encoder, attribute keys, frequent short key/value pairs, resources and scopes encoded once and reused.
 * The same message as @opentelemetry/otlp-transformer's ProtobufTraceSerializer (tests decode both with
 * the official schema and compare) for less CPU per span (bench/protobuf.js), so that OTLP export stays
 * a small addition to the local pipeline. Zero-valued proto3 fields are left out, as proto3 allows.
 */
export function encodeTraceRequest(spans: ReadableSpan[]): Uint8Array {
  const byResource = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const sp of spans) {
    let scopes = byResource.get(sp.resource);
    if (!scopes) byResource.set(sp.resource, (scopes = new Map()));
    let list = scopes.get(sp.instrumentationScope);
    if (!list) scopes.set(sp.instrumentationScope, (list = []));
    list.push(sp);
  }
  const w = new Writer(spans.length * 400 + 1024);
  for (const [resource, scopes] of byResource) {
    w.byte(0x0a); // ExportTraceServiceRequest.resource_spans
    const rs = w.begin();
    w.raw(resourceBytes(resource));
    for (const [scope, list] of scopes) {
      w.byte(0x12); // ResourceSpans.scope_spans
      const ss = w.begin();
      w.raw(scopeBytes(scope));
      for (const sp of list) span(w, sp);
      if (scope.schemaUrl) { w.byte(0x1a); w.string(scope.schemaUrl); }
      w.end(ss);
    }
    if (resource.schemaUrl) { w.byte(0x1a); w.string(resource.schemaUrl); }
    w.end(rs);
  }
  return w.finish();
}

/** ExportTraceServiceResponse → `{ partialSuccess? }` (rejected spans and the collector's message). */
export function decodeTraceResponse(data: Uint8Array): { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } } {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = data[pos++]!;
      v += (b & 127) * mul;
      if (b < 128 || pos >= data.length) return v;
      mul *= 128;
    }
  };
  const skip = (wire: number): void => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 2) pos += varint();
    else if (wire === 5) pos += 4;
    else pos = data.length;
  };
  const out: { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } } = {};
  while (pos < data.length) {
    const tag = varint();
    if (tag === 0x0a) {
      const end = varint() + pos;
      const ps: { rejectedSpans?: number; errorMessage?: string } = {};
      while (pos < end) {
        const t = varint();
        if (t === 0x08) ps.rejectedSpans = varint();
        else if (t === 0x12) { const n = varint(); ps.errorMessage = Buffer.from(data.subarray(pos, pos + n)).toString('utf8'); pos += n; }
        else skip(t & 7);
      }
      if (ps.rejectedSpans || ps.errorMessage) out.partialSuccess = ps;
    } else {
      skip(tag & 7);
    }
  }
  return out;
}

/** An ISerializer for the OTLP/HTTP export delegate. */
export const ProtobufSpanSerializer = {
  serializeRequest: encodeTraceRequest,
  deserializeResponse: decodeTraceResponse,
};
