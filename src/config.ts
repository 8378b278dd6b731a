import path from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { DEFAULT_QUEUE, QUEUE_KEYS, type QueueOptions } from './pipeline/ExportQueue.js';
import { AgentOtelConfigError } from './errors.js';
import { envValues } from './parse/env.js';
import { parseSize } from './parse/size.js';
import { PORT_ACCEPTED, portValue } from './parse/port.js';
import { bool, positive, str } from './parse/values.js';
import { DEFAULT_DIR, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_RETENTION_DAYS } from './storageConfig.js';
import { SEMCONV_OPT_IN_GEN_AI_LATEST } from '../semconv/metrics.js';
import { GOVERNANCE_KEYS, resolveGovernance, type GovernanceOptions, type ResolvedGovernance } from './governance/config.js';
import { resolveLogs, type LogsOptions, type ResolvedLogs } from './logs/config.js';
import { resolveOtlpLogs, type ResolvedOtlpLogs } from './logs/otlp.js';
import { DEFAULT_OTLP_ENDPOINT, httpUrl, otlpProtocol, otlpSignalUrl, type OtlpProtocol } from './parse/otlp.js';

export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of `registerTelemetry()`. Every one has an env var (see README) and a default. */
export interface TelemetryOptions extends GovernanceOptions {
  /** `service.name` (env OTEL_SERVICE_NAME). */
  serviceName?: string;
  /** The logs signal: false turns it off; { level, console, queue } (env AGENT_OTEL_LOGS, AGENT_OTEL_LOG_LEVEL, AGENT_OTEL_LOGS_CONSOLE, OTEL_BLRP_*). */
  logs?: boolean | LogsOptions;
  /** `service.version` (default: npm_package_version when run through npm). */
  serviceVersion?: string;
  /** Extra resource attributes (env OTEL_RESOURCE_ATTRIBUTES: `k=v,k2=v2`). */
  resourceAttributes?: Attributes;
  /** Telemetry directory (env AGENT_OTEL_DIR; default `./telemetry`). */
  dir?: string;
  /** Write JSONL files (default true; env AGENT_OTEL_JSONL). */
  jsonl?: boolean;
  /**
   * Who keeps `<dir>/telemetry.duckdb` (a materialized view of the JSONL files, what queries read) up to
   * date. `'readers'` (default): the agent writes the files only, and whichever reader needs the
   * database (a query, the viewer, `agent-otel ingest`) brings it up to date first. `'live'` (or `true`):
   * the agent also loads what it wrote every second, holding the file for one load at a time. `false`:
   * no database work in the agent. With `jsonl: false` the database is the only local store, and anything
   * but `false` writes it directly. Env AGENT_OTEL_DUCKDB: readers, live, true, false.
   */
  duckdb?: boolean | 'live' | 'readers';
  /** Record prompts, completions and tool arguments/results (env OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT; default false). */
  captureContent?: boolean;
  /** Start a new JSONL file past this size: bytes or '64MiB' (env AGENT_OTEL_MAX_FILE_SIZE). */
  maxFileSize?: number | string;
  /** Delete files older than this many days (env AGENT_OTEL_RETENTION_DAYS; default 30). */
  retentionDays?: number;
  /** Keep spans+metrics under this size: bytes or '1GiB' (env AGENT_OTEL_MAX_TOTAL_SIZE). */
  maxTotalSize?: number | string;
  /** Span queue (env OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT). */
  spanQueue?: Partial<QueueOptions>;
  /** Metric export interval in ms (env OTEL_METRIC_EXPORT_INTERVAL; default 10000). */
  metricIntervalMillis?: number;
  /** More span exporters, each behind its own queue (e.g. an OTLP exporter). */
  spanExporters?: SpanExporter[];
  /** More metric readers (e.g. a Prometheus exporter). */
  metricReaders?: MetricReader[];
  /** Flush on SIGTERM/SIGINT, then let the signal end the process as it would have (default true). */
  handleSignals?: boolean;
  /** Level of the console diag logger (env OTEL_LOG_LEVEL; default 'warn'; 'none' installs none). */
  logLevel?: LogLevel;
  /** Register nothing (env OTEL_SDK_DISABLED=true). */
  disabled?: boolean;
  /**
   * Serve `/metrics` (and `/healthz`) for Prometheus: `true` or `{ port, host }` (env AGENT_OTEL_PROMETHEUS=true,
   * OTEL_EXPORTER_PROMETHEUS_PORT, OTEL_EXPORTER_PROMETHEUS_HOST; default off, 127.0.0.1:9464 when on).
   */
  prometheus?: boolean | PrometheusOptions;
  /**
   * Export traces and metrics over OTLP/HTTP: `true` or `{ endpoint, headers, protocol, ... }` (env
   * OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT / _METRICS_ENDPOINT, _HEADERS, _PROTOCOL, _TIMEOUT).
   * Off unless given or an endpoint env var is set: nothing leaves the machine unless configured.
   */
  otlp?: boolean | OtlpOptions;
}

export interface PrometheusOptions {
  /** Port of the `/metrics` server (env OTEL_EXPORTER_PROMETHEUS_PORT; default 9464; 0 picks a free one). */
  port?: number;
  /** Interface to bind (env OTEL_EXPORTER_PROMETHEUS_HOST; default 127.0.0.1). Anything else is reachable from the network. */
  host?: string;
}

export { OTLP_PROTOCOLS, type OtlpProtocol } from './parse/otlp.js';

export interface OtlpOptions {
  /** Base URL of the collector; `/v1/traces` and `/v1/metrics` are appended (env OTEL_EXPORTER_OTLP_ENDPOINT; default http://localhost:4318). */
  endpoint?: string;
  /** Extra request headers, e.g. an API key (merged with env OTEL_EXPORTER_OTLP_HEADERS `k=v,k2=v2`). */
  headers?: Record<string, string>;
  /** `http/protobuf` (default) or `http/json` (env OTEL_EXPORTER_OTLP_PROTOCOL, _TRACES_PROTOCOL, _METRICS_PROTOCOL). */
  protocol?: OtlpProtocol;
  /** Send traces (default true; env OTEL_TRACES_EXPORTER=none turns them off). */
  traces?: boolean;
  /** Send metrics (default true; env OTEL_METRICS_EXPORTER without `otlp` turns them off; Jaeger takes traces only). */
  metrics?: boolean;
  /** Give up one export (retries with backoff included) after this long (env OTEL_EXPORTER_OTLP_TIMEOUT; default 10000). */
  timeoutMillis?: number;
  /** Send logs (default true; env OTEL_LOGS_EXPORTER without `otlp` turns them off). */
  logs?: boolean;
}

/** Where OTLP goes, resolved from options and env; a signal left out is not sent. */
export interface ResolvedOtlp {
  protocol: { traces: OtlpProtocol; metrics: OtlpProtocol };
  /** Full URL of the traces endpoint (…/v1/traces), absent when traces are not sent. */
  tracesUrl?: string;
  /** Full URL of the metrics endpoint (…/v1/metrics), absent when metrics are not sent. */
  metricsUrl?: string;
  headers?: Record<string, string>;
  /** Undefined: the exporter's own (env OTEL_EXPORTER_OTLP_TIMEOUT, else 10000). */
  timeoutMillis?: number;
}

export interface ResolvedConfig {
  /** Unset: OTEL_RESOURCE_ATTRIBUTES' service.name, else 'agent'. */
  serviceName: string | undefined;
  serviceVersion: string | undefined;
  resourceAttributes: Attributes;
  dir: string;
  jsonl: boolean;
  /** readers: the agent does no database work (readers catch it up); live: the agent loads it too. */
  duckdb: 'readers' | 'live' | false;
  captureContent: boolean;
  /** Privacy, redaction, pricing, budgets, git (see GovernanceOptions). */
  governance: ResolvedGovernance;
  maxFileBytes: number;
  maxAgeMs: number;
  maxTotalBytes: number;
  spanQueue: QueueOptions;
  metricIntervalMillis: number;
  spanExporters: SpanExporter[];
  metricReaders: MetricReader[];
  handleSignals: boolean;
  logLevel: LogLevel;
  disabled: boolean;
  /** The `/metrics` server, when on. */
  prometheus?: { port: number; host: string };
  /** OTLP export, when on. */
  otlp?: ResolvedOtlp;
  /** The values of env OTEL_SEMCONV_STABILITY_OPT_IN (comma-separated). */
  semconvOptIn: string[];
  /** `gen_ai_latest_experimental` is among them: the GenAI metrics use the latest experimental names. */
  genAiLatestExperimental: boolean;
  /** The logs signal, when on. */
  logs?: ResolvedLogs;
  /** OTLP export of logs, when on. */
  otlpLogs?: ResolvedOtlpLogs;
}

/** A bad option or env value; the message names it and what is accepted. */
export { AgentOtelConfigError };

const OPTION_KEYS = [...GOVERNANCE_KEYS, 'serviceName', 'serviceVersion', 'resourceAttributes', 'dir', 'jsonl', 'duckdb', 'captureContent',
  'maxFileSize', 'retentionDays', 'maxTotalSize', 'spanQueue', 'metricIntervalMillis', 'spanExporters',
  'metricReaders', 'handleSignals', 'logLevel', 'disabled', 'prometheus', 'otlp', 'logs'] as const;
const PROMETHEUS_KEYS = ['port', 'host'] as const;
const OTLP_KEYS = ['endpoint', 'headers', 'protocol', 'traces', 'metrics', 'timeoutMillis', 'logs'] as const;
export const DEFAULT_PROMETHEUS = { port: 9464, host: '127.0.0.1' } as const;

function duckdbMode(value: unknown, name: string): ResolvedConfig['duckdb'] {
  if (value === 'live' || value === true) return 'live';
  if (value === 'readers') return 'readers';
  if (value === false) return false;
  throw new AgentOtelConfigError(`${name} must be 'readers', 'live', true or false; got ${JSON.stringify(value)}`);
}

/** AGENT_OTEL_DUCKDB: readers, live, or true/1, false/0. */
function duckdbEnv(): boolean | 'live' | 'readers' | undefined {
  const v = env.str('AGENT_OTEL_DUCKDB')?.trim().toLowerCase();
  return v === 'live' || v === 'readers' ? v : env.bool('AGENT_OTEL_DUCKDB');
}

/** Every env variable of the options is read through this (src/parse/env.ts: unset and empty are the same). */
const env = envValues();

/**
 * OTEL_SEMCONV_STABILITY_OPT_IN: the comma-separated convention opt-ins the OpenTelemetry specs define
 * (`http`, `database/dup`, `gen_ai_latest_experimental`, ...); unknown values are ignored, as they are
 * by every instrumentation that reads the same variable.
 */
export function semconvOptInFromEnv(): string[] {
  return (env.str('OTEL_SEMCONV_STABILITY_OPT_IN') ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
}


/** Merges options over env over defaults and validates every value. */
export function resolveConfig(options: TelemetryOptions = {}): ResolvedConfig {
  if (options === null || typeof options !== 'object') {
    throw new AgentOtelConfigError(`registerTelemetry() takes an options object; got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new AgentOtelConfigError(`unknown option '${key}'; accepted options: ${OPTION_KEYS.join(', ')}`);
    }
  }
  const o = options;
  const q = o.spanQueue ?? {};
  for (const key of Object.keys(q)) {
    if (!(QUEUE_KEYS as readonly string[]).includes(key)) {
      throw new AgentOtelConfigError(`unknown option 'spanQueue.${key}'; accepted: ${QUEUE_KEYS.join(', ')}`);
    }
  }
  const logLevel = (o.logLevel ?? env.str('OTEL_LOG_LEVEL')?.toLowerCase() ?? 'warn') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new AgentOtelConfigError(`${o.logLevel !== undefined ? 'option logLevel' : 'env OTEL_LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(logLevel)}`);
  }
  const pick = <T>(opt: unknown, optName: string, envValue: () => unknown, check: (v: unknown, n: string) => T, envName: string, dflt: T): T => {
    if (opt !== undefined) return check(opt, `option ${optName}`);
    const e = envValue();
    return e !== undefined ? check(e, `env ${envName}`) : dflt;
  };
  const queue: QueueOptions = {
    maxQueueSize: pick(q.maxQueueSize, 'spanQueue.maxQueueSize', () => env.num('OTEL_BSP_MAX_QUEUE_SIZE'), positive, 'OTEL_BSP_MAX_QUEUE_SIZE', DEFAULT_QUEUE.maxQueueSize),
    maxExportBatchSize: pick(q.maxExportBatchSize, 'spanQueue.maxExportBatchSize', () => env.num('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'), positive, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', DEFAULT_QUEUE.maxExportBatchSize),
    scheduledDelayMillis: pick(q.scheduledDelayMillis, 'spanQueue.scheduledDelayMillis', () => env.num('OTEL_BSP_SCHEDULE_DELAY'), positive, 'OTEL_BSP_SCHEDULE_DELAY', DEFAULT_QUEUE.scheduledDelayMillis),
    exportTimeoutMillis: pick(q.exportTimeoutMillis, 'spanQueue.exportTimeoutMillis', () => env.num('OTEL_BSP_EXPORT_TIMEOUT'), positive, 'OTEL_BSP_EXPORT_TIMEOUT', DEFAULT_QUEUE.exportTimeoutMillis),
  };
  if (queue.maxExportBatchSize > queue.maxQueueSize) {
    throw new AgentOtelConfigError(`spanQueue.maxExportBatchSize (${queue.maxExportBatchSize}) must not exceed spanQueue.maxQueueSize (${queue.maxQueueSize})`);
  }
  const arrayOf = <T>(v: unknown, name: string): T[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new AgentOtelConfigError(`option ${name} must be an array; got ${JSON.stringify(v)}`);
    return v as T[];
  };
  const resourceAttributes = o.resourceAttributes ?? {};
  if (typeof resourceAttributes !== 'object' || Array.isArray(resourceAttributes)) {
    throw new AgentOtelConfigError(`option resourceAttributes must be an object of attributes; got ${JSON.stringify(resourceAttributes)}`);
  }
  const semconvOptIn = semconvOptInFromEnv();
  const captureContent = pick(o.captureContent, 'captureContent', () => env.bool('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'), bool, 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', false);
  const governance = resolveGovernance(o, {
    value: captureContent, explicit: o.captureContent !== undefined || env.bool('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') !== undefined,
  }, env);
  return {
    serviceName: pick<string | undefined>(o.serviceName, 'serviceName', () => env.str('OTEL_SERVICE_NAME'), str, 'OTEL_SERVICE_NAME', undefined),
    serviceVersion: o.serviceVersion !== undefined ? str(o.serviceVersion, 'option serviceVersion') : env.str('npm_package_version'),
    resourceAttributes,
    dir: path.resolve(pick(o.dir, 'dir', () => env.str('AGENT_OTEL_DIR'), str, 'AGENT_OTEL_DIR', DEFAULT_DIR)),
    jsonl: pick(o.jsonl, 'jsonl', () => env.bool('AGENT_OTEL_JSONL'), bool, 'AGENT_OTEL_JSONL', true),
    duckdb: pick<ResolvedConfig['duckdb']>(o.duckdb, 'duckdb', () => duckdbEnv(), duckdbMode, 'AGENT_OTEL_DUCKDB', 'readers'),
    captureContent: governance.privacy === 'full',
    governance,
    maxFileBytes: pick(o.maxFileSize, 'maxFileSize', () => env.str('AGENT_OTEL_MAX_FILE_SIZE'), parseSize, 'AGENT_OTEL_MAX_FILE_SIZE', DEFAULT_MAX_FILE_BYTES),
    maxAgeMs: pick(o.retentionDays, 'retentionDays', () => env.num('AGENT_OTEL_RETENTION_DAYS'), (v, n) => positive(v, n, false), 'AGENT_OTEL_RETENTION_DAYS', DEFAULT_RETENTION_DAYS) * 86400e3,
    maxTotalBytes: pick(o.maxTotalSize, 'maxTotalSize', () => env.str('AGENT_OTEL_MAX_TOTAL_SIZE'), parseSize, 'AGENT_OTEL_MAX_TOTAL_SIZE', DEFAULT_MAX_TOTAL_BYTES),
    spanQueue: queue,
    metricIntervalMillis: pick(o.metricIntervalMillis, 'metricIntervalMillis', () => env.num('OTEL_METRIC_EXPORT_INTERVAL'), positive, 'OTEL_METRIC_EXPORT_INTERVAL', 10_000),
    spanExporters: arrayOf<SpanExporter>(o.spanExporters, 'spanExporters'),
    metricReaders: arrayOf<MetricReader>(o.metricReaders, 'metricReaders'),
    handleSignals: o.handleSignals !== undefined ? bool(o.handleSignals, 'option handleSignals') : true,
    logLevel,
    disabled: pick(o.disabled, 'disabled', () => env.bool('OTEL_SDK_DISABLED'), bool, 'OTEL_SDK_DISABLED', false),
    semconvOptIn,
    genAiLatestExperimental: semconvOptIn.includes(SEMCONV_OPT_IN_GEN_AI_LATEST),
    ...resolveExport(o),
    logs: resolveLogs(o.logs, env.str),
    otlpLogs: resolveOtlpLogs(o.otlp, env.str),
  };
}

function port(value: unknown, name: string): number {
  const n = portValue(value);
  if (n === undefined) throw new AgentOtelConfigError(`${name} must be ${PORT_ACCEPTED}; got ${JSON.stringify(value)}`);
  return n;
}

/** OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER: a comma list; undefined when unset. */
function exporterList(name: string, accepted: readonly string[]): string[] | undefined {
  const v = env.str(name);
  if (v === undefined) return undefined;
  const list = v.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((x) => !accepted.includes(x));
  if (bad.length) throw new AgentOtelConfigError(`env ${name} must be a comma-separated list of ${accepted.join(', ')}; got ${JSON.stringify(v)}`);
  return list;
}

function checkKeys(value: object, option: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new AgentOtelConfigError(`unknown option '${option}.${key}'; accepted: ${keys.join(', ')}`);
  }
}

/** The `prometheus` and `otlp` options, over their env vars. */
function resolveExport(o: TelemetryOptions): Pick<ResolvedConfig, 'prometheus' | 'otlp'> {
  const metricsExporters = exporterList('OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none']);
  const tracesExporters = exporterList('OTEL_TRACES_EXPORTER', ['otlp', 'none']);

  // Prometheus: on by the option, else AGENT_OTEL_PROMETHEUS, else OTEL_METRICS_EXPORTER=prometheus.
  let prometheus: ResolvedConfig['prometheus'];
  const p = o.prometheus;
  if (p !== undefined && typeof p !== 'boolean' && (p === null || typeof p !== 'object' || Array.isArray(p))) {
    throw new AgentOtelConfigError(`option prometheus must be true, false or { port, host }; got ${JSON.stringify(p)}`);
  }
  if (p && typeof p === 'object') checkKeys(p, 'prometheus', PROMETHEUS_KEYS);
  const promOn = p !== undefined ? p !== false
    : env.bool('AGENT_OTEL_PROMETHEUS') ?? metricsExporters?.includes('prometheus') ?? false;
  if (promOn) {
    const po = typeof p === 'object' ? p : {};
    const portEnv = env.str('OTEL_EXPORTER_PROMETHEUS_PORT');
    prometheus = {
      port: po.port !== undefined ? port(po.port, 'option prometheus.port')
        : portEnv !== undefined ? port(portEnv, 'env OTEL_EXPORTER_PROMETHEUS_PORT') : DEFAULT_PROMETHEUS.port,
      host: po.host !== undefined ? str(po.host, 'option prometheus.host')
        : env.str('OTEL_EXPORTER_PROMETHEUS_HOST')?.trim() || DEFAULT_PROMETHEUS.host,
    };
  }

  // OTLP: on by the option, else when an endpoint env var is set.
  const x = o.otlp;
  if (x !== undefined && typeof x !== 'boolean' && (x === null || typeof x !== 'object' || Array.isArray(x))) {
    throw new AgentOtelConfigError(`option otlp must be true, false or { endpoint, headers, protocol, traces, metrics, logs, timeoutMillis }; got ${JSON.stringify(x)}`);
  }
  if (x && typeof x === 'object') checkKeys(x, 'otlp', OTLP_KEYS);
  const xo: OtlpOptions = typeof x === 'object' ? x : {};
  const envBase = env.str('OTEL_EXPORTER_OTLP_ENDPOINT');
  const envTraces = env.str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const envMetrics = env.str('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const given = x !== undefined ? x !== false : envBase !== undefined || envTraces !== undefined || envMetrics !== undefined;
  if (!given) return { prometheus };

  const base = xo.endpoint !== undefined ? httpUrl(xo.endpoint, 'option otlp.endpoint')
    : envBase !== undefined ? httpUrl(envBase, 'env OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
  const urlFor = (signal: 'traces' | 'metrics', specific: string | undefined, specificName: string): string | undefined => {
    if (xo.endpoint !== undefined) return otlpSignalUrl(base!, signal);
    if (specific !== undefined) return httpUrl(specific, `env ${specificName}`);
    if (base !== undefined) return otlpSignalUrl(base, signal);
    // `otlp: true` with no endpoint anywhere: the local collector default; an env var for one signal only: that one.
    return x !== undefined ? otlpSignalUrl(DEFAULT_OTLP_ENDPOINT, signal) : undefined;
  };
  const tracesOn = (xo.traces !== undefined ? bool(xo.traces, 'option otlp.traces') : true)
    && (tracesExporters === undefined || tracesExporters.includes('otlp'));
  const metricsOn = (xo.metrics !== undefined ? bool(xo.metrics, 'option otlp.metrics') : true)
    && (metricsExporters === undefined || metricsExporters.includes('otlp'));
  const protocolFor = (signal: 'TRACES' | 'METRICS'): OtlpProtocol => {
    if (xo.protocol !== undefined) return otlpProtocol(xo.protocol, 'option otlp.protocol');
    const specific = env.str(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`);
    if (specific !== undefined) return otlpProtocol(specific.trim(), `env OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`);
    const general = env.str('OTEL_EXPORTER_OTLP_PROTOCOL');
    return general !== undefined ? otlpProtocol(general.trim(), 'env OTEL_EXPORTER_OTLP_PROTOCOL') : 'http/protobuf';
  };
  let headers: Record<string, string> | undefined;
  if (xo.headers !== undefined) {
    const h = xo.headers as unknown;
    if (h === null || typeof h !== 'object' || Array.isArray(h) || Object.values(h).some((v) => typeof v !== 'string')) {
      throw new AgentOtelConfigError(`option otlp.headers must be an object of string values, e.g. { 'x-api-key': '…' }; got ${JSON.stringify(h)}`);
    }
    headers = { ...(h as Record<string, string>) };
  }
  const otlp: ResolvedOtlp = {
    protocol: { traces: protocolFor('TRACES'), metrics: protocolFor('METRICS') },
    tracesUrl: tracesOn ? urlFor('traces', envTraces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') : undefined,
    metricsUrl: metricsOn ? urlFor('metrics', envMetrics, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') : undefined,
    ...(headers ? { headers } : {}),
    ...(xo.timeoutMillis !== undefined ? { timeoutMillis: positive(xo.timeoutMillis, 'option otlp.timeoutMillis') } : {}),
  };
  if (!otlp.tracesUrl && !otlp.metricsUrl) return { prometheus };
  return { prometheus, otlp };
}
