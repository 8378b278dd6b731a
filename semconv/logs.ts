/**
 * The logs signal: the row written to `logs/*.jsonl` (one log record per line, flat like span rows),
 * its DuckDB columns, and the severity numbers of the OpenTelemetry log data model. Names only.
 */
import type { AttributeMap } from './schema.js';

/** Sub-directory of the telemetry directory for log records. */
export const DIR_LOGS = 'logs';

export interface LogRow {
  /** When the record happened: ISO-8601 UTC with microseconds. */
  time: string;
  /** `DEBUG`, `INFO`, `WARN`, `ERROR` (the logger helper), or whatever a bridge sets (pino: `info`, …); null when unset. */
  severity_text: string | null;
  /** 1–24 (LOG_SEVERITY), 0 when unset. */
  severity_number: number;
  /** The message: a string, or any JSON value a bridge or the Logs API gave. */
  body: unknown;
  /** The event (`logger()` helper: its first argument; GenAI events: `gen_ai.*`); null for plain log lines. */
  event_name: string | null;
  /** The logger's name (the instrumentation scope): `logger(component)`'s component, a bridge's package. */
  component: string;
  /** The span active when the record was emitted; null outside any span. */
  trace_id: string | null;
  span_id: string | null;
  attributes: AttributeMap;
  scope: { name: string; version: string | null };
  service_name: string;
  /** As in span rows: the id of a `resources/` row, or (older rows) the resource inline. */
  resource_id?: string;
  resource?: AttributeMap;
}

/** Format v3: log row fields left out of the file when null; readers put them back. */
export const LOG_DEFAULTS = { severity_text: null, event_name: null, trace_id: null, span_id: null } as const;

/** SeverityNumber of the OpenTelemetry log data model: the first number of each range. */
export const LOG_SEVERITY = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;
export type LogSeverityName = keyof typeof LOG_SEVERITY;
export const LOG_SEVERITY_NAMES = Object.keys(LOG_SEVERITY) as LogSeverityName[];

/** The severity name of a number (its range: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal). */
export function severityName(n: number): LogSeverityName | undefined {
  if (!(n >= 1 && n <= 24)) return undefined;
  return LOG_SEVERITY_NAMES[Math.floor((n - 1) / 4)];
}

/** Attributes an `Error` among a record's fields becomes (the exception semantic conventions). */
export const LOG_EXCEPTION_TYPE = 'exception.type';
export const LOG_EXCEPTION_MESSAGE = 'exception.message';
export const LOG_EXCEPTION_STACKTRACE = 'exception.stacktrace';
/** console capture: the console method a record came from (`log`, `info`, `warn`, `error`, `debug`). */
export const LOG_CONSOLE_METHOD = 'console.method';
/** The scope (component) of records captured from `console.*`. */
export const CONSOLE_SCOPE = 'console';

/** DuckDB column types of the log rows, in row order. */
export const LOG_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['time', 'TIMESTAMP'], ['severity_text', 'VARCHAR'], ['severity_number', 'INTEGER'], ['body', 'JSON'],
  ['event_name', 'VARCHAR'], ['component', 'VARCHAR'], ['trace_id', 'VARCHAR'], ['span_id', 'VARCHAR'],
  ['attributes', 'JSON'], ['scope', 'STRUCT(name VARCHAR, version VARCHAR)'], ['service_name', 'VARCHAR'], ['resource', 'JSON'],
  ['resource_id', 'VARCHAR'],
];

/** Self-metric: log records agent-otel could not deliver, by reason (attribute `agent_otel.reason`). */
export const METRIC_LOG_RECORDS_DROPPED = 'agent_otel.log_records.dropped';
export const UNIT_LOG_RECORD = '{log_record}';
