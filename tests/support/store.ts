// Reading what an agent left in a telemetry directory, as a user would: the ready views through
// DuckDB, and a byte search of every file for content markers.
import fs from 'node:fs';
import path from 'node:path';
import { QuerySession } from '../../dist/src/query/session.js';

/** Rows of a query over the ready views (`llm_calls`, `tool_calls`, `agent_runs`, `spans`, …) of `dir`. */
export async function queryViews(dir: string, sql: string, source: 'auto' | 'files' | 'duckdb' = 'auto'): Promise<Record<string, unknown>[]> {
  const s = await QuerySession.open(dir, source);
  try {
    return (await s.query(sql)).rows as Record<string, unknown>[];
  } finally {
    s.close();
  }
}

/** Every file under `dir` (JSONL, DuckDB, audit…) whose bytes contain `marker`. */
export function filesContaining(dir: string, marker: string): string[] {
  const hits: string[] = [];
  const needle = Buffer.from(marker);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hits;
}

/** Brings `<dir>/telemetry.duckdb` up to date from the files, as a user's first query does. */
export async function catchUp(dir: string): Promise<void> {
  await queryViews(dir, 'SELECT count(*) FROM spans');
}
