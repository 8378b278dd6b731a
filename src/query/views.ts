/**
 * The ready views, defined over the `spans` and `metrics` relations whatever they come from
 * (JSONL, Parquet, the DuckDB file). Documented with examples in README.md.
 *
 * Reading `attributes->>'key'` parses a span's attributes once per key; the views instead go through
 * `span_attrs`, which has them as typed columns: stored so in telemetry.duckdb, parsed once per row
 * (json_transform) for rows read from the files. A report can copy `span_attrs` for its window into a
 * table once and rebuild the views over it (`viewStatements`).
 */

import { VIEW_ATTRIBUTES, type ViewAttribute } from '../../semconv/viewAttributes.js';
import { columnList, SPAN_ATTRIBUTE_COLUMNS, spanAttributesSql } from '../../exporters/duckdb/tables.js';
import { SPAN_COLUMNS } from '../../semconv/schema.js';
import {
  countedLlmSql, countedToolSql, MARKER_HOST, MARKER_PID, runsSql, SLIM_COLUMNS, SLIM_SPAN_COLUMNS, slimColumnsSql, storedRunsSql, toolOutcomeSql,
} from '../../exporters/duckdb/runs.js';

export { SLIM_COLUMNS, SLIM_SPAN_COLUMNS, slimColumnsSql } from '../../exporters/duckdb/runs.js';

/** Attribute keys the views read, and their types: the one map (semconv/viewAttributes.ts), the viewer's slim rows included. */
export { VIEW_ATTRIBUTES, type ViewAttribute } from '../../semconv/viewAttributes.js';

/** The attributes of SLIM_COLUMNS (plus what they fall back to) and their types: a json_transform shape. */
export const SLIM_ATTRIBUTES: Partial<Record<ViewAttribute, string>> = Object.fromEntries(
  [...Object.values(SLIM_COLUMNS), 'gen_ai.system' as const].map((k) => [k, VIEW_ATTRIBUTES[k]]));

/** SQL column types of the slim columns, in projection order (for the viewer's table DDL). */
export const SLIM_COLUMN_TYPES: string = [
  ...Object.entries(SLIM_COLUMNS).map(([name, key]) => `${name} ${VIEW_ATTRIBUTES[key]}`), 'pid BIGINT', 'host VARCHAR',
].join(', ');

/**
 * `span_attrs`: the span rows plus one typed column per view attribute (named by its key) and the run
 * marker's process. Rows of telemetry.duckdb (`stored`: its `spans` table, which holds those columns
 * since ingest) are read as they are; rows of the files (`parsed`: a relation with the span row's
 * columns) are parsed here, once per row.
 */
export function spanAttrsSql(stored: string | undefined, parsed: string | undefined): string {
  const marker = `${MARKER_PID} AS marker_pid, ${MARKER_HOST} AS marker_host`;
  const selects = [
    ...(stored ? [`SELECT ${columnList(SPAN_COLUMNS)}, ${columnList(SPAN_ATTRIBUTE_COLUMNS)}, ${marker} FROM ${stored}`] : []),
    ...(parsed ? [`SELECT s.*, ${spanAttributesSql('s.attributes')}, ${marker} FROM (${parsed}) s`] : []),
  ];
  return `CREATE OR REPLACE TEMP VIEW span_attrs AS ${selects.join(' UNION ALL BY NAME ')}`;
}

const c = (key: string) => `"${key}"`;

/** The columns of `agent_runs` (the run SQL's, less the run start's ids and process). */
export const AGENT_RUN_COLUMNS = `run_id, agent, kind, status, start_time, end_time, duration_ms,
  items_discovered, items_succeeded, items_failed, llm_calls, input_tokens, output_tokens, cost_usd,
  error_type, status_message, trace_id, span_id, service_name, tool_calls, tool_errors`;

/** SQL: `agent_runs` rows computed over `base` (span_attrs columns) and `runStarts`, for the runs `runFilter` selects. */
export const agentRunsSql = (base: string, runStarts: string, runFilter = 'TRUE', typed = false, columns = AGENT_RUN_COLUMNS): string =>
  `SELECT ${columns} FROM (${runsSql(`(SELECT ${SLIM_SPAN_COLUMNS}, ${slimColumnsSql(c, 'marker_pid', 'marker_host')} FROM ${base})`, runStarts, runFilter, typed)})`;

/**
 * SQL: `agent_runs` from telemetry.duckdb's `runs` table (`storedRuns`) for every run the files add no row
 * to, and computed over all rows (`base`, `runStarts`) for the runs in `fileRuns` (a relation of `run_id`).
 */
export const storedAgentRunsSql = (storedRuns: string, fileRuns: string | undefined, base: string, runStarts: string, typed: boolean,
  columns = AGENT_RUN_COLUMNS): string =>
  fileRuns
    ? `SELECT ${columns} FROM (${storedRunsSql(storedRuns, `r.run_id NOT IN (SELECT run_id FROM ${fileRuns})`)})
      UNION ALL ${agentRunsSql(base, runStarts, `run_id IN (SELECT run_id FROM ${fileRuns})`, typed, columns)}`
    : `SELECT ${columns} FROM (${storedRunsSql(storedRuns)})`;

/**
 * The derived views over `base` (`span_attrs`, or a table copied from it). `agent_runs` reads run
 * starts from `runStarts` and which processes live from `_live_processes` (./runStatus.ts
 * `liveProcessesSql`), which must exist. `typed`: reading `base` parses no JSON (a table, or
 * telemetry.duckdb's typed columns), so the run SQL reads it once per part rather than copying it
 * (./runStatus.ts `runsSql`). `runs`: a query with the `agent_runs` columns to use instead (the stored runs).
 */
export function viewStatements(base = 'span_attrs', runStarts = 'run_starts', typed = false, runs?: string): string[] {
  return [
    `CREATE OR REPLACE TEMP VIEW llm_calls AS SELECT
      trace_id, span_id, parent_span_id, name, start_time, end_time, duration_ms, status_code, status_message,
      ${c('gen_ai.operation.name')} AS operation,
      coalesce(${c('gen_ai.provider.name')}, ${c('gen_ai.system')}) AS provider,
      coalesce(${c('gen_ai.request.model')}, ${c('gen_ai.response.model')}) AS model, ${c('gen_ai.response.model')} AS response_model,
      ${c('gen_ai.usage.input_tokens')} AS input_tokens, ${c('gen_ai.usage.output_tokens')} AS output_tokens,
      ${c('gen_ai.usage.cache_read.input_tokens')} AS cache_read_tokens,
      coalesce(${c('gen_ai.usage.cache_write.input_tokens')}, ${c('gen_ai.usage.cache_creation.input_tokens')}) AS cache_creation_tokens,
      ${c('gen_ai.usage.reasoning.output_tokens')} AS reasoning_tokens,
      ${c('agent.cost.usd')} AS cost_usd,
      coalesce(${c('agent.cost.status')}, CASE WHEN ${c('agent.cost.usd')} IS NOT NULL THEN 'priced' END) AS cost_status,
      ${c('error.type')} AS error_type, ${c('gen_ai.agent.name')} AS agent, ${c('agent.run.id')} AS run_id, service_name
    FROM ${base} WHERE ${countedLlmSql(c('gen_ai.operation.name'), c('agent.call.wrapper'))}`,

    `CREATE OR REPLACE TEMP VIEW tool_calls AS SELECT
      trace_id, span_id, parent_span_id, start_time, end_time, duration_ms, status_code, status_message,
      ${c('gen_ai.tool.name')} AS tool, ${c('gen_ai.tool.call.id')} AS call_id,
      ${toolOutcomeSql(c('agent.tool.outcome'))} AS outcome,
      ${c('error.type')} AS error_type, ${c('agent.tool.risk_level')} AS risk_level,
      ${c('gen_ai.agent.name')} AS agent, ${c('agent.run.id')} AS run_id, service_name
    FROM ${base} WHERE ${countedToolSql(c('gen_ai.operation.name'), c('agent.call.wrapper'))}`,

    // Runs as ./runStatus.ts defines them: given (the stored runs table), or over `base` cut down to the slim columns.
    `CREATE OR REPLACE TEMP VIEW agent_runs AS ${runs ?? agentRunsSql(base, runStarts, 'TRUE', typed)}`,

    // Events as rows: artifacts a run produced, commits it made, audit entries, budget and mode events.
    `CREATE OR REPLACE TEMP VIEW span_events AS
    SELECT trace_id, span_id, ${c('agent.run.id')} AS run_id, ${c('gen_ai.agent.name')} AS agent,
      e->>'name' AS event, TRY_CAST(e->>'time' AS TIMESTAMP) AS time, e->'attributes' AS attributes
    FROM (SELECT *, unnest(CAST(events AS JSON[])) AS e FROM ${base} WHERE events IS NOT NULL AND events <> '[]')`,

    `CREATE OR REPLACE TEMP VIEW artifacts AS
    SELECT time, run_id, agent, trace_id, span_id, attributes->>'agent.artifact.path' AS path,
      attributes->>'agent.artifact.sha256' AS sha256, TRY_CAST(attributes->>'agent.artifact.size' AS BIGINT) AS size,
      TRY_CAST(attributes->>'agent.artifact.lines_added' AS BIGINT) AS lines_added,
      TRY_CAST(attributes->>'agent.artifact.lines_removed' AS BIGINT) AS lines_removed
    FROM span_events WHERE event = 'agent.artifact'`,
  ];
}

export const VIEW_NAMES = ['spans', 'metrics', 'logs', 'llm_calls', 'tool_calls', 'agent_runs', 'span_events', 'artifacts'];
