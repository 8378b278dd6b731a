import { lit } from '../../exporters/duckdb/index.js';
import { SPAN_COLUMNS } from '../../semconv/schema.js';
import type { QuerySession } from '../query/session.js';
import { VIEW_SQL } from '../query/views.js';

/** `attributes->>'key'`, as the views (and the report's own SQL) read attributes. */
const ATTR = /attributes->>'([^']+)'/g;

/** The big JSON columns nothing here reads (copying them would cost more than the parse saves). */
const LEFT_OUT = new Set(['attributes', 'events', 'links', 'resource', 'scope']);

/**
 * Makes the views cheap to query several times over a window. The views read `attributes->>'key'`,
 * which parses a span's attributes once per key, per view and per query: over 1M spans a report took
 * ~13 s that way. Instead, this copies the window's spans once into a temp table with one column per
 * attribute key the views use (a single `json_transform` pass) and points the same view SQL at it.
 * Returns a function that rewrites further SQL the same way (`attributes->>'k'` → the column).
 * Spans are copied from a minute before `cutoff`, so a run that started just before it is not
 * mistaken for an abandoned one by its start marker; callers still filter on the cutoff itself.
 * If the views ever read spans in a way the copy cannot serve, the plain views stay (slower, same answer).
 */
export async function snapshotViews(s: QuerySession, cutoff: string | undefined, moreKeys: string[] = []): Promise<(sql: string) => string> {
  const keys = [...new Set([...Object.values(VIEW_SQL).flatMap((sql) => [...sql.matchAll(ATTR)].map((m) => m[1]!)), ...moreKeys])];
  const rewrite = (sql: string) => sql.replace(ATTR, (_, key: string) => `"${key}"`);
  const views = Object.values(VIEW_SQL).map(rewrite);
  if (views.some((sql) => /\battributes\b/.test(sql))) return (sql) => sql;

  const shape = lit(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'VARCHAR']))));
  const columns = SPAN_COLUMNS.map(([name]) => name).filter((c) => !LEFT_OUT.has(c)).map((c) => `"${c}"`).join(', ');
  const where = cutoff ? `WHERE start_time >= TIMESTAMP ${lit(cutoff)} - INTERVAL 1 MINUTE` : '';
  const original = (await s.query(`SELECT sql FROM duckdb_views() WHERE view_name = 'spans' AND temporary`)).rows[0]?.sql;
  await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_spans AS
    SELECT ${columns}, unnest(json_transform(attributes, ${shape})) FROM spans ${where}`);
  try {
    await s.query('CREATE OR REPLACE TEMP VIEW spans AS SELECT * FROM _snapshot_spans');
    for (const sql of views) await s.query(sql);
    // agent_runs joins three scans; reports read it more than once.
    await s.query('CREATE OR REPLACE TEMP TABLE _snapshot_runs AS SELECT * FROM agent_runs');
    await s.query('CREATE OR REPLACE TEMP VIEW agent_runs AS SELECT * FROM _snapshot_runs');
    return rewrite;
  } catch {
    if (typeof original === 'string') await s.query(original.replace(/^CREATE TEMP VIEW/, 'CREATE OR REPLACE TEMP VIEW'));
    for (const sql of Object.values(VIEW_SQL)) await s.query(sql);
    return (sql) => sql;
  }
}
