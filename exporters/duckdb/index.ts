// The store and its SQL helpers, for readers (CLI, viewer) too: the in-agent writer and exporters, which load
// the OTel SDK, are imported from their own files (./DuckDbWriter.js, ./DuckDbSpanExporter.js, …).
export {
  DuckDbStore, refreshRuns, COLUMNS, FilesChangedError, SIGNALS, emptyCounts, loadedRows, namesResource, withStoreLock, type Chunk, type FileChunk, type Signal,
  type DuckDbStoreOptions,
} from './DuckDbStore.js';
export { duckdbPathProblem, globLit, isLockError, lit } from './sqlPaths.js';
export { withTransaction } from './transaction.js';
export { createTableSql, readJsonColumns, MAX_ROW_BYTES, readResourcesSql, withResourceSql, INGESTED_DDL, type ColumnTypes } from './tables.js';
