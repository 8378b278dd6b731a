import type { Attributes, Span } from '@opentelemetry/api';

/** The SDK span's own fields that setAttribute() keeps (@opentelemetry/sdk-trace 2.x/3.x). */
interface SdkSpanFields {
  attributes?: Attributes;
  _attributesCount?: number;
  _spanLimits?: { attributeCountLimit?: number; attributeValueLengthLimit?: number };
}

/**
 * `span.setAttribute(key, value)` for a value already known to be valid (a string, finite number or
 * boolean the package made or checked), written straight into the SDK span's attributes. The SDK checks
 * each value with isAnyValue(), which allocates a WeakSet per value; the helpers and the run context set
 * ~10 such attributes per agent iteration. The SDK's rules are kept: nothing once the span has ended,
 * the attribute count limit (a new key past it goes to setAttribute, which counts the drop) and the
 * value length limit (a longer string too). Any other span, or an SDK without these fields: setAttribute.
 */
export function setValidAttribute(span: Span, key: string, value: string | number | boolean): void {
  const s = span as unknown as SdkSpanFields;
  const attrs = s.attributes;
  const limits = s._spanLimits;
  const count = s._attributesCount;
  if (typeof count !== 'number' || !limits || !attrs || typeof attrs !== 'object' || !span.isRecording()
    || (typeof value === 'string' && !(value.length <= (limits.attributeValueLengthLimit ?? Infinity)))) {
    span.setAttribute(key, value);
    return;
  }
  if (!Object.hasOwn(attrs, key)) {
    if (!(count < (limits.attributeCountLimit ?? 128))) { span.setAttribute(key, value); return; }
    s._attributesCount = count + 1;
  }
  attrs[key] = value;
}
