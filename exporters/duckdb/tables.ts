/**
 * SQL built from the typed columns of the row contract (semconv/schema.ts, semconv/logs.ts): the tables of
 * telemetry.duckdb and the `columns={...}` that make read_json type JSONL rows the same way. semconv/ holds
 * the names and types; the SQL lives with the store that runs it.
 */
import { INGESTED_TABLE, RESOURCE_COLUMNS, SPAN_COLUMNS, type RowSignal } from '../../semconv/schema.js';
import { VIEW_ATTRIBUTES } from '../../semconv/viewAttributes.js';
import { globLit } from './sqlPaths.js';

/** `[column name, DuckDB type]` pairs in row order, e.g. SPAN_COLUMNS. */
export type ColumnTypes = ReadonlyArray<readonly [string, string]>;

/**
 * `CREATE TABLE IF NOT EXISTS <table> (...)` for a column list. With `strings` (a table of the store, see
 * STORE_STRINGS), each string column names its compression (STRING_COMPRESSION): by its kind as listed,
 * else `repeated`.
 */
export const createTableSql = (table: string, columns: ColumnTypes, strings?: StringKinds): string =>
  `CREATE TABLE IF NOT EXISTS ${table} (${columns.map(([n, t]) => {
    const method = strings && (t === 'VARCHAR' || t === 'JSON') ? STRING_COMPRESSION[strings[n] ?? 'repeated'] : 'auto';
    return `"${n}" ${t}${method === 'auto' ? '' : ` USING COMPRESSION ${method}`}`;
  }).join(', ')})`;

/**
 * What a string column of the store's big tables holds: `id`s (nearly all distinct), `content` (the
 * attributes' JSON: long, its keys repeating from row to row), `message`s (rare free text), or
 * `repeated` values (names, models, events: mostly `[]`).
 */
export type StringKind = 'id' | 'content' | 'message' | 'repeated';
/** A table's string columns that are not `repeated`, by name. */
export type StringKinds = Readonly<Record<string, StringKind>>;

/**
 * The compression each kind names. Left to choose, DuckDB tries every method on every string column of
 * every row group it writes; named, it does one. ZSTD packs ids and the attributes' JSON, whose keys
 * repeat, far faster and smaller than FSST (1M spans: the `spans` table's CPU to store 6.3 → 3.5 s,
 * 150 → 69 MiB; bench/README "Round 6: ingest"); DICT_FSST keeps each repeated value once; messages are left to
 * DuckDB. These methods need a file of DuckDB storage version 1.3 or later (STORE_STORAGE_VERSION):
 * DuckDbStore names none in an older file (DuckDB refuses or ignores them there).
 */
export const STRING_COMPRESSION: Readonly<Record<StringKind, 'zstd' | 'dict_fsst' | 'auto'>> = {
  id: 'zstd', content: 'zstd', message: 'auto', repeated: 'dict_fsst',
};

/** The storage version telemetry.duckdb is created with: the first with ZSTD and DICT_FSST for strings. */
export const STORE_STORAGE_VERSION = 'v1.3.0';

/** Per big table of the store, its string columns that are not `repeated`. */
export const STORE_STRINGS: Readonly<Record<string, StringKinds>> = {
  spans: {
    span_id: 'id', parent_span_id: 'id', 'gen_ai.tool.call.id': 'id', attributes: 'content',
    status_message: 'message', 'error.type': 'message',
  },
  run_starts: { run_id: 'id', trace_id: 'id', span_id: 'id' },
  runs: { run_id: 'id', trace_id: 'id', span_id: 'id', start_span_id: 'id', status_message: 'message', error_type: 'message' },
};

/**
 * The largest JSONL row read_json takes (its `maximum_object_size`): a row must fit in one of DuckDB's
 * read buffers (twice this), and a captured prompt can be large. Ingest tries DuckDB's default first.
 */
export const MAX_ROW_BYTES = 64 * 1024 ** 2;

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

/**
 * Format v3: the select items that put back what a span row leaves out at its default (semconv
 * SPAN_DEFAULTS; the null defaults read as NULL anyway).
 */
const DEFAULTS_SQL: Record<RowSignal, string> = {
  spans: ", coalesce(_row.events, '[]'::JSON) AS events, coalesce(_row.links, '[]'::JSON) AS links",
  metrics: '',
  logs: '',
};

/**
 * Rows of a span, metric or log relation (with a `resource_id` column) made whole: `resource`,
 * `service_name` and `scope` from the relation of resource rows that `resource_id` names (rows written
 * since format v2 name their resource, since v3 their scope too; older rows keep their own: coalesce),
 * and the fields format v3 leaves out at their default. The one join every SQL reader of JSONL rows, and
 * of telemetry.duckdb's tables, goes through. Ingest passes `fillResource: false`: the tables keep the
 * resource once (their `resources` table) and readers join it back, but the short fields are stored.
 */
export const withResourceSql = (rows: string, resources: string, signal: RowSignal, fillResource = true): string =>
  `SELECT _row.* REPLACE (${fillResource ? 'coalesce(_row.resource, _res.resource) AS resource, ' : ''}` +
  'coalesce(_row.service_name, _res.service_name) AS service_name, coalesce(_row.scope, _res.scope) AS scope' +
  `${DEFAULTS_SQL[signal]}) FROM (${rows}) _row ` +
  `LEFT JOIN (SELECT resource_id, ${fillResource ? 'any_value(resource) AS resource, ' : ''}any_value(service_name) AS service_name, ` +
  `any_value(scope) AS scope FROM ${resources} GROUP BY resource_id) _res ON _res.resource_id = _row.resource_id`;

/** The resource rows of `resources/` files, typed (a torn line is left out), as a parenthesized relation; empty for none. */
export const readResourcesSql = (files: string[]): string => files.length === 0
  ? `(SELECT ${RESOURCE_COLUMNS.map(([n, t]) => `NULL::${t} AS ${n}`).join(', ')} WHERE false)`
  : `(SELECT * FROM read_json([${files.map(globLit).join(', ')}], format='newline_delimited', ` +
    `columns=${readJsonColumns(RESOURCE_COLUMNS)}, ignore_errors=true) WHERE resource_id IS NOT NULL)`;
