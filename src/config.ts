import path from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { QueueOptions } from './pipeline/ExportQueueProcessor.js';

export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of `registerTelemetry()`. Every one has an env var (see README) and a default. */
export interface TelemetryOptions {
  /** `service.name` (env OTEL_SERVICE_NAME). */
  serviceName?: string;
  /** `service.version` (default: npm_package_version when run through npm). */
  serviceVersion?: string;
  /** Extra resource attributes (env OTEL_RESOURCE_ATTRIBUTES: `k=v,k2=v2`). */
  resourceAttributes?: Attributes;
  /** Telemetry directory (env AGENT_OTEL_DIR; default `./telemetry`). */
  dir?: string;
  /** Write JSONL files (default true; env AGENT_OTEL_JSONL). */
  jsonl?: boolean;
  /** Also load everything into `<dir>/telemetry.duckdb` for fast SQL (default true; env AGENT_OTEL_DUCKDB). */
  duckdb?: boolean;
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
}

export interface ResolvedConfig {
  /** Unset: OTEL_RESOURCE_ATTRIBUTES' service.name, else 'agent'. */
  serviceName: string | undefined;
  serviceVersion: string | undefined;
  resourceAttributes: Attributes;
  dir: string;
  jsonl: boolean;
  duckdb: boolean;
  captureContent: boolean;
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
}

/** A bad option or env value; the message names it and what is accepted. */
export class AgentOtelConfigError extends Error {
  override name = 'AgentOtelConfigError';
}

const OPTION_KEYS = ['serviceName', 'serviceVersion', 'resourceAttributes', 'dir', 'jsonl', 'duckdb', 'captureContent',
  'maxFileSize', 'retentionDays', 'maxTotalSize', 'spanQueue', 'metricIntervalMillis', 'spanExporters',
  'metricReaders', 'handleSignals', 'logLevel', 'disabled'] as const;
const QUEUE_KEYS = ['maxQueueSize', 'maxExportBatchSize', 'scheduledDelayMillis', 'exportTimeoutMillis'] as const;

export const DEFAULT_QUEUE: QueueOptions = {
  maxQueueSize: 16384,
  maxExportBatchSize: 1024,
  scheduledDelayMillis: 500,
  exportTimeoutMillis: 30_000,
};

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3,
};

/** `1073741824`, `'1GiB'`, `'500 MB'` → bytes. */
export function parseSize(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new AgentOtelConfigError(`${name} must be a size in bytes or with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. '64MiB'; got ${JSON.stringify(value)}`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** Parses a duration like `30d`, `24h`, `15m`, `10s` into milliseconds. */
export function parseDuration(value: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(value);
  if (!m) throw new AgentOtelConfigError(`${name} must be a duration such as 30d, 24h, 15m or 10s; got ${JSON.stringify(value)}`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2]!.toLowerCase() as 'ms'];
  return Number(m[1]) * unit;
}

function positive(value: unknown, name: string, integer = true): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) throw new AgentOtelConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}; got ${JSON.stringify(value)}`);
  return value as number;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new AgentOtelConfigError(`${name} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AgentOtelConfigError(`${name} must be a non-empty string; got ${JSON.stringify(value)}`);
  return value;
}

/** Env values are strings: these turn them into the option's type, naming the variable on error. */
const env = {
  bool(name: string): boolean | undefined {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    const l = v.trim().toLowerCase();
    if (l === 'true' || l === '1') return true;
    if (l === 'false' || l === '0') return false;
    throw new AgentOtelConfigError(`env ${name} must be one of true, false, 1, 0; got ${JSON.stringify(v)}`);
  },
  num(name: string): number | undefined {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\s*\d+(\.\d+)?\s*$/.test(v)) throw new AgentOtelConfigError(`env ${name} must be a positive number; got ${JSON.stringify(v)}`);
    return Number(v);
  },
  str(name: string): string | undefined {
    const v = process.env[name];
    return v === undefined || v === '' ? undefined : v;
  },
};

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
  return {
    serviceName: pick<string | undefined>(o.serviceName, 'serviceName', () => env.str('OTEL_SERVICE_NAME'), str, 'OTEL_SERVICE_NAME', undefined),
    serviceVersion: o.serviceVersion !== undefined ? str(o.serviceVersion, 'option serviceVersion') : env.str('npm_package_version'),
    resourceAttributes,
    dir: path.resolve(pick(o.dir, 'dir', () => env.str('AGENT_OTEL_DIR'), str, 'AGENT_OTEL_DIR', 'telemetry')),
    jsonl: pick(o.jsonl, 'jsonl', () => env.bool('AGENT_OTEL_JSONL'), bool, 'AGENT_OTEL_JSONL', true),
    duckdb: pick(o.duckdb, 'duckdb', () => env.bool('AGENT_OTEL_DUCKDB'), bool, 'AGENT_OTEL_DUCKDB', true),
    captureContent: pick(o.captureContent, 'captureContent', () => env.bool('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'), bool, 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', false),
    maxFileBytes: pick(o.maxFileSize, 'maxFileSize', () => env.str('AGENT_OTEL_MAX_FILE_SIZE'), parseSize, 'AGENT_OTEL_MAX_FILE_SIZE', 64 * 1024 ** 2),
    maxAgeMs: pick(o.retentionDays, 'retentionDays', () => env.num('AGENT_OTEL_RETENTION_DAYS'), (v, n) => positive(v, n, false), 'AGENT_OTEL_RETENTION_DAYS', 30) * 86400e3,
    maxTotalBytes: pick(o.maxTotalSize, 'maxTotalSize', () => env.str('AGENT_OTEL_MAX_TOTAL_SIZE'), parseSize, 'AGENT_OTEL_MAX_TOTAL_SIZE', 1024 ** 3),
    spanQueue: queue,
    metricIntervalMillis: pick(o.metricIntervalMillis, 'metricIntervalMillis', () => env.num('OTEL_METRIC_EXPORT_INTERVAL'), positive, 'OTEL_METRIC_EXPORT_INTERVAL', 10_000),
    spanExporters: arrayOf<SpanExporter>(o.spanExporters, 'spanExporters'),
    metricReaders: arrayOf<MetricReader>(o.metricReaders, 'metricReaders'),
    handleSignals: o.handleSignals !== undefined ? bool(o.handleSignals, 'option handleSignals') : true,
    logLevel,
    disabled: pick(o.disabled, 'disabled', () => env.bool('OTEL_SDK_DISABLED'), bool, 'OTEL_SDK_DISABLED', false),
  };
}
