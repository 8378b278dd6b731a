import { SpanKind, SpanStatusCode, TraceFlags, type HrTime, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { RowSignal, SpanRow } from '../../semconv/schema.js';
import { hrTimeFromIso } from '../../exporters/jsonl/isoTime.js';
import { withDefaults, type ResourceLookup } from '../../exporters/jsonl/resources.js';

const KINDS: Record<string, SpanKind> = {
  INTERNAL: SpanKind.INTERNAL, SERVER: SpanKind.SERVER, CLIENT: SpanKind.CLIENT, PRODUCER: SpanKind.PRODUCER, CONSUMER: SpanKind.CONSUMER,
};
const STATUS: Record<string, SpanStatusCode> = { UNSET: SpanStatusCode.UNSET, OK: SpanStatusCode.OK, ERROR: SpanStatusCode.ERROR };
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** A row that cannot become an OTLP span (named in the message). */
export class BadRowError extends Error {}

/** `2026-11-21T23:38:05.123456Z` (any fraction length, or none) → HrTime, to the nanosecond given. */
export function isoToHrTime(iso: string, field: string): HrTime {
  const time = hrTimeFromIso(iso);
  if (!time) throw new BadRowError(`${field} is not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return time;
}

/** Shares Resource and scope objects between rows, so OTLP groups spans per resource and scope. */
export class RowConverter {
  private readonly resources = new Map<string, Resource>();
  private readonly scopes = new Map<string, InstrumentationScope>();

  /** `lookup`: the directory's resources, for rows that name theirs (and their scope) by `resource_id`. */
  constructor(private readonly lookup?: ResourceLookup) {}

  /** The row with what its `resource_id` names filled in and the fields left out at their default put back. */
  fill<T>(row: T, signal: RowSignal): T {
    return this.lookup ? this.lookup.fill(row, signal) : withDefaults(row, signal);
  }

  /**
   * The row's resource (inline in older rows, else filled in from the one its `resource_id` names; failing
   * both just its service name), one object per distinct resource.
   */
  resourceOf(row: Pick<SpanRow, 'resource' | 'resource_id' | 'service_name'>): Resource {
    const attrs = row.resource && typeof row.resource === 'object' ? row.resource : { 'service.name': row.service_name };
    const key = JSON.stringify(attrs);
    let r = this.resources.get(key);
    if (!r) this.resources.set(key, (r = resourceFromAttributes(attrs as Attributes)));
    return r;
  }

  scopeOf(row: { scope?: { name?: string | null; version?: string | null } | null }, fallback = 'unknown'): InstrumentationScope {
    const name = row.scope?.name ?? fallback;
    const version = row.scope?.version ?? undefined;
    const key = `${name}\u0000${version ?? ''}`;
    let s = this.scopes.get(key);
    if (!s) this.scopes.set(key, (s = version ? { name, version } : { name }));
    return s;
  }

  /** One JSONL span row → the ReadableSpan the OTLP exporters serialize (ids, parent, times, attributes, events, links, status, kind, resource, scope). */
  toSpan(row: SpanRow): ReadableSpan {
    if (!row || typeof row !== 'object') throw new BadRowError('not a JSON object');
    this.fill(row, 'spans');
    const traceId = row.trace_id;
    const spanId = row.span_id;
    if (!HEX32.test(traceId)) throw new BadRowError(`trace_id is not 32 hex digits: ${JSON.stringify(traceId)}`);
    if (!HEX16.test(spanId)) throw new BadRowError(`span_id is not 16 hex digits: ${JSON.stringify(spanId)}`);
    const parent = row.parent_span_id;
    if (parent != null && !HEX16.test(parent)) throw new BadRowError(`parent_span_id is not 16 hex digits: ${JSON.stringify(parent)}`);
    const startTime = isoToHrTime(row.start_time, 'start_time');
    const endTime = isoToHrTime(row.end_time, 'end_time');
    let dNanos = (endTime[0] - startTime[0]) * 1e9 + (endTime[1] - startTime[1]);
    if (dNanos < 0) dNanos = 0;
    const ctx = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
    return {
      name: String(row.name),
      kind: KINDS[row.kind] ?? SpanKind.INTERNAL,
      spanContext: () => ctx,
      parentSpanContext: parent ? { traceId, spanId: parent, traceFlags: TraceFlags.SAMPLED } : undefined,
      startTime,
      endTime,
      duration: [Math.floor(dNanos / 1e9), dNanos % 1e9],
      status: { code: STATUS[row.status_code] ?? SpanStatusCode.UNSET, ...(row.status_message ? { message: row.status_message } : {}) },
      attributes: (row.attributes ?? {}) as Attributes,
      links: (row.links ?? []).map((l) => ({
        context: { traceId: l.trace_id, spanId: l.span_id, traceFlags: TraceFlags.SAMPLED },
        attributes: (l.attributes ?? {}) as Attributes,
      })),
      events: (row.events ?? []).map((e) => ({ name: e.name, time: isoToHrTime(e.time, 'events[].time'), attributes: (e.attributes ?? {}) as Attributes })),
      ended: true,
      resource: this.resourceOf(row),
      instrumentationScope: this.scopeOf(row),
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }
}
