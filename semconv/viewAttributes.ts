/**
 * The span attributes the ready views read (llm_calls, tool_calls, agent_runs, reports, the viewer), with
 * their DuckDB types. telemetry.duckdb's `spans` table holds each as a typed column of its own, filled at
 * ingest (exporters/duckdb/tables.ts), so queries over the database never parse `attributes` for them;
 * rows read from the files are parsed into the same columns by src/query/views.ts.
 */
export const VIEW_ATTRIBUTES = {
  'gen_ai.operation.name': 'VARCHAR', 'gen_ai.provider.name': 'VARCHAR', 'gen_ai.system': 'VARCHAR',
  'gen_ai.request.model': 'VARCHAR', 'gen_ai.response.model': 'VARCHAR',
  'gen_ai.usage.input_tokens': 'BIGINT', 'gen_ai.usage.output_tokens': 'BIGINT',
  'gen_ai.usage.cache_read.input_tokens': 'BIGINT', 'gen_ai.usage.cache_creation.input_tokens': 'BIGINT',
  'gen_ai.usage.cache_write.input_tokens': 'BIGINT', 'gen_ai.usage.reasoning.output_tokens': 'BIGINT',
  'gen_ai.agent.name': 'VARCHAR', 'gen_ai.tool.name': 'VARCHAR', 'gen_ai.tool.call.id': 'VARCHAR',
  'agent.run.id': 'VARCHAR', 'agent.run.kind': 'VARCHAR', 'agent.run.status': 'VARCHAR',
  'agent.items.discovered': 'BIGINT', 'agent.items.succeeded': 'BIGINT', 'agent.items.failed': 'BIGINT',
  'agent.tool.outcome': 'VARCHAR', 'agent.tool.risk_level': 'VARCHAR', 'agent.cost.usd': 'DOUBLE',
  'agent.cost.status': 'VARCHAR', 'agent.run.cost.usd': 'DOUBLE', 'error.type': 'VARCHAR', 'agent.call.wrapper': 'BOOLEAN',
} as const satisfies Record<string, string>;

export type ViewAttribute = keyof typeof VIEW_ATTRIBUTES;
