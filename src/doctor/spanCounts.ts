import fs from 'node:fs';
import { lit } from '../../exporters/duckdb/index.js';
import { AGENT_DIALECT, GEN_AI_OPERATION_NAME, LLM_OPERATIONS } from '../../semconv/attributes.js';
import { QuerySession } from '../query/session.js';

/** Spans in the telemetry directory, by instrumentation scope and dialect. */
export interface ScopeCount { scope: string; dialect: string | null; spans: number; llm: number }

export interface SpanCounts { rows: ScopeCount[]; notes: string[] }

/** Reads the counts through the same views as `agent-otel sql` (database and files alike); undefined without a directory. */
export async function countSpans(dir: string): Promise<SpanCounts | undefined> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return undefined;
  const session = await QuerySession.open(dir, 'auto');
  try {
    const ops = LLM_OPERATIONS.map(lit).join(', ');
    const r = await session.query(`SELECT coalesce(scope.name, '') AS scope, attributes->>${lit(AGENT_DIALECT)} AS dialect,
        count(*)::INTEGER AS spans, count(*) FILTER (WHERE attributes->>${lit(GEN_AI_OPERATION_NAME)} IN (${ops}))::INTEGER AS llm
      FROM spans GROUP BY ALL ORDER BY spans DESC`);
    return { rows: r.rows as unknown as ScopeCount[], notes: session.notes };
  } finally {
    session.close();
  }
}
