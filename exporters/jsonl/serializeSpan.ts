import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Attributes, Link } from '@opentelemetry/api';
import { durationMsText, isoMicros } from './isoTime.js';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceSink } from './ResourceFile.js';
import { scopeJson, serviceOf } from './resources.js';

// Fixed text between the values is joined ahead of time: fewer pieces per row for V8 to concatenate
// and then flatten when the row is encoded.
const KIND_THEN_START = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map((k) => `,"kind":"${k}","start_time":"`);
// Every row has its status and duration (the files' contract: DESIGN.md, semconv/README.md).
const STATUS = ['UNSET', 'OK', 'ERROR'].map((c) => `,"status_code":"${c}"`);

// JSON.stringify of the attribute map was over half of a row's cost (~70 ns a key). Keys repeat from
// span to span, so their JSON is cached; plain strings, numbers and booleans are written directly.
// Any other value (arrays, null, odd values) sends the whole map through JSON.stringify, as before:
// the text is the same byte for byte either way.
const KEY_CACHE_MAX = 4096;
/**
 * A key's JSON with what comes before it (`{` first, `,` after) and, for string values, the opening
 * quote; and the last plain string value written under it, whole (keys mostly repeat their value from
 * span to span: agent, model, run id), so that value costs no escape test and one concatenation.
 */
interface KeyText { open: string; next: string; openQ: string; nextQ: string; lastValue: string | undefined; lastOpen: string; lastNext: string }
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
    t = { open: '{' + json, next: ',' + json, openQ: '{' + json + '"', nextQ: ',' + json + '"', lastValue: undefined, lastOpen: '', lastNext: '' };
    if (keyTextCache.size < KEY_CACHE_MAX) keyTextCache.set(key, t);
  }
  return t;
}

/**
 * A number's JSON. Formatting a fraction takes ~0.2 µs (an integer ~30 ns): the last one is remembered
 * (a call's cost and its run's cost, when the run made one call, are the same number).
 */
let lastFraction = 0.5;
let lastFractionText = '0.5';
function numberJson(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (v === lastFraction) return lastFractionText;
  if (!Number.isFinite(v)) return 'null';
  lastFraction = v;
  return (lastFractionText = String(v));
}

/** Longest string value remembered per key (a key's content values are long and rarely repeat). */
const LAST_VALUE_MAX = 128;

/** `JSON.stringify(attributes)`, faster for the usual maps of strings, numbers and booleans. */
export function attributesJson(attributes: Attributes): string {
  let out = '';
  for (const key in attributes) {
    const v: unknown = attributes[key];
    if (v === undefined) continue; // JSON.stringify leaves the key out
    const t = keyText(key);
    if (typeof v === 'string') {
      if (v === t.lastValue) out += out === '' ? t.lastOpen : t.lastNext;
      else if (PLAIN.test(v)) {
        if (v.length <= LAST_VALUE_MAX) {
          t.lastValue = v;
          t.lastOpen = t.openQ + v + '"';
          t.lastNext = t.nextQ + v + '"';
          out += out === '' ? t.lastOpen : t.lastNext;
        } else out += (out === '' ? t.openQ : t.nextQ) + v + '"';
      } else out += (out === '' ? t.open : t.next) + JSON.stringify(v);
    } else if (typeof v === 'number') out += (out === '' ? t.open : t.next) + numberJson(v);
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
  return JSON.stringify(links.map((l) => ({
    trace_id: l.context.traceId, span_id: l.context.spanId, attributes: l.attributes ?? {},
  })));
}

/**
 * One span → one JSONL row (format v3), without the tail that names its resource and scope (the same
 * for every span of a tracer, appended by the caller). Fields whose default is "nothing" are left out
 * (semconv SPAN_DEFAULTS: no parent, no message, no events or links); status and duration are always written.
 * Hand-built: no intermediate row object, ids and enums need no escaping, user strings and attribute
 * maps go through JSON.stringify.
 */
export function serializeSpanHead(span: ReadableSpan): string {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  const msg = span.status.message;
  return '{"trace_id":"' + ctx.traceId +
    '","span_id":"' + ctx.spanId +
    (parent ? '","parent_span_id":"' + parent + '","name":' : '","name":') + stringJson(span.name) +
    KIND_THEN_START[span.kind] + isoMicros(span.startTime) +
    '","end_time":"' + isoMicros(span.endTime) + '","duration_ms":' + durationMsText(span.startTime, span.endTime) +
    (STATUS[span.status.code] ?? STATUS[0]) + (msg ? ',"status_message":' + JSON.stringify(msg) : '') +
    ',"attributes":' + attributesJson(span.attributes) +
    (span.events.length === 0 ? '' : ',"events":' + eventsJson(span)) +
    (span.links.length === 0 ? '' : ',"links":' + linksJson(span.links));
}

/**
 * The tail of each row: `,"resource_id":"…"}\n` when the resource and scope are written once to
 * `resources/` (`id` given), else all inline: `,"service_name":…,"scope":{…},"resource":{…}}\n`.
 */
export function resourceTail(attributes: Record<string, unknown>, scope: InstrumentationScope, id?: string): string {
  return id !== undefined ? ',"resource_id":"' + id + '"}\n'
    : ',"service_name":' + JSON.stringify(serviceOf(attributes)) + ',"scope":' + scopeJson(scope) +
      ',"resource":' + JSON.stringify(attributes) + '}\n';
}

/** A row tail, as text and as UTF-8 bytes (copied onto each row: cheaper than encoding it every time). */
export interface Tail { text: string; bytes: Buffer }

/**
 * The tails of a batch's rows, kept from one row to the next (rows share a handful of resource and scope
 * pairs): the id when `resources` has written the pair once, else everything inline. One that could not
 * be written is asked for again with the next row.
 */
export class ResourceTails {
  private resource: Resource | undefined;
  private readonly byScope = new Map<InstrumentationScope, Tail>();
  /** The last pair asked about (most rows of a batch share it): no map lookup. */
  private lastScope: InstrumentationScope | undefined;
  private lastTail: Tail | undefined;

  constructor(private readonly resources?: ResourceSink) {}

  of(resource: Resource, scope: InstrumentationScope): Tail {
    if (resource === this.resource && scope === this.lastScope) return this.lastTail!;
    if (resource !== this.resource) {
      this.resource = resource;
      this.byScope.clear();
    }
    let tail = this.byScope.get(scope);
    if (tail === undefined) {
      const id = this.resources?.idFor(resource, scope);
      const text = resourceTail(resource.attributes as Record<string, unknown>, scope, id);
      tail = { text, bytes: Buffer.from(text, 'utf8') };
      // the inline fallback of a failed write is asked for again, and so is a resource still changing
      if ((id === undefined && this.resources) || resource.asyncAttributesPending || this.byScope.size >= 256) {
        this.lastScope = undefined;
        return tail;
      }
      this.byScope.set(scope, tail);
    }
    this.lastScope = scope;
    this.lastTail = tail;
    return tail;
  }
}
