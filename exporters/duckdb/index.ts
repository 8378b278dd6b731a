export {
  DuckDbStore, COLUMNS, FilesChangedError, SIGNALS, emptyCounts, withStoreLock, type Chunk, type FileChunk, type Signal, type DuckDbStoreOptions,
} from './DuckDbStore.js';
export { duckdbPathProblem, globLit, isLockError, lit } from './sqlPaths.js';
export { withTransaction } from './transaction.js';
export { createTableSql, readJsonColumns, readResourcesSql, withResourceSql, INGESTED_DDL, type ColumnTypes } from './tables.js';
export { DuckDbWriter, DEFAULT_DUCKDB_WRITER, type DuckDbWriterOptions } from './DuckDbWriter.js';
export { DuckDbSpanExporter } from './DuckDbSpanExporter.js';
export { DuckDbMetricExporter } from './DuckDbMetricExporter.js';
