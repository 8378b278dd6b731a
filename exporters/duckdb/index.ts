export { DuckDbStore, COLUMNS, type Chunk, type Signal } from './DuckDbStore.js';
export { duckdbPathProblem, globLit, isLockError, lit } from './sqlPaths.js';
export { DuckDbWriter, DEFAULT_DUCKDB_WRITER, type DuckDbWriterOptions } from './DuckDbWriter.js';
export { DuckDbSpanExporter } from './DuckDbSpanExporter.js';
export { DuckDbMetricExporter } from './DuckDbMetricExporter.js';

