import type { Meter } from '@opentelemetry/api';
import { AGENT_OTEL_DROP_REASON } from '../../semconv/attributes.js';
import { METRIC_POINTS_DROPPED, METRIC_SPANS_DROPPED, UNIT_POINT, UNIT_SPAN } from '../../semconv/metrics.js';
import type { DropCounter } from '../../exporters/dropCounter.js';

/** Exposes the drop counts as counters, so a dashboard or alert sees lost telemetry. */
export function registerSelfMetrics(meter: Meter, drops: DropCounter): void {
  const spans = meter.createObservableCounter(METRIC_SPANS_DROPPED, {
    unit: UNIT_SPAN, description: 'Spans agent-otel could not deliver, by reason (queue_full, export_failed, serialize_failed)',
  });
  const points = meter.createObservableCounter(METRIC_POINTS_DROPPED, {
    unit: UNIT_POINT, description: 'Metric data points agent-otel could not deliver, by reason',
  });
  meter.addBatchObservableCallback((result) => {
    // Always report the spans counter, so that "no drops" is a 0 and not a missing series.
    let sawSpans = false;
    for (const [signal, reason, n] of drops.entries()) {
      if (signal === 'spans') { sawSpans = true; result.observe(spans, n, { [AGENT_OTEL_DROP_REASON]: reason }); }
      else if (signal === 'metric_points') result.observe(points, n, { [AGENT_OTEL_DROP_REASON]: reason });
    }
    if (!sawSpans) result.observe(spans, 0, { [AGENT_OTEL_DROP_REASON]: 'queue_full' });
  }, [spans, points]);
}
