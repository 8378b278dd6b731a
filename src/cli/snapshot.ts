import { lit } from '../../exporters/duckdb/index.js';
import type { QuerySession } from '../query/session.js';
import { viewStatements } from '../query/views.js';

/**
 * Makes the views cheap to query several times over one window. The views are rebuilt over the window's
 * rows of `span_attrs` and `run_starts`, from a minute before `cutoff`, so a run that started just before
 * it keeps its start (a legacy marker span too) and is not taken for an abandoned one; callers still
 * filter on the cutoff itself. When the attributes are parsed from JSON (rows from the files), those rows
 * are copied into a table first, parsed once, without the big JSON columns (sections read only the typed
 * attribute columns); telemetry.duckdb's typed columns are read in place. `agent_runs` computed from
 * span rows (four scans joined, read by several sections) is kept as a table, with only `runColumns`
 * (DuckDB then skips the joins the others need: a third of its cost); stored runs are read in place.
 */
export async function snapshotViews(s: QuerySession, cutoff: string | undefined, runColumns = '*'): Promise<void> {
  const where = cutoff ? `WHERE start_time >= TIMESTAMP ${lit(cutoff)} - INTERVAL 1 MINUTE` : '';
  // Stored runs (telemetry.duckdb's runs table, over all of each run's rows) are read in place: a scan
  // of that table costs less than copying it (250k runs: ~170 ms) for the two sections that read it.
  const runs = s.runsStored ? `SELECT * FROM (${s.runsSql(runColumns === '*' ? undefined : runColumns)}) ${where}` : undefined;
  if (s.attributesStored) {
    await s.query(`CREATE OR REPLACE TEMP VIEW _window_spans AS SELECT * FROM span_attrs ${where}`);
    await s.query(`CREATE OR REPLACE TEMP VIEW _window_run_starts AS SELECT * FROM run_starts ${where}`);
    for (const sql of viewStatements('_window_spans', '_window_run_starts', true, runs)) await s.query(sql);
  } else {
    await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_spans AS
      SELECT * EXCLUDE (attributes, events, links, resource, scope), '[]'::JSON AS events FROM span_attrs ${where}`);
    await s.query('CREATE OR REPLACE TEMP VIEW span_attrs AS SELECT * FROM _snapshot_spans');
    await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_run_starts AS SELECT * FROM run_starts ${where}`);
    for (const sql of viewStatements('_snapshot_spans', '_snapshot_run_starts', true, runs)) await s.query(sql);
  }
  if (!s.runsStored) {
    await s.query(`CREATE OR REPLACE TEMP TABLE _snapshot_runs AS SELECT ${runColumns} FROM agent_runs`);
    await s.query('CREATE OR REPLACE TEMP VIEW agent_runs AS SELECT * FROM _snapshot_runs');
  }
}
