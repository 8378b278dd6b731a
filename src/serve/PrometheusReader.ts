import { setImmediate as nextTurn } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  DataPointType, type CollectionResult, type MetricData, type MetricDescriptor, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** UCUM units → Prometheus unit words (the OpenTelemetry → Prometheus compatibility table). */
const UNIT_WORDS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tebibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '%': 'percent',
};
/** The `…/s` part of a rate unit reads `per_second`. */
const PER_WORDS: Record<string, string> = { s: 'second', m: 'minute', min: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

const snake = (s: string): string => s.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase();

/**
 * The Prometheus unit suffix of an OpenTelemetry unit: `s` → `seconds`, `By` → `bytes`, `{token}` → none
 * (annotations in braces are dropped), `1` → `ratio` on gauges, `{request}/s` → `per_second`, anything
 * else in snake case (`USD` → `usd`).
 */
export function prometheusUnit(unit: string, isGauge: boolean): string {
  const u = unit.replace(/\{[^}]*\}/g, '').trim();
  if (!u) return '';
  if (u === '1') return isGauge ? 'ratio' : '';
  const slash = u.indexOf('/');
  const num = (slash < 0 ? u : u.slice(0, slash)).trim();
  const per = slash < 0 ? '' : u.slice(slash + 1).trim();
  const parts: string[] = [];
  if (num && num !== '1') parts.push(UNIT_WORDS[num] ?? snake(num));
  if (per) parts.push(`per_${PER_WORDS[per] ?? UNIT_WORDS[per] ?? snake(per)}`);
  return parts.filter(Boolean).join('_');
}

/** How long render() held the event loop at a time (for benchmarks): its synchronous slices, in ms. */
export interface RenderTiming { slices: number[] }
function sliceEnded(t: RenderTiming, start: number): void { t.slices.push(performance.now() - start); }

/** Sample lines rendered per event-loop turn (about 1 ms). */
export const RENDER_SLICE_LINES = 300;

const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');

/**
 * The name a metric gets on `/metrics`: dots become underscores and the unit is appended unless the name
 * already ends with it (`gen_ai.client.operation.duration` [s] → `gen_ai_client_operation_duration_seconds`,
 * `agent.cost.usd` [USD] → `agent_cost_usd`). The exporter then adds `_total` to counters.
 */
export function prometheusName(name: string, unit: string, kind: { isGauge: boolean; isCounter: boolean }): string {
  let n = sanitize(name);
  if (kind.isCounter && n.endsWith('_total')) n = n.slice(0, -'_total'.length);
  const suffix = prometheusUnit(unit, kind.isGauge);
  if (suffix && !n.toLowerCase().endsWith(`_${suffix}`) && n.toLowerCase() !== suffix) n += `_${suffix}`;
  return n;
}

function kindOf(m: MetricData): { isGauge: boolean; isCounter: boolean } {
  const isSum = m.dataPointType === DataPointType.SUM;
  const monotonic = isSum && (m as { isMonotonic?: boolean }).isMonotonic === true;
  return { isCounter: monotonic, isGauge: m.dataPointType === DataPointType.GAUGE || (isSum && !monotonic) };
}

/**
 * `@opentelemetry/exporter-prometheus` (a pull MetricReader) with Prometheus naming: the 0.223 exporter
 * sanitizes names and adds `_total` to counters but leaves out unit suffixes, so collected metrics are
 * renamed here, for this reader only (the JSONL/DuckDB/OTLP readers keep the OpenTelemetry names).
 * The `# UNIT` comment carries the Prometheus unit word (or is left out for annotation-only units).
 */
export class PrometheusReader extends PrometheusExporter {
  private readonly renamed = new WeakMap<MetricDescriptor, MetricDescriptor>();
  /** The exporter's serializer, configured as the exporter's own: one for target_info, one for the metrics. */
  private readonly withTarget: PrometheusSerializer;
  private readonly withoutTarget: PrometheusSerializer;

  constructor(config: { withResourceConstantLabels?: RegExp } = {}) {
    super({ ...config, preventServerStart: true });
    this.withTarget = new PrometheusSerializer('', false, config.withResourceConstantLabels, false, false);
    this.withoutTarget = new PrometheusSerializer('', false, config.withResourceConstantLabels, true, false);
  }

  /**
   * Writes the text exposition of everything collected to `write`, rendered by the exporter's
   * PrometheusSerializer a slice at a time (about RENDER_SLICE_LINES sample lines) and yielding to the
   * event loop between slices: a scrape of 10k series never holds the agent's loop for long, and no
   * multi-megabyte string is built. `write` may return a promise (backpressure): it is awaited.
   */
  async render(write: (chunk: string) => void | Promise<void>, timing?: RenderTiming): Promise<void> {
    let sliceStart = performance.now();
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length) diag.error('agent-otel: Prometheus metrics collection errors', ...errors);
    const resource = resourceMetrics.resource;
    await write(this.withTarget.serialize({ resource, scopeMetrics: [] }).replace(/# no registered metrics$/, '').trimEnd() + '\n');
    let budget = RENDER_SLICE_LINES;
    for (const sm of resourceMetrics.scopeMetrics) {
      for (const metric of sm.metrics) {
        const points = metric.dataPoints as unknown[];
        const weight = metric.dataPointType === DataPointType.HISTOGRAM
          ? 3 + ((points[0] as { value?: { buckets?: { counts?: unknown[] } } } | undefined)?.value?.buckets?.counts?.length ?? 0) : 1;
        const step = Math.max(1, Math.floor(RENDER_SLICE_LINES / weight));
        for (let i = 0; i < points.length || i === 0; i += step) {
          const slice = { ...metric, dataPoints: points.slice(i, i + step) } as MetricData;
          let text = this.withoutTarget.serialize({ resource, scopeMetrics: [{ scope: sm.scope, metrics: [slice] }] }).trimEnd();
          // HELP / UNIT / TYPE once per metric: later slices carry only samples.
          if (i > 0) text = text.replace(/^(#[^\n]*\n)+/, '');
          if (text) await write(text + '\n');
          budget -= Math.min(step, points.length - i) * weight;
          if (budget <= 0) {
            budget = RENDER_SLICE_LINES;
            if (timing) sliceEnded(timing, sliceStart);
            await nextTurn();
            sliceStart = performance.now();
          }
        }
      }
    }
    if (timing) sliceEnded(timing, sliceStart);
  }

  /** The whole exposition as one string (tests, small outputs). */
  async renderText(): Promise<string> {
    const parts: string[] = [];
    await this.render((c) => { parts.push(c); });
    return parts.join('');
  }

  override async collect(options?: Parameters<PrometheusExporter["collect"]>[0]): Promise<CollectionResult> {
    const result = await super.collect(options);
    return { ...result, resourceMetrics: this.rename(result.resourceMetrics) };
  }

  private rename(rm: ResourceMetrics): ResourceMetrics {
    return {
      resource: rm.resource,
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        scope: sm.scope,
        metrics: sm.metrics.map((m) => {
          let d = this.renamed.get(m.descriptor);
          if (!d) {
            const kind = kindOf(m);
            d = { ...m.descriptor, name: prometheusName(m.descriptor.name, m.descriptor.unit, kind), unit: prometheusUnit(m.descriptor.unit, kind.isGauge) };
            this.renamed.set(m.descriptor, d);
          }
          return { ...m, descriptor: d } as MetricData;
        }),
      })),
    };
  }
}
