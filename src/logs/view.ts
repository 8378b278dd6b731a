import fs from 'node:fs';
import path from 'node:path';
import { createTableSql, globLit, readJsonColumns, MAX_ROW_BYTES, readResourcesSql, withResourceSql } from '../../exporters/duckdb/index.js';
import { resourceFiles } from '../../exporters/jsonl/resources.js';
import { DIR_LOGS, LOG_COLUMNS } from '../../semconv/logs.js';

/** Columns of the `logs` view, in order (the log row, typed; `level` is the severity's name, `body` text). */
export const LOGS_VIEW_COLUMNS = ['time', 'level', 'severity_text', 'severity_number', 'component', 'event_name', 'body',
  'trace_id', 'span_id', 'attributes', 'service_name', 'scope', 'resource', 'resource_id'] as const;

/** The JSONL log files of a telemetry directory, oldest name first. */
export function logFiles(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, DIR_LOGS)).filter((n) => n.endsWith('.jsonl')).sort().map((n) => path.join(dir, DIR_LOGS, n));
  } catch {
    return [];
  }
}

/** Rows of the log files (a torn or corrupt line comes back all-NULL from ignore_errors and is left out). */
export const readLogsSql = (files: string[]): string =>
  `SELECT * FROM read_json([${files.map(globLit).join(', ')}], format='newline_delimited', ` +
  `columns=${readJsonColumns(LOG_COLUMNS)}, ignore_errors=true, maximum_object_size=${MAX_ROW_BYTES}) WHERE time IS NOT NULL`;

/**
 * `CREATE OR REPLACE TEMP VIEW logs`. The query session passes `rows`, a relation of log rows made like
 * `spans`: the database's `logs` table plus what the files hold that it does not (JSONL and Parquet).
 * Without it, the view reads `<dir>/logs/*.jsonl` as they are now (run again to see new files); without
 * log files it is empty and typed, so queries over it still work.
 */
export function logsViewStatements(dir: string, rows?: string): string[] {
  const files = rows ? [] : logFiles(dir);
  const pre: string[] = [];
  let from: string;
  if (rows) {
    from = rows;
  } else if (files.length) {
    from = `(${withResourceSql(readLogsSql(files), readResourcesSql(resourceFiles(dir)), 'logs')})`;
  } else {
    pre.push(createTableSql('_empty_logs', LOG_COLUMNS).replace('CREATE TABLE IF NOT EXISTS', 'CREATE OR REPLACE TEMP TABLE'));
    from = '_empty_logs';
  }
  return [...pre, `CREATE OR REPLACE TEMP VIEW logs AS SELECT time,
      CASE WHEN severity_number BETWEEN 1 AND 4 THEN 'trace' WHEN severity_number BETWEEN 5 AND 8 THEN 'debug'
        WHEN severity_number BETWEEN 9 AND 12 THEN 'info' WHEN severity_number BETWEEN 13 AND 16 THEN 'warn'
        WHEN severity_number BETWEEN 17 AND 20 THEN 'error' WHEN severity_number BETWEEN 21 AND 24 THEN 'fatal' END AS level,
      severity_text, severity_number, component, event_name,
      CASE WHEN json_type(body) = 'VARCHAR' THEN body->>'$' ELSE CAST(body AS VARCHAR) END AS body,
      trace_id, span_id, attributes, service_name, scope, resource, resource_id
    FROM ${from} l`];
}
