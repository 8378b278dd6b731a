/**
 * Row schemas of the exported files: the contract users write SQL against (see semconv/README.md).
 * Times are ISO-8601 UTC strings with microseconds, e.g. `2026-11-21T23:38:05.123456Z`.
 */
export type AttributeMap = Record<string, unknown>;

/**
 * A span row as readers give it back (readJsonl, the views): every field filled. Since format v3 the file
 * leaves out fields whose default is "nothing" (`SPAN_DEFAULTS`) and, for a row that names its resource,
 * `service_name` and `scope` (in its resource row); `duration_ms` and `status_code` are on every row.
 */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  start_time: string;
  end_time: string;
  duration_ms: number;
  status_code: 'UNSET' | 'OK' | 'ERROR';
  status_message: string | null;
  service_name: string;
  scope: { name: string; version: string | null };
  attributes: AttributeMap;
  events: Array<{ name: string; time: string; attributes: AttributeMap }>;
  links: Array<{ trace_id: string; span_id: string; attributes: AttributeMap }>;
  /** Rows written since format v2 name their resource (a row of `resources/`); older rows hold it inline. */
  resource_id?: string;
  resource?: AttributeMap;
}

/** The signals whose rows name a resource row (`resource_id`). */
export type RowSignal = 'spans' | 'metrics' | 'logs';

/** Format v3: span row fields left out of the file when they hold these values; readers put them back. */
export const SPAN_DEFAULTS = { parent_span_id: null, status_message: null, events: [], links: [] } as const;

/** Format v3: metric row fields left out when null (gauges, histograms); readers put them back. */
export const METRIC_DEFAULTS = { temporality: null, monotonic: null } as const;

export type MetricType = 'sum' | 'gauge' | 'histogram' | 'exponential_histogram';

export interface MetricRow {
  time: string;
  start_time: string;
  name: string;
  unit: string;
  type: MetricType;
  temporality: 'delta' | 'cumulative' | null;
  /** Counters (monotonic sums) are true; up-down counters false; null for gauges and histograms. */
  monotonic: boolean | null;
  attributes: AttributeMap;
  /** sum and gauge points */
  value?: number;
  /** histogram points */
  count?: number;
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  bounds?: number[];
  bucket_counts?: number[];
  service_name: string;
  /** As in span rows: the id of a `resources/` row, or (older rows) the resource inline. */
  resource_id?: string;
  resource?: AttributeMap;
  scope: { name: string; version: string | null };
}

/**
 * A run's start, written by `withAgentRun` to `<dir>/runs/` (not a span: never exported over OTLP), so
 * readers can tell a run still going (its process alive) or abandoned (gone) before its run span exists.
 */
export interface RunStartRow {
  run_id: string;
  trace_id: string;
  /** The run span's id (the span that ends the run). */
  span_id: string;
  start_time: string;
  agent: string;
  kind: string | null;
  service_name: string;
  /** `os.hostname()` and pid of the process running it: the liveness rule's key. */
  host: string;
  pid: number;
}

/** Sub-directories of the telemetry directory, one per signal. */
export const DIR_SPANS = 'spans';
export const DIR_METRICS = 'metrics';
export const DIR_RUNS = 'runs';
export const DUCKDB_FILE = 'telemetry.duckdb';
/** Each resource (since format v3: each resource and instrumentation scope) once: the rows of the other signals name theirs by `resource_id`. */
export const DIR_RESOURCES = 'resources';

/**
 * A row of `resources/*.jsonl`: a resource and (format v3) the instrumentation scope of the rows that
 * name it. `resource_id` is the first 16 hex digits of sha256 of `resource`'s JSON, followed (with a
 * scope) by a newline and `scope`'s JSON.
 */
export interface ResourceRow {
  resource_id: string;
  service_name: string;
  /** Since format v3; absent in v2 rows (whose span, metric and log rows carry their scope). */
  scope?: { name: string; version: string | null };
  resource: AttributeMap;
}

/** DuckDB column types of the resource rows (the `resources` table). */
export const RESOURCE_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['resource_id', 'VARCHAR'], ['service_name', 'VARCHAR'], ['resource', 'JSON'], ['scope', 'STRUCT(name VARCHAR, version VARCHAR)'],
];

/**
 * DuckDB column types of the span rows, in row order (the JSONL fields, typed): part of the row contract,
 * as data; the tables and read_json calls built from them are in exporters/duckdb/tables.ts.
 */
export const SPAN_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['trace_id', 'VARCHAR'], ['span_id', 'VARCHAR'], ['parent_span_id', 'VARCHAR'], ['name', 'VARCHAR'],
  ['kind', 'VARCHAR'], ['start_time', 'TIMESTAMP'], ['end_time', 'TIMESTAMP'], ['duration_ms', 'DOUBLE'],
  ['status_code', 'VARCHAR'], ['status_message', 'VARCHAR'], ['service_name', 'VARCHAR'],
  ['scope', 'STRUCT(name VARCHAR, version VARCHAR)'], ['attributes', 'JSON'], ['events', 'JSON'], ['links', 'JSON'],
  ['resource', 'JSON'], ['resource_id', 'VARCHAR'],
];

/** DuckDB column types of the metric rows. */
export const METRIC_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['time', 'TIMESTAMP'], ['start_time', 'TIMESTAMP'], ['name', 'VARCHAR'], ['unit', 'VARCHAR'], ['type', 'VARCHAR'],
  ['temporality', 'VARCHAR'], ['monotonic', 'BOOLEAN'], ['attributes', 'JSON'], ['value', 'DOUBLE'], ['count', 'UBIGINT'],
  ['sum', 'DOUBLE'], ['min', 'DOUBLE'], ['max', 'DOUBLE'], ['bounds', 'DOUBLE[]'], ['bucket_counts', 'UBIGINT[]'],
  ['service_name', 'VARCHAR'], ['resource', 'JSON'], ['scope', 'STRUCT(name VARCHAR, version VARCHAR)'],
  ['resource_id', 'VARCHAR'],
];

/** DuckDB column types of the run-start rows (`<dir>/runs/`, table and relation `run_starts`). */
export const RUN_START_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['run_id', 'VARCHAR'], ['trace_id', 'VARCHAR'], ['span_id', 'VARCHAR'], ['start_time', 'TIMESTAMP'], ['agent', 'VARCHAR'],
  ['kind', 'VARCHAR'], ['service_name', 'VARCHAR'], ['host', 'VARCHAR'], ['pid', 'BIGINT'],
];

/**
 * Bookkeeping table of the DuckDB file: which files (path relative to the telemetry directory, e.g.
 * `spans/2026-11-21T233805Z-4242-001.jsonl`) and how many of their bytes the tables hold. Its DDL is in
 * exporters/duckdb/tables.ts.
 */
export const INGESTED_TABLE = '_agent_otel_ingested';
