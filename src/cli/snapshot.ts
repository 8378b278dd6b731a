import { lit } from '../../exporters/duckdb/index.js';
import type { QuerySession } from '../query/session.js';
import { viewStatements } from '../query/views.js';

/**
 * Makes the views cheap to query several times over one window: copies the window's rows of
 * `span_attrs` (spans with the view attributes already parsed) into a table once, rebuilds the views
 * over it and keeps `agent_runs` as a table too (it joins three scans; a report reads it often).
 * Spans and run starts are copied from a minute before `cutoff`, so a run that started just before it
 * keeps its start (a legacy marker span too); callers still filter on the cutoff itself.
 * The big JSON columns stay behind: sections read only the typed attribute columns.
 */
export async function snapshotViews(s: QuerySession, cutoff: string | undefined): Promise<void> {
  const where = cutoff ? `WHERE start_time >= TIMESTAMP ${lit(cutoff)} - INTERVAL 1 MINUTE` : '';
  await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_spans AS
    SELECT * EXCLUDE (attributes, events, links, resource, scope), '[]'::JSON AS events FROM span_attrs ${where}`);
  await s.query('CREATE OR REPLACE TEMP VIEW span_attrs AS SELECT * FROM _snapshot_spans');
  await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_run_starts AS SELECT * FROM run_starts ${where}`);
  for (const sql of viewStatements('_snapshot_spans', '_snapshot_run_starts')) await s.query(sql);
  await s.query('CREATE OR REPLACE TEMP TABLE _snapshot_runs AS SELECT * FROM agent_runs');
  await s.query('CREATE OR REPLACE TEMP VIEW agent_runs AS SELECT * FROM _snapshot_runs');
}
