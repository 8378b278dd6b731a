import { diag, type Meter } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonlLogExporter } from '../../exporters/jsonl/JsonlLogExporter.js';
import type { RetentionOptions } from '../../exporters/jsonl/prune.js';
import { CONSOLE_SCOPE } from '../../semconv/logs.js';
import type { PrivacyLevel } from '../governance/PrivacyProcessor.js';
import type { Redactor } from '../governance/redaction.js';
import { createOtlpLogsExport, type OtlpLogsExport, type ResolvedOtlpLogs } from './otlp.js';
import { VERSION } from '../version.js';
import { getActiveLogs, setActiveLogs, type ActiveLogs } from './active.js';
import type { ResolvedLogs } from './config.js';
import { captureConsole } from './console.js';
import { registerLoggerProvider } from './globals.js';
import { LogDrops } from './LogDrops.js';
import { LogExportQueue } from './LogExportQueue.js';
import { LogGovernance } from './LogGovernance.js';

export interface LogsSetupOptions {
  resource: Resource;
  logs: ResolvedLogs;
  /** Write `<root>/logs/*.jsonl` with these rotation and retention settings (absent: no files, as with `jsonl: false`). */
  files?: RetentionOptions & { root: string; maxFileBytes: number };
  /** The privacy level and redactor of the governance config (ResolvedGovernance). */
  privacy: PrivacyLevel;
  redactor?: Redactor;
  /** OTLP logs, when configured (resolveOtlpLogs). */
  otlp?: ResolvedOtlpLogs;
  /** Where the `agent_otel.log_records.dropped` self-metric goes. */
  meter?: Meter;
  /** More processors (each sees records after privacy and redaction). */
  processors?: LogRecordProcessor[];
  /** Register the provider as the global one (API 1.10 and api-logs); default true. */
  registerGlobal?: boolean;
}

export interface LogsHealth {
  /** Records waiting in the export queues. */
  queueDepth: number;
  /** Records not delivered, in all, and by reason. */
  dropped: number;
  byReason: Record<string, number>;
  jsonl?: { file: string; lastWriteAt?: string; lastError?: string };
  otlp?: OtlpLogsExport['info'];
}

/** What registerTelemetry keeps of the logs signal. */
export interface LogsPipeline {
  readonly provider: LoggerProvider;
  /** The JSONL exporter (absent without files). */
  readonly exporter?: JsonlLogExporter;
  readonly drops: LogDrops;
  /** Whether API 1.10's global logger provider is this one. */
  readonly ownsGlobal: boolean;
  /** Records handed to the queues so far (exit hooks flush when it moved). */
  seen(): number;
  /** Puts every record so far into the files (and OTLP, bounded). */
  forceFlush(): Promise<void>;
  /** Process exit: writes what is queued, synchronously; what OTLP cannot send any more is counted. */
  flushSync(): void;
  /** Flushes, closes the files, unregisters the globals and console capture. Idempotent. */
  shutdown(): Promise<void>;
  health(): LogsHealth;
}

/**
 * The logs signal: a LoggerProvider (sdk-logs) with the telemetry resource, the level threshold for
 * every logger, privacy and redaction (LogGovernance), then one bounded queue per exporter: the JSONL
 * files and, when configured, OTLP. Trace correlation comes from the SDK: each record carries the span
 * active when it was emitted. Registered globally, for the Logs API and the pino/winston bridges.
 */
export function setupLogs(o: LogsSetupOptions): LogsPipeline {
  const drops = new LogDrops();
  const queues: LogExportQueue[] = [];
  const exporter = o.files ? new JsonlLogExporter({ ...o.files, drops }) : undefined;
  if (exporter) queues.push(new LogExportQueue(exporter, { ...o.logs.queue, drainAll: true }, drops, 'jsonl logs'));
  const otlp = o.otlp ? createOtlpLogsExport(o.otlp, o.logs.queue, drops) : undefined;
  if (otlp) queues.push(otlp.processor);
  const minimumSeverity = o.logs.minSeverity;
  const provider = new LoggerProvider({
    resource: o.resource,
    processors: [new LogGovernance(o.privacy, o.redactor, [...(o.processors ?? []), ...queues], drops)],
    loggerConfigurator: () => ({ enabled: true, minimumSeverity, traceBased: false }),
  });
  if (o.meter) drops.observe(o.meter);
  const globals = o.registerGlobal === false ? undefined : registerLoggerProvider(provider);
  if (globals && !globals.owns) diag.warn('agent-otel: another OpenTelemetry LoggerProvider is registered globally; Logs API records go there. Use logger() or register agent-otel first.');
  const active: ActiveLogs = { provider, minSeverity: minimumSeverity };
  setActiveLogs(active);
  const uncapture = o.logs.console ? captureConsole(provider.getLogger(CONSOLE_SCOPE, VERSION), minimumSeverity) : undefined;

  let shutdownPromise: Promise<void> | undefined;
  const bounded = <T>(fn: () => Promise<T>) => (otlp ? otlp.guard.whileDraining(fn) : fn());
  return {
    provider, exporter, drops, ownsGlobal: globals?.owns ?? false,
    seen: () => queues.reduce((s, q) => s + q.seen, 0),
    forceFlush: () => bounded(() => provider.forceFlush()).catch((err) => diag.error('agent-otel: log flush failed', err)),
    flushSync() {
      for (const q of queues) {
        try { q.flushSync(); } catch (err) { diag.error('agent-otel: log flush at exit failed', err); }
      }
    },
    shutdown() {
      return (shutdownPromise ??= (async () => {
        uncapture?.();
        if (getActiveLogs() === active) setActiveLogs(undefined);
        globals?.unregister();
        try {
          await bounded(() => provider.shutdown());
        } catch (err) {
          diag.error('agent-otel: logs shutdown failed', err);
        }
      })());
    },
    health() {
      const byReason: Record<string, number> = {};
      for (const [reason, n] of drops.entries()) byReason[`log_records.${reason}`] = n;
      const f = exporter?.file;
      return {
        queueDepth: queues.reduce((s, q) => s + q.queueDepth, 0),
        dropped: drops.total(),
        byReason,
        ...(f ? { jsonl: { file: f.currentFile, lastWriteAt: f.lastWriteAt?.toISOString(), lastError: f.lastError } } : {}),
        ...(otlp ? { otlp: otlp.info } : {}),
      };
    },
  };
}
