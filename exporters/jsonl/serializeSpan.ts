import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Attributes, Link } from '@opentelemetry/api';
import { durationMs, isoMicros } from './isoTime.js';

const KINDS = ['"INTERNAL"', '"SERVER"', '"CLIENT"', '"PRODUCER"', '"CONSUMER"'];
const STATUS = ['"UNSET"', '"OK"', '"ERROR"'];

// Spans of one tracer share one scope object: remember the last one's JSON.
let lastScope: InstrumentationScope | undefined;
let lastScopeJson = '';
function scopeJson(scope: InstrumentationScope): string {
  if (scope !== lastScope) {
    lastScope = scope;
    lastScopeJson = JSON.stringify({ name: scope.name, version: scope.version ?? null });
  }
  return lastScopeJson;
}

// JSON.stringify of the attribute map was over half of a row's cost (~70 ns a key). Keys repeat from
// span to span, so their JSON is cached; plain strings, numbers and booleans are written directly.
// Any other value (arrays, null, odd values) sends the whole map through JSON.stringify, as before:
// the text is the same byte for byte either way.
const KEY_CACHE_MAX = 4096;
const keyJsonCache = new Map<string, string>();
// A string JSON.stringify leaves as it is between quotes (no quote, backslash, control character
// or surrogate).
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify(s)` for a string, without the call for the usual plain text. */
const stringJson = (s: string): string => (PLAIN.test(s) ? '"' + s + '"' : JSON.stringify(s));

function keyJson(key: string): string {
  let json = keyJsonCache.get(key);
  if (json === undefined) {
    json = JSON.stringify(key) + ':';
    if (keyJsonCache.size < KEY_CACHE_MAX) keyJsonCache.set(key, json);
  }
  return json;
}

/** `JSON.stringify(attributes)`, faster for the usual maps of strings, numbers and booleans. */
export function attributesJson(attributes: Attributes): string {
  let out = '';
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v: unknown = attributes[key];
    let json: string;
    if (typeof v === 'string') json = stringJson(v);
    else if (typeof v === 'number') json = Number.isFinite(v) ? String(v) : 'null';
    else if (typeof v === 'boolean') json = v ? 'true' : 'false';
    else if (v === undefined) continue; // JSON.stringify leaves the key out
    else return JSON.stringify(attributes);
    out += (out === '' ? '{' : ',') + keyJson(key) + json;
  }
  return out === '' ? '{}' : out + '}';
}

function eventsJson(span: ReadableSpan): string {
  const events = span.events;
  if (events.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) out += ',';
    out += '{"name":' + JSON.stringify(e.name) + ',"time":"' + isoMicros(e.time) + '","attributes":' +
      attributesJson(e.attributes ?? {}) + '}';
  }
  return out + ']';
}

function linksJson(links: Link[]): string {
  if (links.length === 0) return '[]';
  return JSON.stringify(links.map((l) => ({
    trace_id: l.context.traceId, span_id: l.context.spanId, attributes: l.attributes ?? {},
  })));
}

/**
 * One span → one JSONL row (without the trailing service/resource part, which is the same for every
 * span of a batch and is appended by the caller). Hand-built: no intermediate row object, ids and
 * enums need no escaping, user strings and attribute maps go through JSON.stringify.
 */
export function serializeSpanHead(span: ReadableSpan): string {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  const msg = span.status.message;
  return '{"trace_id":"' + ctx.traceId +
    '","span_id":"' + ctx.spanId +
    '","parent_span_id":' + (parent ? '"' + parent + '"' : 'null') +
    ',"name":' + stringJson(span.name) +
    ',"kind":' + KINDS[span.kind] +
    ',"start_time":"' + isoMicros(span.startTime) +
    '","end_time":"' + isoMicros(span.endTime) +
    '","duration_ms":' + durationMs(span.duration) +
    ',"status_code":' + STATUS[span.status.code] +
    ',"status_message":' + (msg ? JSON.stringify(msg) : 'null') +
    ',"scope":' + scopeJson(span.instrumentationScope) +
    ',"attributes":' + attributesJson(span.attributes) +
    ',"events":' + eventsJson(span) +
    ',"links":' + linksJson(span.links);
}

/** The per-resource tail of each row: `,"service_name":…,"resource":{…}}\n`. */
export function resourceTail(attributes: Record<string, unknown>): string {
  const service = attributes['service.name'];
  return ',"service_name":' + JSON.stringify(typeof service === 'string' ? service : 'unknown_service') +
    ',"resource":' + JSON.stringify(attributes) + '}\n';
}
