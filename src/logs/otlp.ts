import { diag } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AgentOtelConfigError } from '../errors.js';
import { DEFAULT_OTLP_ENDPOINT, httpUrl, otlpProtocol, otlpSignalUrl, type OtlpProtocol } from '../parse/otlp.js';
import type { QueueOptions } from '../pipeline/ExportQueueProcessor.js';
import type { EnvReader } from '../parse/env.js';
import type { LogDrops } from './LogDrops.js';
import { LogExportQueue } from './LogExportQueue.js';
import { OtlpGuard } from '../otlp/pipeline.js';

/** The encodings OTLP logs are sent in (those of traces). */
export type OtlpLogsProtocol = OtlpProtocol;

/** Where OTLP logs go: the full `/v1/logs` URL. */
export interface ResolvedOtlpLogs {
  url: string;
  protocol: OtlpLogsProtocol;
  headers?: Record<string, string>;
  timeoutMillis?: number;
}

/** The parts of the `otlp` option logs read (`logs: false` keeps logs local while traces are sent). */
interface OtlpLogsOption {
  endpoint?: unknown; headers?: unknown; protocol?: unknown; timeoutMillis?: unknown; logs?: unknown;
}

/**
 * OTLP logs from the `otlp` option and env, by the rules traces follow (src/config.ts): the option's
 * endpoint + `/v1/logs`; else OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as given; else OTEL_EXPORTER_OTLP_ENDPOINT
 * + `/v1/logs`; `otlp: true` alone: the local collector. Protocol: option, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL,
 * OTEL_EXPORTER_OTLP_PROTOCOL, http/protobuf. Off with `otlp: false`, `otlp: { logs: false }` or an
 * OTEL_LOGS_EXPORTER list without `otlp`. Headers, TLS and compression env vars (_LOGS_ ones included)
 * are read by the exporter itself. The option's shape is checked by config.ts; only `logs` is new.
 */
export function resolveOtlpLogs(option: unknown, env: EnvReader): ResolvedOtlpLogs | undefined {
  if (option === false) return undefined;
  const xo = (option && typeof option === 'object' ? option : {}) as OtlpLogsOption;
  if (xo.logs !== undefined && typeof xo.logs !== 'boolean') throw new AgentOtelConfigError(`option otlp.logs must be true or false; got ${JSON.stringify(xo.logs)}`);
  if (xo.logs === false) return undefined;
  const exporters = env('OTEL_LOGS_EXPORTER');
  if (exporters !== undefined) {
    const list = exporters.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
    const bad = list.filter((x) => x !== 'otlp' && x !== 'none');
    if (bad.length) throw new AgentOtelConfigError(`env OTEL_LOGS_EXPORTER must be a comma-separated list of otlp, none; got ${JSON.stringify(exporters)}`);
    if (!list.includes('otlp')) return undefined;
  }
  const envBase = env('OTEL_EXPORTER_OTLP_ENDPOINT');
  const envLogs = env('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  let url: string | undefined;
  if (xo.endpoint !== undefined) url = otlpSignalUrl(httpUrl(xo.endpoint, 'option otlp.endpoint'), 'logs');
  else if (envLogs !== undefined) url = httpUrl(envLogs, 'env OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  else if (envBase !== undefined) url = otlpSignalUrl(httpUrl(envBase, 'env OTEL_EXPORTER_OTLP_ENDPOINT'), 'logs');
  else if (option !== undefined) url = otlpSignalUrl(DEFAULT_OTLP_ENDPOINT, 'logs');
  if (!url) return undefined;

  let proto: OtlpLogsProtocol;
  if (xo.protocol !== undefined) proto = otlpProtocol(xo.protocol, 'option otlp.protocol');
  else {
    const specific = env('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL');
    const general = env('OTEL_EXPORTER_OTLP_PROTOCOL');
    proto = specific !== undefined ? otlpProtocol(specific.trim(), 'env OTEL_EXPORTER_OTLP_LOGS_PROTOCOL')
      : general !== undefined ? otlpProtocol(general.trim(), 'env OTEL_EXPORTER_OTLP_PROTOCOL') : 'http/protobuf';
  }
  const headers = xo.headers as Record<string, string> | undefined;
  const timeout = xo.timeoutMillis as number | undefined;
  return { url, protocol: proto, ...(headers ? { headers: { ...headers } } : {}), ...(timeout !== undefined ? { timeoutMillis: timeout } : {}) };
}

/** The official OTLP/HTTP log exporter for a protocol (retries with backoff). */
export function createOtlpLogExporter(o: ResolvedOtlpLogs): LogRecordExporter {
  const config = { url: o.url, headers: o.headers, timeoutMillis: o.timeoutMillis, concurrencyLimit: 4 };
  return o.protocol === 'http/json' ? new JsonLogExporter(config) : new ProtoLogExporter(config);
}

/** An OTLP log exporter behind the guard: bounded at flush and shutdown, never throwing. */
class GuardedLogExporter implements LogRecordExporter {
  constructor(private readonly inner: LogRecordExporter, private readonly guard: OtlpGuard) {}

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.guard.run((done) => this.inner.export(records, done), resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.guard.bounded(this.inner.forceFlush?.() ?? Promise.resolve());
  }

  shutdown(): Promise<void> {
    return this.guard.bounded(this.inner.shutdown());
  }
}

export interface OtlpLogsExport {
  /** The queue to add to the LoggerProvider's processors; records it cannot send are counted. */
  processor: LogExportQueue;
  guard: OtlpGuard;
  info: { logs: string; protocol: OtlpLogsProtocol };
}

/** OTLP logs behind their own queue, so a slow collector never holds up the files. */
export function createOtlpLogsExport(cfg: ResolvedOtlpLogs, queue: QueueOptions, drops: LogDrops): OtlpLogsExport {
  const guard = new OtlpGuard();
  const processor = new LogExportQueue(new GuardedLogExporter(createOtlpLogExporter(cfg), guard), queue, drops, `otlp ${cfg.url}`);
  diag.info(`agent-otel: exporting logs over OTLP (${cfg.protocol}) to ${cfg.url}`);
  return { processor, guard, info: { logs: cfg.url, protocol: cfg.protocol } };
}

