import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DIR_METRICS } from '../../semconv/schema.js';
import { AppendFile } from './AppendFile.js';
import type { JsonlExporterOptions } from './JsonlSpanExporter.js';
import { metricRows } from './serializeMetric.js';
import { ResourceFile } from './ResourceFile.js';
import { metricRowTemporality } from '../temporality.js';

/**
 * Writes one JSONL row per metric data point to `<root>/metrics/` (resources once to `<root>/resources/`). Counters and histograms are
 * exported as deltas, up-down counters and gauges cumulative (metricRowTemporality).
 */
export class JsonlMetricExporter implements PushMetricExporter {
  readonly file: AppendFile;
  /** The directory's shared resources file: rows name their resource by id. */
  readonly resources: ResourceFile;
  private isShutdown = false;

  constructor(private readonly opts: JsonlExporterOptions) {
    this.file = new AppendFile({ ...opts, signal: DIR_METRICS });
    this.resources = ResourceFile.acquire(opts);
  }

  /** Process exit: writes these points now, with a synchronous write; failures are counted. */
  exportSync(metrics: ResourceMetrics): void {
    if (this.isShutdown) return;
    const { text, points } = this.serialize(metrics);
    // appendSync, not append: an asynchronous write started at exit may never run
    if (text) {
      this.file.appendSync(text, (error) => { if (error) this.opts.drops?.add('metric_points', 'export_failed', points, error.message); });
    } else this.file.flushSync();
  }

  /** The rows as JSONL text; a point that cannot be serialized is counted. */
  private serialize(metrics: ResourceMetrics): { text: string; points: number; error?: Error } {
    let text = '';
    let points = 0;
    try {
      const rows = metricRows(metrics, this.resources);
      points = rows.length;
      for (const row of rows) text += JSON.stringify(row) + '\n';
      return { text, points };
    } catch (error) {
      this.opts.drops?.add('metric_points', 'serialize_failed', Math.max(points, 1));
      return { text: '', points, error: error as Error };
    }
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error('JsonlMetricExporter is shut down') });
    }
    const { text, points, error } = this.serialize(metrics);
    if (error) return resultCallback({ code: ExportResultCode.FAILED, error });
    if (!text) return resultCallback({ code: ExportResultCode.SUCCESS });
    this.file.append(text, (error) => {
      // Counted (and warned about once) here; a failure answered to the reader would be logged by the
      // SDK as an error at every interval while the disk fails.
      if (error) this.opts.drops?.add('metric_points', 'export_failed', points, error.message);
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  selectAggregationTemporality = metricRowTemporality;

  forceFlush(): Promise<void> {
    return this.file.flush();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.file.close();
    await this.resources.release();
  }
}
