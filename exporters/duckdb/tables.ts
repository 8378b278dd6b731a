/**
 * SQL built from the typed columns of the row contract (semconv/schema.ts, semconv/logs.ts): the tables of
 * telemetry.duckdb and the `columns={...}` that make read_json type JSONL rows the same way. semconv/ holds
 * the names and types; the SQL lives with the store that runs it.
 */
import { INGESTED_TABLE, SPAN_COLUMNS } from '../../semconv/schema.js';
import { VIEW_ATTRIBUTES } from '../../semconv/viewAttributes.js';

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

/**
 * The `spans` table's typed attribute columns, after the row's own: one per view attribute, named by its
 * key (`"gen_ai.request.model"`), filled at ingest so that queries read them instead of parsing JSON.
 */
export const SPAN_ATTRIBUTE_COLUMNS: ColumnTypes = Object.entries(VIEW_ATTRIBUTES);

/** The columns of the `spans` table: the row's, then the typed attributes. */
export const SPAN_TABLE_COLUMNS: ColumnTypes = [...SPAN_COLUMNS, ...SPAN_ATTRIBUTE_COLUMNS];

const ATTRIBUTE_SHAPE = JSON.stringify(VIEW_ATTRIBUTES).replace(/'/g, "''");

/** SQL select item: the typed attribute columns of a row, parsed once from its `attributes` JSON. */
export const spanAttributesSql = (attributes = 'attributes'): string => `unnest(json_transform(${attributes}, '${ATTRIBUTE_SHAPE}'))`;

/** `"name", …` of a column list. */
export const columnList = (columns: ColumnTypes): string => columns.map(([n]) => `"${n}"`).join(', ');
