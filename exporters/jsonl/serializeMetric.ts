import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricRow, MetricType } from '../../semconv/schema.js';
import { isoMicros } from './isoTime.js';
import { serviceOf } from './resources.js';

const TYPES: Record<DataPointType, MetricType> = {
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.SUM]: 'sum',
};

/**
 * One row per data point (metric volume is low, so plain objects and JSON.stringify). With `resourceId`
 * (the resource's row is in `resources/`) rows name it; without, they carry it inline.
 */
export function metricRows(rm: ResourceMetrics, resourceId?: string): MetricRow[] {
  const resource = rm.resource.attributes as Record<string, unknown>;
  const service = serviceOf(resource);
  const res = resourceId === undefined ? { resource } : { resource_id: resourceId };
  const rows: MetricRow[] = [];
  for (const sm of rm.scopeMetrics) {
    const scope = { name: sm.scope.name, version: sm.scope.version ?? null };
    for (const metric of sm.metrics) {
      const type = TYPES[metric.dataPointType];
      const temporality = metric.dataPointType === DataPointType.GAUGE ? null
        : metric.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
      const monotonic = metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : null;
      for (const dp of metric.dataPoints) {
        const row: MetricRow = {
          time: isoMicros(dp.endTime), start_time: isoMicros(dp.startTime), name: metric.descriptor.name,
          unit: metric.descriptor.unit, type, temporality, monotonic, attributes: dp.attributes,
          service_name: service, ...res, scope,
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
