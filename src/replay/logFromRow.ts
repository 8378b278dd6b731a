import { TraceFlags, type AnyValue, type Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogRow } from '../../semconv/logs.js';
import type { ResourceLookup } from '../../exporters/jsonl/resources.js';
import { BadRowError, isoToHrTime, RowConverter } from './spanFromRow.js';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** JSONL log rows → the ReadableLogRecords the OTLP log exporters serialize (resources and scopes shared). */
export class LogRowConverter {
  private readonly rows: RowConverter;

  constructor(lookup?: ResourceLookup) {
    this.rows = new RowConverter(lookup);
  }

  toLogRecord(row: LogRow): ReadableLogRecord {
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new BadRowError('not a JSON object');
    this.rows.fill(row, 'logs');
    const hrTime = isoToHrTime(row.time, 'time');
    const { trace_id: traceId, span_id: spanId } = row;
    if (traceId != null && !HEX32.test(traceId)) throw new BadRowError(`trace_id is not 32 hex digits: ${JSON.stringify(traceId)}`);
    if (spanId != null && !HEX16.test(spanId)) throw new BadRowError(`span_id is not 16 hex digits: ${JSON.stringify(spanId)}`);
    const sev = row.severity_number;
    if (sev != null && !(Number.isInteger(sev) && sev >= 0 && sev <= 24)) throw new BadRowError(`severity_number is not 0 to 24: ${JSON.stringify(sev)}`);
    const attributes = row.attributes && typeof row.attributes === 'object' && !Array.isArray(row.attributes) ? row.attributes : {};
    return {
      hrTime,
      hrTimeObserved: hrTime,
      ...(traceId && spanId ? { spanContext: { traceId, spanId, traceFlags: TraceFlags.SAMPLED } } : {}),
      ...(row.severity_text != null ? { severityText: String(row.severity_text) } : {}),
      ...(sev ? { severityNumber: sev } : {}),
      ...(row.body !== null && row.body !== undefined ? { body: row.body as AnyValue } : {}),
      ...(row.event_name ? { eventName: String(row.event_name) } : {}),
      resource: this.rows.resourceOf(row),
      // The scope is the logger: its name is the row's component.
      instrumentationScope: this.rows.scopeOf(row, typeof row.component === 'string' ? row.component : 'unknown'),
      attributes: attributes as Attributes,
      droppedAttributesCount: 0,
    };
  }
}
