import type { Meter } from '@opentelemetry/api';
import { DropCounter } from '../../exporters/dropCounter.js';
import { AGENT_OTEL_DROP_REASON } from '../../semconv/attributes.js';
import { METRIC_LOG_RECORDS_DROPPED, UNIT_LOG_RECORD } from '../../semconv/logs.js';

type AnySignalAdd = (signal: string, reason: string, n: number, detail?: string) => void;

/**
 * Log records that could not be delivered, by reason: a DropCounter of their own (warned once per
 * reason, like spans), read by the logs pipeline's health and the `agent_otel.log_records.dropped`
 * self-metric.
 */
export class LogDrops {
  private readonly counter = new DropCounter();

  add(reason: string, n: number, detail?: string): void {
    (this.counter.add as AnySignalAdd).call(this.counter, 'log_records', reason, n, detail);
  }

  /** [reason, count] for every kind of drop seen so far. */
  entries(): Array<[reason: string, count: number]> {
    return this.counter.entries().map(([, reason, n]) => [reason, n]);
  }

  total(): number {
    return this.entries().reduce((s, [, n]) => s + n, 0);
  }

  /** The counter on a meter; reports 0 while nothing was dropped, so that "no drops" is a series. */
  observe(meter: Meter): void {
    const counter = meter.createObservableCounter(METRIC_LOG_RECORDS_DROPPED, {
      unit: UNIT_LOG_RECORD, description: 'Log records agent-otel could not deliver, by reason (queue_full, export_failed, serialize_failed)',
    });
    counter.addCallback((result) => {
      const entries = this.entries();
      if (entries.length === 0) result.observe(0, { [AGENT_OTEL_DROP_REASON]: 'queue_full' });
      for (const [reason, n] of entries) result.observe(n, { [AGENT_OTEL_DROP_REASON]: reason });
    });
  }
}
