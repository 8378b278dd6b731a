/**
 * The viewer's own tables, kept in an in-memory DuckDB next to nothing else:
 * - `vspans`: one slim row per span (ids, times, status, and the handful of attributes the pages filter,
 *   sort and sum on, extracted once at load) plus `src`, the file the row came from (0: telemetry.duckdb).
 *   A 1M-span store takes ~400 MB here; whole rows (attributes, events) are read from `src` per trace.
 * - `vrun_starts`: the run starts (`run_starts`, the `runs/` files), whole rows (one small row per run).
 * - `vruns`: one row per run, the `agent_runs` view of src/query/views.ts computed over `vspans` and
 *   `vrun_starts` and kept up to date run by run as spans and run starts arrive.
 * Every statement here is fixed text; values from requests are bound as prepared-statement parameters.
 */
import { COLUMNS, createTableSql, globLit, lit, readJsonColumns, MAX_ROW_BYTES, readResourcesSql, withResourceSql } from '../../exporters/duckdb/index.js';
import { SPAN_ATTRIBUTE_COLUMNS } from '../../exporters/duckdb/tables.js';
import { resourceFiles } from '../../exporters/jsonl/resources.js';
import { LLM_OPERATIONS } from '../../semconv/attributes.js';
import { countedLlmSql, countedToolSql, MARKER_HOST, MARKER_PID, runsSql as sharedRunsSql } from '../query/runStatus.js';
import { SLIM_ATTRIBUTES, SLIM_COLUMN_TYPES, SLIM_SPAN_COLUMNS, slimColumnsSql } from '../query/views.js';

export const LLM_OPS_SQL = `(${LLM_OPERATIONS.map((o) => `'${o}'`).join(', ')})`;
/** SQL over `vspans`: a model call / tool call that counts (no wrappers), as the `llm_calls` / `tool_calls` views count. */
export const LLM_CALL_SQL = countedLlmSql();
export const TOOL_CALL_SQL = countedToolSql();

/** The slim columns (src/query/views.ts SLIM_COLUMNS), parsed once per row with json_transform. */
const SHAPE = JSON.stringify(SLIM_ATTRIBUTES).replace(/'/g, "''");

/**
 * The slim rows (and `extra` columns) of a relation with the span row's columns; `src` is added by
 * the caller, last.
 */
export const slimSelect = (relation: string, extra = ''): string => `SELECT ${SLIM_SPAN_COLUMNS},
  ${slimColumnsSql((key) => `a."${key}"`, MARKER_PID, MARKER_HOST)}${extra ? `, ${extra}` : ''}
  FROM (SELECT r.*, json_transform(r.attributes, '${SHAPE}') AS a FROM (${relation}) r)`;

/**
 * `slimSelect` over rows of telemetry.duckdb's `spans` table that has the typed attribute columns
 * (exporters/duckdb/tables.ts): they are read as they are, no JSON parsed.
 */
export const slimSelectTyped = (relation: string, extra = ''): string => `SELECT ${SLIM_SPAN_COLUMNS},
  ${slimColumnsSql((key) => `"${key}"`, MARKER_PID, MARKER_HOST)}${extra ? `, ${extra}` : ''}
  FROM (${relation})`;

/** SQL: whether `<alias>.spans` has the typed attribute columns (an older version's database has not). */
export const hasTypedColumnsSql = (alias: string): string => `SELECT count(*) = ${SPAN_ATTRIBUTE_COLUMNS.length} AS typed
  FROM duckdb_columns() WHERE database_name = ${lit(alias)} AND table_name = 'spans'
  AND column_name IN (${SPAN_ATTRIBUTE_COLUMNS.map(([n]) => lit(n)).join(', ')})`;

export const VSPANS_DDL = `CREATE TABLE IF NOT EXISTS vspans (trace_id VARCHAR, span_id VARCHAR, parent_span_id VARCHAR,
  name VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP, duration_ms DOUBLE, status_code VARCHAR, status_message VARCHAR,
  service_name VARCHAR, ${SLIM_COLUMN_TYPES}, src INTEGER)`;

export const VRUN_STARTS_DDL = createTableSql('vrun_starts', COLUMNS.run_starts);

/** `vruns`: the columns of the run SQL (created empty from it, after `vspans`, `vrun_starts` and `_live_processes`). */
export const VRUNS_DDL = `CREATE TABLE IF NOT EXISTS vruns AS SELECT * FROM (${sharedRunsSql('vspans', 'vrun_starts')}) LIMIT 0`;

/** `read_json` over run-start files (a torn last line comes back all-NULL and is dropped). */
export const readRunStartsJson = (files: string[]): string =>
  `SELECT * FROM read_json([${files.map(globLit).join(', ')}], format='newline_delimited', ` +
  `columns=${readJsonColumns(COLUMNS.run_starts)}, ignore_errors=true) WHERE run_id IS NOT NULL`;

/** The run starts of `relation` that `table` lacks, once each (the files and the database may both hold one). */
export const newRunStartsSql = (table: string, relation: string): string =>
  `SELECT DISTINCT * FROM (${relation}) n
    WHERE NOT EXISTS (SELECT 1 FROM ${table} v WHERE v.run_id = n.run_id AND v.span_id IS NOT DISTINCT FROM n.span_id)`;

/**
 * `read_json` over JSONL files with the row's typed columns and the file name of each row; unparsable
 * lines (a torn last line) come back all-NULL and are dropped. Each row's resource is joined in from the
 * resource files of `dir` (listed now, after the span files were).
 */
export const readJsonWithFile = (files: string[], dir: string): string => withResourceSql(
  `SELECT * FROM read_json([${files.map(globLit).join(', ')}], format='newline_delimited', ` +
  `columns=${readJsonColumns(COLUMNS.spans)}, ignore_errors=true, maximum_object_size=${MAX_ROW_BYTES}, filename=true) ` +
  `WHERE span_id IS NOT NULL`, readResourcesSql(resourceFiles(dir)), 'spans');

export const readParquetWithFile = (files: string[]): string =>
  `SELECT * FROM read_parquet([${files.map(globLit).join(', ')}], union_by_name=true, filename=true)`;

/**
 * Statements that append the slim rows of a relation with a `filename` column to `table`, `src` taken
 * from the (filename → id) map. Two passes: joining the map straight onto `read_json` is 3× slower.
 */
export function insertSlimSql(table: string, relation: string, ids: Map<string, number>): string[] {
  const values = [...ids].map(([file, id]) => `(${lit(file)}, ${id})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE vraw AS ${slimSelect(relation, 'filename')}`,
    `INSERT INTO ${table} SELECT r.* EXCLUDE (filename), m.src FROM vraw r JOIN (VALUES ${values}) m(file, src) ON r.filename = m.file`,
    'DROP TABLE vraw',
  ];
}

/** Runs, as in the `agent_runs` view (one SQL: src/query/runStatus.ts), for the runs `runFilter` selects (`vspans` is a table: rescanned). */
export const runsSql = (runFilter: string): string => sharedRunsSql('vspans', 'vrun_starts', runFilter, true);

