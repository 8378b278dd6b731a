import os from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  context, diag, DiagConsoleLogger, DiagLogLevel, metrics, propagation, trace, type Meter, type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { DropCounter } from '../exporters/dropCounter.js';
import { JsonlMetricExporter, JsonlSpanExporter, RunStartWriter, type AppendFile } from '../exporters/jsonl/index.js';
import { DuckDbStore } from '../exporters/duckdb/index.js';
import { DuckDbMetricExporter } from '../exporters/duckdb/DuckDbMetricExporter.js';
import { DuckDbSpanExporter } from '../exporters/duckdb/DuckDbSpanExporter.js';
import { DEFAULT_DUCKDB_WRITER, DuckDbWriter } from '../exporters/duckdb/DuckDbWriter.js';
import { ingest } from './query/ingest.js';
import { SCOPE_NAME } from '../semconv/spans.js';
import { resolveConfig, type ResolvedConfig, type TelemetryOptions } from './config.js';
import { resetState } from './metrics/instruments.js';
import { ExportQueueProcessor } from './pipeline/ExportQueueProcessor.js';
import { RunContextProcessor } from './pipeline/RunContextProcessor.js';
import { CallAccountingProcessor } from './pipeline/CallAccountingProcessor.js';
import { DialectProcessor } from './dialects/DialectProcessor.js';
import { registerSelfMetrics } from './pipeline/selfMetrics.js';
import { registerProcessMetrics } from './pipeline/processMetrics.js';
import { installExitHooks } from './pipeline/exitHooks.js';
import { setupLogs, type LogsHealth } from './logs/setup.js';
import type { JsonlLogExporter } from '../exporters/jsonl/JsonlLogExporter.js';
import { errorCounts, resetErrorCounts } from './errorCounts.js';
import { SpanPipeline } from './pipeline/SpanPipeline.js';
import { SerializableSpanProcessor } from './pipeline/SerializableSpanProcessor.js';
import { guardMetricReader } from './pipeline/GuardedMetricReader.js';
import { createOtlpPipeline, type OtlpPipeline } from './otlp/pipeline.js';
import { MetricsServer, type MetricsServerState } from './serve/metricsServer.js';
import { VERSION } from './version.js';
import { Governance, getGovernance, setGovernance } from './governance/setup.js';
import { redactionViews } from './governance/metricRedaction.js';
import type { AuditEntry, AuditInput } from './governance/audit.js';
import type { SensorSnapshot } from './governance/sensors.js';

export interface Health {
  status: 'ok' | 'degraded' | 'shutdown';
  dir: string;
  /** Spans waiting in the export queues. */
  queueDepth: number;
  dropped: { spans: number; metricPoints: number; logRecords: number; byReason: Record<string, number> };
  /** The JSONL files: where each signal is written, when it last succeeded, and the last error, if any. */
  jsonl?: Record<'spans' | 'metrics', { file: string; lastWriteAt?: string; lastError?: string }>;
  /** The agent's own DuckDB loads (`duckdb: 'live'`, or `jsonl: false`): rows loaded, last load, and why it lags, if it does. */
  duckdb?: { file: string; loaded: { spans: number; metrics: number; logs: number }; lastLoadAt?: string; unavailable?: string; lagging: boolean };
  /** The Prometheus `/metrics` server (option `prometheus`): where, and why it is not serving, if it is not. */
  prometheus?: MetricsServerState;
  /** Where OTLP export goes (option `otlp`); its failures are counted in `dropped`. */
  otlp?: OtlpPipeline['info'];
  /** The logs signal (option `logs`): its queue, drops and files. */
  logs?: LogsHealth;
  /**
   * Failures inside agent-otel that the agent never saw, by cause (`processor.cost`, `callback.onExceeded`,
   * `helper.metrics`, `background.budget_restore`, …); each cause is logged once through `diag`.
   */
  errors: Record<string, number>;
}

export interface TelemetryHandle {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly resource: Resource;
  readonly config: Readonly<ResolvedConfig>;
  /** The JSONL exporters (absent with `jsonl: false`) and the DuckDB writer (present with `duckdb: 'live'`, or `jsonl: false`). */
  readonly exporters: { spans?: JsonlSpanExporter; metrics?: JsonlMetricExporter; logs?: JsonlLogExporter; duckdb?: DuckDbWriter };
  /** Puts every span and data point recorded so far into the files. */
  forceFlush(): Promise<void>;
  /** Flushes, closes the files and unregisters the global providers. Idempotent. */
  shutdown(): Promise<void>;
  health(): Health;
  /** The audit trail: `record()` appends an entry durably (see README, Governance). */
  readonly audit: { record(entry: AuditInput): AuditEntry };
  /** Counts, rates, latencies, tokens, cost and process state over the last `windowSeconds` (default 60). */
  sensors(windowSeconds?: number): SensorSnapshot;
  /** Records a mode transition (an event and the `agent.mode.transitions` metric). */
  setMode(mode: string, reason?: string): void;
}

let active: TelemetryHandle | undefined;

const LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE, error: DiagLogLevel.ERROR, warn: DiagLogLevel.WARN, info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG, verbose: DiagLogLevel.VERBOSE, all: DiagLogLevel.ALL,
};

/** service/host/process facts, read synchronously; command-line arguments are left out (they may hold secrets). */
function buildResource(cfg: ResolvedConfig): Resource {
  const fromEnv = envDetector.detect().attributes ?? {};
  const envService = fromEnv['service.name'];
  return resourceFromAttributes({
    'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs',
    'telemetry.distro.name': SCOPE_NAME, 'telemetry.distro.version': VERSION,
    'host.name': os.hostname(), 'host.arch': os.arch(), 'os.type': os.platform(),
    'process.pid': process.pid, 'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node,
    'process.executable.name': process.title,
    'service.instance.id': randomUUID(),
    ...fromEnv,
    'service.name': cfg.serviceName ?? (typeof envService === 'string' ? envService : 'agent'),
    ...(cfg.serviceVersion ? { 'service.version': cfg.serviceVersion } : {}),
    ...cfg.resourceAttributes,
  });
}

/**
 * Registers the global tracer and meter providers (JSONL files by default) and an AsyncLocalStorage
 * context manager. Call once at startup; calling again returns the same handle.
 * Throws AgentOtelConfigError for a bad option or env value.
 */
export function registerTelemetry(options: TelemetryOptions = {}): TelemetryHandle {
  const cfg = resolveConfig(options);
  if (active) {
    if (Object.keys(options).length) diag.debug('agent-otel: already registered; returning the existing handle');
    return active;
  }
  resetErrorCounts();
  if (cfg.logLevel !== 'none') {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: LEVELS[cfg.logLevel]!, suppressOverrideMessage: true });
  }
  const resource = buildResource(cfg);
  const drops = new DropCounter();
  const retention = { root: cfg.dir, maxFileBytes: cfg.maxFileBytes, maxAgeMs: cfg.maxAgeMs, maxTotalBytes: cfg.maxTotalBytes, drops };
  const exporters: TelemetryHandle['exporters'] = cfg.jsonl && !cfg.disabled
    ? { spans: new JsonlSpanExporter(retention), metrics: new JsonlMetricExporter(retention) } : {};
  // Run starts (withAgentRun) are local rows next to the spans: only where the files are.
  const runStarts = exporters.spans ? new RunStartWriter({
    ...retention, serviceName: String(resource.attributes['service.name']), host: os.hostname(),
  }) : undefined;

  // telemetry.duckdb is a materialized view of the files: by default readers bring it up to date and the
  // agent does no database work. With `duckdb: 'live'` the agent catches it up every second itself;
  // without files (`jsonl: false`) the database is the only store and gets its own exporters.
  const liveDb = !cfg.disabled && (cfg.duckdb === 'live' || (cfg.duckdb !== false && !exporters.spans));
  const duck = liveDb ? new DuckDbWriter(new DuckDbStore(cfg.dir, { threads: 1 }), {
    ...DEFAULT_DUCKDB_WRITER, drops,
    ...(exporters.spans ? { catchUp: async (store: DuckDbStore) => (await ingest(store)).rows } : {}),
  }) : undefined;
  if (duck) {
    exporters.duckdb = duck;
    // Off the hot path: the writer looks at when the files were last written, once a turn.
    let seen = '';
    duck.watch(() => {
      const now = [exporters.spans?.file, exporters.metrics?.file, exporters.logs?.file, runStarts?.file].map((f) => f?.lastWriteAt?.getTime() ?? 0).join();
      if (now === seen) return false;
      seen = now;
      return true;
    });
  }
  const ownSpanExporters = duck && !exporters.spans ? [new DuckDbSpanExporter(duck)] : [];
  const queues = cfg.disabled ? [] : [
    ...(exporters.spans ? [new ExportQueueProcessor(exporters.spans, { ...cfg.spanQueue, drainAll: true }, drops, 'jsonl')] : []),
    ...ownSpanExporters.map((e) => new ExportQueueProcessor(e, { ...cfg.spanQueue, drainAll: true }, drops, 'duckdb')),
    ...cfg.spanExporters.map((e, i) => new ExportQueueProcessor(e, cfg.spanQueue, drops, `exporter ${i}`)),
  ];
  // OTLP (only when configured): its own queue, so a slow or unreachable collector never holds up the files.
  const otlp = cfg.otlp && !cfg.disabled ? createOtlpPipeline(cfg.otlp, cfg.spanQueue, drops, cfg.metricIntervalMillis) : undefined;
  if (otlp?.spanProcessor) queues.push(otlp.spanProcessor);
  const promServer = cfg.prometheus && !cfg.disabled ? new MetricsServer(cfg.prometheus, () => handle.health()) : undefined;
  const readers: MetricReader[] = cfg.disabled ? [] : [
    ...(exporters.metrics ? [new PeriodicExportingMetricReader({
      exporter: exporters.metrics, exportIntervalMillis: cfg.metricIntervalMillis,
      exportTimeoutMillis: Math.min(cfg.metricIntervalMillis, 30_000),
    })] : []),
    ...(duck && !exporters.metrics ? [new PeriodicExportingMetricReader({
      exporter: new DuckDbMetricExporter(duck), exportIntervalMillis: cfg.metricIntervalMillis,
      exportTimeoutMillis: Math.min(cfg.metricIntervalMillis, 30_000),
    })] : []),
    ...cfg.metricReaders,
    ...(otlp?.metricReader ? [otlp.metricReader] : []),
    ...(promServer ? [promServer.reader] : []),
  ];
  // Metric attributes are redacted as they are measured, before any reader or exporter sees them.
  // Guarded: a reader's flush or shutdown that rejects must not end the agent at exit.
  const guardedReaders = readers.map((r, i) => guardMetricReader(readerLabel(r, i, cfg.metricReaders), r));
  const meterProvider = new MeterProvider({ resource, readers: guardedReaders, views: redactionViews(cfg.disabled ? undefined : cfg.governance.redactor) });
  // Governance processors (cost, privacy/redaction, sensors) act on every span before any exporter sees it.
  const governance = cfg.disabled ? undefined : new Governance(cfg.governance, cfg.dir, meterProvider.getMeter(SCOPE_NAME, VERSION));
  const tracerProvider = new TracerProvider({
    // In order, as each span ends: other libraries' keys → counting calls and runs → governance → export.
    // One pipeline, each stage guarded: a throwing hook never reaches startSpan()/span.end() nor stops the ones after it.
    resource, spanProcessors: [new SpanPipeline([
      ['serializable', new SerializableSpanProcessor()], ['run_context', new RunContextProcessor()], ['dialect', new DialectProcessor()],
      ['call_accounting', new CallAccountingProcessor()],
      ...(governance?.stages ?? []),
      ...queues.map((q, i) => [`export.${queueLabel(q, i)}`, q] as const),
    ])],
  });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  const owns = {
    context: context.setGlobalContextManager(contextManager),
    trace: trace.setGlobalTracerProvider(tracerProvider),
    metrics: metrics.setGlobalMeterProvider(meterProvider),
    propagation: propagation.setGlobalPropagator(new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    })),
  };
  if (!owns.trace || !owns.metrics || !owns.context) {
    diag.warn('agent-otel: another OpenTelemetry SDK is already registered globally; plain OTel spans and metrics go there. ' +
      'Use the returned handle\'s tracer and meter, or register agent-otel first.');
  }
  resetState({ captureContent: cfg.captureContent, genAiLatest: cfg.genAiLatestExperimental, runStarts });
  setGovernance(governance);
  const meter = meterProvider.getMeter(SCOPE_NAME, VERSION);
  registerSelfMetrics(meter, drops);
  const logsPipeline = cfg.logs && !cfg.disabled ? setupLogs({
    resource, logs: cfg.logs, meter, otlp: cfg.otlpLogs,
    files: cfg.jsonl ? { root: cfg.dir, maxFileBytes: cfg.maxFileBytes, maxAgeMs: cfg.maxAgeMs, maxTotalBytes: cfg.maxTotalBytes } : undefined,
    privacy: cfg.governance.privacy, redactor: cfg.governance.redactor,
  }) : undefined;
  if (logsPipeline?.exporter) exporters.logs = logsPipeline.exporter;
  if (!cfg.disabled) registerProcessMetrics(meter);

  let shutdownPromise: Promise<void> | undefined;
  const drainProviders = async (): Promise<void> => {
    await runStarts?.flush();
    await tracerProvider.forceFlush();
    await meterProvider.forceFlush();
    await logsPipeline?.forceFlush();
  };
  const forceFlush = async (): Promise<void> => {
    await (otlp ? otlp.guard.whileDraining(async () => { await drainProviders(); await otlp.settled(); }) : drainProviders());
    await duck?.flush();
  };
  const exitQueues = [...queues, ...(runStarts ? [runStarts] : []), ...(logsPipeline ? [{ get seen() { return logsPipeline.seen(); }, flushSync: () => logsPipeline.flushSync() }] : [])];
  const removeHooks = installExitHooks(exitQueues, forceFlush, () => handle.shutdown(), cfg.handleSignals, { readers, otlp, duck, drops });
  const handle: TelemetryHandle = {
    tracer: tracerProvider.getTracer(SCOPE_NAME, VERSION),
    meter,
    resource,
    config: cfg,
    exporters,
    forceFlush: () => forceFlush().catch((err) => diag.error('agent-otel: flush failed', err)),
    shutdown() {
      return (shutdownPromise ??= (async () => {
        removeHooks();
        try {
          await promServer?.close();
          const shutdownProviders = async () => { await tracerProvider.shutdown(); await meterProvider.shutdown(); };
          await (otlp ? otlp.guard.whileDraining(shutdownProviders) : shutdownProviders());
          await runStarts?.shutdown();
          await logsPipeline?.shutdown();
          await duck?.shutdown();
        } catch (err) {
          diag.error('agent-otel: shutdown failed', err);
        }
        if (owns.trace) trace.disable();
        if (owns.metrics) metrics.disable();
        if (owns.propagation) propagation.disable();
        if (owns.context) { context.disable(); }
        contextManager.disable();
        if (active === handle) active = undefined;
        if (getGovernance() === governance) setGovernance(undefined);
        governance?.close();
        resetState({ captureContent: false });
      })());
    },
    audit: { record: (entry) => (governance ?? fallbackGovernance(cfg.dir)).record(entry) },
    sensors: (windowSeconds) => (governance ?? fallbackGovernance(cfg.dir)).sensors.snapshot(windowSeconds),
    setMode: (mode, reason) => governance?.setMode(mode, reason),
    health() {
      const byReason: Record<string, number> = {};
      for (const [signal, reason, n] of drops.entries()) byReason[`${signal}.${reason}`] = n;
      const spans = drops.total('spans');
      const metricPoints = drops.total('metric_points');
      const lh = logsPipeline?.health();
      return {
        status: shutdownPromise ? 'shutdown'
          : spans + metricPoints + (lh?.dropped ?? 0) + drops.total('run_starts') > 0 || promServer?.state.error || exporters.spans?.file.lastError
            || runStarts?.file.lastError
            || exporters.metrics?.file.lastError || lh?.jsonl?.lastError ? 'degraded' : 'ok',
        dir: cfg.dir,
        queueDepth: queues.reduce((s, q) => s + q.queueDepth, 0),
        dropped: { spans, metricPoints, logRecords: lh?.dropped ?? 0, byReason: { ...byReason, ...lh?.byReason } },
        ...(exporters.spans && exporters.metrics ? { jsonl: {
          spans: fileHealth(exporters.spans.file), metrics: fileHealth(exporters.metrics.file),
        } } : {}),
        ...(duck ? { duckdb: {
          file: duck.store.file, loaded: { ...duck.loaded }, lastLoadAt: duck.lastLoadAt?.toISOString(),
          unavailable: duck.store.unavailable, lagging: duck.lagging,
        } } : {}),
        ...(promServer ? { prometheus: { ...promServer.state } } : {}),
        ...(otlp ? { otlp: otlp.info } : {}),
        ...(lh ? { logs: lh } : {}),
        errors: errorCounts(),
      };
    },
  };
  active = handle;
  promServer?.start();
  return handle;
}

/** `jsonl`, `duckdb`, `otlp` or `exporter_<i>`: a fixed word (the queue's own name may hold a URL). */
function queueLabel(q: ExportQueueProcessor, i: number): string {
  const word = String((q as unknown as { name?: unknown }).name ?? '').split(' ')[0] || 'queue';
  return word === 'exporter' || word === 'queue' ? `${word}_${i}` : word;
}

/** `periodic_<i>` for ours, `user_<i>` for the option's readers: fixed words for health().errors. */
const readerLabel = (r: MetricReader, i: number, user: readonly MetricReader[]): string =>
  `${user.includes(r) ? 'user' : r.constructor?.name === 'PeriodicExportingMetricReader' ? 'periodic' : 'builtin'}_${i}`;

const fileHealth = (f: AppendFile) => ({ file: f.currentFile, lastWriteAt: f.lastWriteAt?.toISOString(), lastError: f.lastError });

/** Disabled telemetry still keeps an audit trail: audit entries are a record, not telemetry. */
let fallback: Governance | undefined;
function fallbackGovernance(dir: string): Governance {
  return (fallback ??= new Governance({ privacy: 'metadata', redactor: undefined, prices: {}, budget: undefined, git: false }, dir, metrics.getMeter('agent-otel')));
}

/** The handle of the current registration, if any. */
export function getTelemetry(): TelemetryHandle | undefined {
  return active;
}
