import { diag, logs, type Attributes, type AttributeValue, type Logger } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { LOG_EXCEPTION_MESSAGE, LOG_EXCEPTION_STACKTRACE, LOG_EXCEPTION_TYPE, LOG_SEVERITY } from '../../semconv/logs.js';
import { VERSION } from '../version.js';
import { activeGeneration, getActiveLogs } from './active.js';

/** Free fields of a record: strings, numbers, booleans, dates, arrays, plain objects, and an `Error`. */
export type LogFields = Record<string, unknown>;

/** A structured logger for one component (see `logger()`). */
export interface Log {
  readonly component: string;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record it writes (persistent context: a request, a user, a step). */
  with(fields: LogFields): Log;
  /** Whether a record of this level would be recorded (to skip building costly fields). */
  enabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

const MAX_DEPTH = 4;

/** A field value as a log attribute value (AnyValue): JSON-safe, bounded, never throwing. */
function plain(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'number': return Number.isFinite(v) ? v : String(v);
    case 'bigint': return v.toString();
    case 'undefined': case 'function': case 'symbol': return undefined;
  }
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1) ?? null);
  if (v instanceof Map) return plain(Object.fromEntries(v), depth);
  if (v instanceof Set) return plain([...v], depth);
  if (ArrayBuffer.isView(v)) return String(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) {
    const x = plain((v as Record<string, unknown>)[k], depth + 1);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

/** Fields → attributes over `base`; the first Error becomes exception.type / message / stacktrace. */
function toAttributes(fields: LogFields, base: Attributes | undefined): Attributes {
  const out: Attributes = base ? { ...base } : {};
  let sawError = false;
  for (const k in fields) {
    const v = fields[k];
    const t = typeof v;
    if (t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v))) {
      out[k] = v as AttributeValue;
    } else if (v instanceof Error && !sawError) {
      sawError = true;
      out[LOG_EXCEPTION_TYPE] = v.name || v.constructor?.name || 'Error';
      out[LOG_EXCEPTION_MESSAGE] = String(v.message);
      if (typeof v.stack === 'string') out[LOG_EXCEPTION_STACKTRACE] = v.stack;
    } else {
      const x = plain(v, 0);
      if (x !== undefined && x !== null) out[k] = x as AttributeValue;
    }
  }
  return out;
}

let warned = false;
function reportOnce(err: unknown): void {
  if (warned) return;
  warned = true;
  diag.warn(`agent-otel: a log record could not be recorded (${(err as Error)?.message ?? String(err)}); further failures are not reported`);
}

class AgentLog implements Log {
  private sdk: Logger | undefined;
  private gen = -1;

  constructor(readonly component: string, private readonly base: Attributes | undefined) {}

  debug(event: string, fields?: LogFields): void { this.emit(LOG_SEVERITY.debug, 'DEBUG', event, fields); }
  info(event: string, fields?: LogFields): void { this.emit(LOG_SEVERITY.info, 'INFO', event, fields); }
  warn(event: string, fields?: LogFields): void { this.emit(LOG_SEVERITY.warn, 'WARN', event, fields); }
  error(event: string, fields?: LogFields): void { this.emit(LOG_SEVERITY.error, 'ERROR', event, fields); }

  with(fields: LogFields): Log {
    try {
      return new AgentLog(this.component, fields && typeof fields === 'object' ? toAttributes(fields, this.base) : this.base);
    } catch (err) {
      reportOnce(err);
      return this;
    }
  }

  enabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean {
    return (LOG_SEVERITY[level] ?? 0) >= (getActiveLogs()?.minSeverity ?? LOG_SEVERITY.info);
  }

  private emit(severity: number, text: string, event: string, fields: LogFields | undefined): void {
    try {
      const active = getActiveLogs();
      if (severity < (active?.minSeverity ?? LOG_SEVERITY.info)) return;
      const gen = activeGeneration();
      if (this.gen !== gen || !this.sdk) {
        // The registered pipeline, or whatever provider the global Logs API has (another SDK, or none).
        this.sdk = active ? active.provider.getLogger(this.component, VERSION) : logs.getLogger(this.component, VERSION);
        this.gen = gen;
      }
      const name = typeof event === 'string' ? event : String(event);
      this.sdk.emit({
        timestamp: hrTime(), severityNumber: severity, severityText: text, body: name, eventName: name,
        attributes: fields && typeof fields === 'object' ? toAttributes(fields, this.base) : this.base ? { ...this.base } : {},
      });
    } catch (err) {
      reportOnce(err);
    }
  }
}

/**
 * A structured logger for `component` (the record's `component` column and instrumentation scope):
 * `log.info('file.parsed', { path, bytes })`. Each record carries the active span's trace and span ids,
 * goes through redaction, and lands in `logs/*.jsonl` (and OTLP when configured). An `Error` among the
 * fields is recorded as exception.type / message / stacktrace. Below the level threshold (option
 * `logs.level`, env AGENT_OTEL_LOG_LEVEL, default info) nothing is recorded. Never throws.
 * Usable before registerTelemetry(): records go to whichever provider is registered when they are logged.
 */
export function logger(component: string, fields?: LogFields): Log {
  const name = typeof component === 'string' && component ? component : 'agent';
  const base = new AgentLog(name, undefined);
  return fields ? base.with(fields) : base;
}
