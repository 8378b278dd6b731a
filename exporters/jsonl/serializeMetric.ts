import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricRow, MetricType } from '../../semconv/schema.js';
import { isoMicros } from './isoTime.js';
import { serviceOf } from './resources.js';
import type { ResourceSink } from './ResourceFile.js';

const TYPES: Record<DataPointType, MetricType> = {
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.SUM]: 'sum',
};

/** A metric row as written: format v3 leaves null `temporality`/`monotonic` out, and names resource and scope by id. */
export type MetricRowOut = Omit<MetricRow, 'temporality' | 'monotonic' | 'service_name' | 'scope'> &
  Partial<Pick<MetricRow, 'temporality' | 'monotonic' | 'service_name' | 'scope'>>;

/**
 * One row per data point (metric volume is low, so plain objects and JSON.stringify). With `resources`
 * (each resource and scope written once to `resources/`) rows name theirs by id; without, or when it
 * could not be written, they carry the service name, scope and resource inline.
 */
export function metricRows(rm: ResourceMetrics, resources?: ResourceSink): MetricRowOut[] {
  const resource = rm.resource.attributes as Record<string, unknown>;
  const rows: MetricRowOut[] = [];
  for (const sm of rm.scopeMetrics) {
    const id = resources?.idFor(rm.resource, sm.scope);
    const named = id === undefined
      ? { service_name: serviceOf(resource), scope: { name: sm.scope.name, version: sm.scope.version ?? null }, resource }
      : { resource_id: id };
    for (const metric of sm.metrics) {
      const type = TYPES[metric.dataPointType];
      const temporality = metric.dataPointType === DataPointType.GAUGE ? null
        : metric.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
      const monotonic = metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : null;
      for (const dp of metric.dataPoints) {
        const row: MetricRowOut = {
          time: isoMicros(dp.endTime), start_time: isoMicros(dp.startTime), name: metric.descriptor.name,
          unit: metric.descriptor.unit, type, ...(temporality === null ? {} : { temporality }),
          ...(monotonic === null ? {} : { monotonic }), attributes: dp.attributes, ...named,
        };
        const v = dp.value as unknown;
        if (typeof v === 'number') {
          row.value = v;
        } else if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const h = v as { count: number; sum?: number; min?: number; max?: number; buckets: { boundaries: number[]; counts: number[] } };
          Object.assign(row, { count: h.count, sum: h.sum ?? null, min: h.min ?? null, max: h.max ?? null,
            bounds: h.buckets.boundaries, bucket_counts: h.buckets.counts });
        } else {
          const h = v as { count: number; sum?: number; min?: number; max?: number };
          Object.assign(row, { count: h.count, sum: h.sum ?? null, min: h.min ?? null, max: h.max ?? null });
        }
        rows.push(row);
      }
    }
  }
  return rows;
}
