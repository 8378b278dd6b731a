import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';

/**
 * Temporality of the metric rows agent-otel stores (JSONL files and DuckDB alike): counters and histograms
 * as deltas, so each row is what happened in its interval and SQL can simply sum them; up-down counters and
 * gauges cumulative, since their current level is what matters.
 */
export function metricRowTemporality(type: InstrumentType): AggregationTemporality {
  return type === InstrumentType.UP_DOWN_COUNTER || type === InstrumentType.OBSERVABLE_UP_DOWN_COUNTER ||
    type === InstrumentType.OBSERVABLE_GAUGE || type === InstrumentType.GAUGE
    ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA;
}
