/**
 * SQL built from the typed columns of the row contract (semconv/schema.ts, semconv/logs.ts): the tables of
 * telemetry.duckdb and the `columns={...}` that make read_json type JSONL rows the same way. semconv/ holds
 * the names and types; the SQL lives with the store that runs it.
 */
import { INGESTED_TABLE } from '../../semconv/schema.js';

/** `[column name, DuckDB type]` pairs in row order, e.g. SPAN_COLUMNS. */
export type ColumnTypes = ReadonlyArray<readonly [string, string]>;

/** `CREATE TABLE IF NOT EXISTS <table> (...)` for a column list. */
export const createTableSql = (table: string, columns: ColumnTypes): string =>
  `CREATE TABLE IF NOT EXISTS ${table} (${columns.map(([n, t]) => `"${n}" ${t}`).join(', ')})`;

/** The `columns={...}` argument of DuckDB's read_json for a column list. */
export const readJsonColumns = (columns: ColumnTypes): string =>
  `{${columns.map(([n, t]) => `"${n}": '${t}'`).join(', ')}}`;

/** The bookkeeping table: bytes of which file (relative path) the tables hold. */
export const INGESTED_DDL = `CREATE TABLE IF NOT EXISTS ${INGESTED_TABLE} (file VARCHAR PRIMARY KEY, signal VARCHAR, bytes BIGINT, updated_at TIMESTAMP)`;
