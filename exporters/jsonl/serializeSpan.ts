import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Attributes, Link } from '@opentelemetry/api';
import { durationMs, isoMicros } from './isoTime.js';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceSink } from './ResourceFile.js';
import { serviceOf } from './resources.js';

// Fixed text between the values is joined ahead of time: fewer pieces per row for V8 to concatenate
// and then flatten when the row is encoded.
const KIND_THEN_START = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((k) => `,"kind":"${k}","start_time":"`);
const STATUS_THEN_MESSAGE = ['UNSET', 'OK', 'ERROR'].map((c) => `,"status_code":"${c}","status_message":`);

// Spans of one tracer share one scope object: remember the last one's JSON (with the text around it).
let lastScope: InstrumentationScope | undefined;
let lastScopeJson = '';
function scopeThenAttributes(scope: InstrumentationScope): string {
  if (scope !== lastScope) {
    lastScope = scope;
    lastScopeJson = ',"scope":' + JSON.stringify({ name: scope.name, version: scope.version ?? null }) + ',"attributes":';
  }
  return lastScopeJson;
}

// JSON.stringify of the attribute map was over half of a row's cost (~70 ns a key). Keys repeat from
// span to span, so their JSON is cached; plain strings, numbers and booleans are written directly.
// Any other value (arrays, null, odd values) sends the whole map through JSON.stringify, as before:
// the text is the same byte for byte either way.
const KEY_CACHE_MAX = 4096;
/** A key's JSON with what comes before it (`{` first, `,` after) and, for string values, the opening quote. */
interface KeyText { open: string; next: string; openQ: string; nextQ: string }
const keyTextCache = new Map<string, KeyText>();
// A string JSON.stringify leaves as it is between quotes (no quote, backslash, control character
// or surrogate).
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify(s)` for a string, without the call for the usual plain text. */
const stringJson = (s: string): string => (PLAIN.test(s) ? '"' + s + '"' : JSON.stringify(s));

function keyText(key: string): KeyText {
  let t = keyTextCache.get(key);
  if (t === undefined) {
    const json = JSON.stringify(key) + ':';
    t = { open: '{' + json, next: ',' + json, openQ: '{' + json + '"', nextQ: ',' + json + '"' };
    if (keyTextCache.size < KEY_CACHE_MAX) keyTextCache.set(key, t);
  }
  return t;
}

/** `JSON.stringify(attributes)`, faster for the usual maps of strings, numbers and booleans. */
export function attributesJson(attributes: Attributes): string {
  let out = '';
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v: unknown = attributes[key];
    if (v === undefined) continue; // JSON.stringify leaves the key out
    const t = keyText(key);
    if (typeof v === 'string') {
      if (PLAIN.test(v)) out += (out === '' ? t.openQ : t.nextQ) + v + '"';
      else out += (out === '' ? t.open : t.next) + JSON.stringify(v);
    } else if (typeof v === 'number') out += (out === '' ? t.open : t.next) + (Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'boolean') out += (out === '' ? t.open : t.next) + (v ? 'true' : 'false');
    else return JSON.stringify(attributes);
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
    KIND_THEN_START[span.kind] + isoMicros(span.startTime) +
    '","end_time":"' + isoMicros(span.endTime) +
    '","duration_ms":' + durationMs(span.duration) +
    STATUS_THEN_MESSAGE[span.status.code] + (msg ? JSON.stringify(msg) : 'null') +
    scopeThenAttributes(span.instrumentationScope) + attributesJson(span.attributes) +
    (span.events.length === 0 && span.links.length === 0 ? ',"events":[],"links":[]'
      : ',"events":' + eventsJson(span) + ',"links":' + linksJson(span.links));
}

/**
 * The per-resource tail of each row: `,"service_name":…,"resource_id":"…"}\n` when the resource is
 * written once to `resources/` (`id` given), else `,"service_name":…,"resource":{…}}\n` (inline).
 */
export function resourceTail(attributes: Record<string, unknown>, id?: string): string {
  return ',"service_name":' + JSON.stringify(serviceOf(attributes)) +
    (id === undefined ? ',"resource":' + JSON.stringify(attributes) : ',"resource_id":"' + id + '"') + '}\n';
}

/**
 * The tail of the rows of a batch, kept from one row to the next (a batch's rows share their resource):
 * the resource's id when `resources` has written it once, else the resource inline. One that could not
 * be written is asked for again with the next resource change or batch.
 */
export class ResourceTails {
  private last: Resource | undefined;
  private tail = '';

  constructor(private readonly resources?: ResourceSink) {}

  of(resource: Resource): string {
    if (resource !== this.last) {
      const id = this.resources?.idFor(resource);
      this.tail = resourceTail(resource.attributes as Record<string, unknown>, id);
      this.last = id === undefined && this.resources ? undefined : resource;
    }
    return this.tail;
  }
}
