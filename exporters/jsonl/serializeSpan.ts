import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Link } from '@opentelemetry/api';
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

function eventsJson(span: ReadableSpan): string {
  const events = span.events;
  if (events.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) out += ',';
    out += '{"name":' + JSON.stringify(e.name) + ',"time":"' + isoMicros(e.time) + '","attributes":' +
      JSON.stringify(e.attributes ?? {}) + '}';
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
    ',"name":' + JSON.stringify(span.name) +
    ',"kind":' + KINDS[span.kind] +
    ',"start_time":"' + isoMicros(span.startTime) +
    '","end_time":"' + isoMicros(span.endTime) +
    '","duration_ms":' + durationMs(span.duration) +
    ',"status_code":' + STATUS[span.status.code] +
    ',"status_message":' + (msg ? JSON.stringify(msg) : 'null') +
    ',"scope":' + scopeJson(span.instrumentationScope) +
    ',"attributes":' + JSON.stringify(span.attributes) +
    ',"events":' + eventsJson(span) +
    ',"links":' + linksJson(span.links);
}

/** The per-resource tail of each row: `,"service_name":…,"resource":{…}}\n`. */
export function resourceTail(attributes: Record<string, unknown>): string {
  const service = attributes['service.name'];
  return ',"service_name":' + JSON.stringify(typeof service === 'string' ? service : 'unknown_service') +
    ',"resource":' + JSON.stringify(attributes) + '}\n';
}
