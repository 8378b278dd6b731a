import { AgentOtelConfigError } from '../errors.js';
import { DEFAULT_QUEUE, QUEUE_KEYS, type QueueOptions } from '../pipeline/ExportQueue.js';
import { envValues, type EnvReader } from '../parse/env.js';
import { bool, positive } from '../parse/values.js';
import { LOG_SEVERITY, LOG_SEVERITY_NAMES, type LogSeverityName } from '../../semconv/logs.js';

/** The `logs` option of registerTelemetry(): `false` turns the logs signal off. */
export interface LogsOptions {
  /** Lowest severity written: trace, debug, info (default), warn, error, fatal (env AGENT_OTEL_LOG_LEVEL). Applies to every record, bridges included. */
  level?: LogSeverityName;
  /** Also record `console.log|info|warn|error|debug` calls (default false; env AGENT_OTEL_LOGS_CONSOLE). */
  console?: boolean;
  /** The log record queue (env OTEL_BLRP_MAX_QUEUE_SIZE, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, OTEL_BLRP_SCHEDULE_DELAY, OTEL_BLRP_EXPORT_TIMEOUT). */
  queue?: Partial<QueueOptions>;
}

export interface ResolvedLogs {
  level: LogSeverityName;
  /** SeverityNumber of `level`: records below it are not recorded. */
  minSeverity: number;
  console: boolean;
  queue: QueueOptions;
}

export const LOGS_KEYS = ['level', 'console', 'queue'] as const;

/**
 * The `logs` option over env: AGENT_OTEL_LOGS (false turns logs off), AGENT_OTEL_LOG_LEVEL,
 * AGENT_OTEL_LOGS_CONSOLE, OTEL_BLRP_*. Undefined when logs are off.
 */
export function resolveLogs(option: unknown, read: EnvReader): ResolvedLogs | undefined {
  const env = envValues(read);
  if (option !== undefined && typeof option !== 'boolean' && (option === null || typeof option !== 'object' || Array.isArray(option))) {
    throw new AgentOtelConfigError(`option logs must be true, false or { level, console, queue }; got ${JSON.stringify(option)}`);
  }
  const o = (typeof option === 'object' ? option : {}) as LogsOptions;
  for (const key of Object.keys(o)) {
    if (!(LOGS_KEYS as readonly string[]).includes(key)) throw new AgentOtelConfigError(`unknown option 'logs.${key}'; accepted: ${LOGS_KEYS.join(', ')}`);
  }
  const on = option !== undefined ? option !== false : env.bool('AGENT_OTEL_LOGS') ?? true;
  if (!on) return undefined;

  const envLevel = env.str('AGENT_OTEL_LOG_LEVEL');
  const level = (o.level ?? envLevel?.trim().toLowerCase() ?? 'info') as LogSeverityName;
  if (!LOG_SEVERITY_NAMES.includes(level)) {
    throw new AgentOtelConfigError(`${o.level !== undefined ? 'option logs.level' : 'env AGENT_OTEL_LOG_LEVEL'} must be one of ${LOG_SEVERITY_NAMES.join(', ')}; got ${JSON.stringify(o.level ?? envLevel)}`);
  }
  const console = o.console !== undefined ? bool(o.console, 'option logs.console') : env.bool('AGENT_OTEL_LOGS_CONSOLE') ?? false;

  const q = o.queue ?? {};
  if (q === null || typeof q !== 'object') throw new AgentOtelConfigError(`option logs.queue must be an object; got ${JSON.stringify(q)}`);
  for (const key of Object.keys(q)) {
    if (!(QUEUE_KEYS as readonly string[]).includes(key)) throw new AgentOtelConfigError(`unknown option 'logs.queue.${key}'; accepted: ${QUEUE_KEYS.join(', ')}`);
  }
  const pick = (key: (typeof QUEUE_KEYS)[number], envName: string): number => {
    if (q[key] !== undefined) return positive(q[key], `option logs.queue.${key}`);
    return env.int(envName) ?? DEFAULT_QUEUE[key];
  };
  const queue: QueueOptions = {
    maxQueueSize: pick('maxQueueSize', 'OTEL_BLRP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: pick('maxExportBatchSize', 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE'),
    scheduledDelayMillis: pick('scheduledDelayMillis', 'OTEL_BLRP_SCHEDULE_DELAY'),
    exportTimeoutMillis: pick('exportTimeoutMillis', 'OTEL_BLRP_EXPORT_TIMEOUT'),
  };
  if (queue.maxExportBatchSize > queue.maxQueueSize) {
    throw new AgentOtelConfigError(`logs.queue.maxExportBatchSize (${queue.maxExportBatchSize}) must not exceed logs.queue.maxQueueSize (${queue.maxQueueSize})`);
  }
  return { level, minSeverity: LOG_SEVERITY[level], console, queue };
}
