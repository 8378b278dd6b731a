// The span encoder behind http/protobuf export writes the same OTLP message as the official serializer:
// both outputs are decoded with the official protobuf schema (generated decoders of
// @opentelemetry/otlp-transformer 0.216.0) and compared field by field.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceResponse, encodeTraceRequest } from '../dist/src/otlp/ProtobufSpanSerializer.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const root = require('otlp-transformer-0216/build/src/generated/root.js') as any;
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const Response = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
const decode = (bytes: Uint8Array) => Request.toObject(Request.decode(bytes), { longs: String, bytes: String, enums: Number, defaults: true, arrays: true });

function collect(resourceAttrs: Attributes, make: (provider: TracerProvider) => void): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttrs),
    spanProcessors: [{ onStart() {}, onEnd: (s: ReadableSpan) => { spans.push(s); }, forceFlush: async () => {}, shutdown: async () => {} }],
  });
  make(provider);
  return spans;
}

const LONG = 'x'.repeat(300);
const HUGE = 'é'.repeat(20_000); // 40 kB of UTF-8: a span longer than 16 kB (3-byte length)

function richSpans(): ReadableSpan[] {
  const a = collect({ 'service.name': 'enc-a', 'service.version': '1.0', 'process.pid': 42, 'host.arch': 'x64', flag: true }, (p) => {
    const t = p.getTracer('scope-one', '2.3.4');
    const u = p.getTracer('scope-two');
    const parent = t.startSpan('parent', { kind: SpanKind.SERVER, attributes: { 'http.route': '/x', 'http.status_code': 200 } });
    const ctx = trace.setSpan(context.active(), parent);
    const child = t.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        str: 'value', empty: '', unicode: 'naïve 東京 🚀', long: LONG, int: 7, zero: 0, negative: -12, big: 2 ** 40, huge: 2 ** 60,
        float: 0.25, negFloat: -1.5e-7, nan: Number.NaN, inf: Number.POSITIVE_INFINITY, yes: true, no: false,
        strs: ['a', 'b', ''], ints: [1, 2, -3], floats: [0.5, 1.5], bools: [true, false], emptyArr: [], mixed: ['a', null, undefined] as never,
      },
      links: [
        { context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true }, attributes: { 'link.kind': 'follows', n: 3 } },
        { context: { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', traceFlags: TraceFlags.NONE, traceState: new TraceState('vendor=value,other=1') } },
      ],
    }, ctx);
    child.addEvent('exception', { 'exception.type': 'TypeError', 'exception.message': 'bad', 'exception.stacktrace': LONG });
    child.addEvent('plain');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed: ünïcode' });
    child.end();
    const ok = u.startSpan('ok span', { attributes: { big: HUGE } }, ctx);
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.end();
    parent.end();
    // A remote parent with a trace state.
    const remote = trace.setSpanContext(context.active(), {
      traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('k=v'),
    });
    t.startSpan('from remote', { kind: SpanKind.CONSUMER }, remote).end();
    t.startSpan('producer', { kind: SpanKind.PRODUCER }).end();
  });
  const b = collect({ 'service.name': 'enc-b' }, (p) => { p.getTracer('scope-one', '2.3.4').startSpan('other resource').end(); });
  return [...a, ...b];
}

describe('protobuf span encoder', () => {
  it('encodes the same ExportTraceServiceRequest as the official serializer', () => {
    const spans = richSpans();
    const ours = decode(encodeTraceRequest(spans));
    const official = decode(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(ours.resourceSpans).toHaveLength(2);
    expect(ours).toEqual(official);
    const child = ours.resourceSpans[0].scopeSpans[0].spans.find((s: { name: string }) => s.name === 'chat gpt-4o');
    expect(child.attributes.find((a: { key: string }) => a.key === 'huge').value.intValue).toBe((2n ** 60n).toString());
    expect(child.attributes.find((a: { key: string }) => a.key === 'negative').value.intValue).toBe('-12');
  });

  it('encodes times exactly to the nanosecond, far into the future too', () => {
    const spans = collect({ 'service.name': 't' }, (p) => {
      const t = p.getTracer('t');
      t.startSpan('now', { startTime: [1_763_000_000, 123_456_789] }).end([1_763_000_001, 999_999_999]);
      t.startSpan('epoch', { startTime: [0, 1] }).end([0, 2]);
      t.startSpan('far', { startTime: [4_000_000_000, 5] }).end([4_000_000_000, 6]);
    });
    const s = decode(encodeTraceRequest(spans)).resourceSpans[0].scopeSpans[0].spans;
    expect(s.map((x: { startTimeUnixNano: string }) => x.startTimeUnixNano)).toEqual(['1763000000123456789', '1', '4000000000000000005']);
    expect(s[0].endTimeUnixNano).toBe('1763000001999999999');
    expect(decode(encodeTraceRequest(spans))).toEqual(decode(ProtobufTraceSerializer.serializeRequest(spans)!));
  });

  it('a batch of 2000 spans: identical, and the resource and scope are written once', () => {
    const spans = collect({ 'service.name': 'batch' }, (p) => {
      const t = p.getTracer('batch-scope', '1');
      for (let i = 0; i < 2000; i++) t.startSpan(`span ${i}`, { attributes: { i, 'gen_ai.request.model': i % 2 ? 'gpt-4o' : 'claude', ok: i % 3 === 0 } }).end();
    });
    const ours = decode(encodeTraceRequest(spans));
    expect(ours).toEqual(decode(ProtobufTraceSerializer.serializeRequest(spans)!));
    expect(ours.resourceSpans).toHaveLength(1);
    expect(ours.resourceSpans[0].scopeSpans).toHaveLength(1);
    expect(ours.resourceSpans[0].scopeSpans[0].spans).toHaveLength(2000);
  });

  it('reads a partial-success response', () => {
    const bytes = Response.encode(Response.create({ partialSuccess: { rejectedSpans: 3, errorMessage: 'too big' } })).finish();
    expect(decodeTraceResponse(bytes)).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'too big' } });
    expect(decodeTraceResponse(new Uint8Array(0))).toEqual({});
  });
});
