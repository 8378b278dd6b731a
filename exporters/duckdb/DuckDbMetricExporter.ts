import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { metricRows } from '../jsonl/serializeMetric.js';
import { metricRowTemporality } from '../temporality.js';
import type { DuckDbWriter } from './DuckDbWriter.js';

/** Metric points straight into DuckDB, for when JSONL files are off (same rows and temporality). */
export class DuckDbMetricExporter implements PushMetricExporter {
  selectAggregationTemporality = metricRowTemporality;

  constructor(private readonly writer: DuckDbWriter) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const text = metricRows(metrics).map((r) => JSON.stringify(r) + '\n').join('');
    if (text) this.writer.add({ signal: 'metrics', buf: Buffer.from(text), file: null });
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  /** The writer is shared with the span exporter: its owner closes it. */
  shutdown(): Promise<void> {
    return this.writer.flush();
  }
}
