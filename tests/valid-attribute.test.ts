import { describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { setValidAttribute } from '../dist/src/pipeline/validAttribute.js';

function sdk(spanLimits?: { attributeCountLimit?: number; attributeValueLengthLimit?: number }) {
  const ended: ReadableSpan[] = [];
  const recorder = { onStart() {}, onEnd: (s: ReadableSpan) => ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new TracerProvider({ spanLimits, spanProcessors: [recorder] });
  return { tracer: provider.getTracer('t'), exporter: { getFinishedSpans: () => ended } };
}

// The SDK's rules, as span.setAttribute() applies them, on real SDK spans.
describe('setValidAttribute', () => {
  it('writes the value into the span, as setAttribute does', () => {
    const { tracer, exporter } = sdk();
    const span = tracer.startSpan('s', { attributes: { a: 'x' } });
    setValidAttribute(span, 'b', 'y');
    setValidAttribute(span, 'a', 2);
    setValidAttribute(span, 'c', true);
    span.end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ a: 2, b: 'y', c: true });
  });

  it('keeps the attribute count limit: a new key past it is dropped and counted, an existing one is overwritten', () => {
    const { tracer, exporter } = sdk({ attributeCountLimit: 2 });
    const warned: string[] = [];
    diag.setLogger({ warn: (m: string) => warned.push(m), error() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    const span = tracer.startSpan('s', { attributes: { a: 1 } });
    setValidAttribute(span, 'b', 2);
    setValidAttribute(span, 'c', 3);
    setValidAttribute(span, 'a', 4);
    span.end();
    diag.disable();
    const s = exporter.getFinishedSpans()[0]!;
    expect(s.attributes).toEqual({ a: 4, b: 2 });
    expect(s.droppedAttributesCount).toBe(1);
    expect(warned.join()).toContain('Dropping extra attributes');
  });

  it('keeps the value length limit: a longer string is truncated by the SDK', () => {
    const { tracer, exporter } = sdk({ attributeValueLengthLimit: 4 });
    const span = tracer.startSpan('s');
    setValidAttribute(span, 'long', 'abcdefgh');
    setValidAttribute(span, 'short', 'abc');
    span.end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ long: 'abcd', short: 'abc' });
  });

  it('changes nothing once the span has ended, and accepts a span that is not the SDK\'s', () => {
    const { tracer, exporter } = sdk();
    const span = tracer.startSpan('s');
    span.end();
    setValidAttribute(span, 'late', 'x');
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({});
    const nonRecording = trace.wrapSpanContext(span.spanContext());
    expect(() => setValidAttribute(nonRecording, 'k', 'v')).not.toThrow();
  });
});
