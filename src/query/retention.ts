import fs from 'node:fs';
import path from 'node:path';
import { lit, refreshRuns, withTransaction } from '../../exporters/duckdb/index.js';
import { sqlTimestamp } from '../../exporters/jsonl/isoTime.js';
import { DUCKDB_FILE, INGESTED_TABLE } from '../../semconv/schema.js';
import { openDatabase } from './database.js';

export interface DatabasePruneResult { spans: number; metrics: number; logs: number; run_starts: number; forgotten: string[] }

/** `2026-10-22 23:55:01.123`: a UTC TIMESTAMP literal, as the tables store UTC. */
const timestampLiteral = (d: Date): string => `TIMESTAMP '${sqlTimestamp(d)}'`;

/**
 * Deletes rows older than `cutoff` from `<dir>/telemetry.duckdb` (spans by end time, metric points by
 * the end of their interval, log records by their time) and forgets the bookkeeping of files that are gone (`gone` lists those a
 * dry run would delete). `X.jsonl` stays known while `X.parquet` exists: it is how the database knows it
 * holds the Parquet file. Undefined when there is no database; throws when it cannot be opened.
 */
export async function pruneDatabase(dir: string, cutoff: Date, gone: Set<string>, dryRun: boolean): Promise<DatabasePruneResult | undefined> {
  const file = path.join(dir, DUCKDB_FILE);
  if (!fs.existsSync(file)) return undefined;
  const db = await openDatabase(file, dryRun);
  try {
    const exists = (rel: string) => !gone.has(rel) && fs.existsSync(path.join(dir, rel));
    const known = (await db.conn.runAndReadAll(`SELECT file FROM ${INGESTED_TABLE}`)).getRowObjectsJS().map((r) => String(r.file));
    const forgotten = known.filter((rel) => !exists(rel) && !(rel.endsWith('.jsonl') && exists(rel.replace(/\.jsonl$/, '.parquet'))));
    const where = {
      spans: `end_time < ${timestampLiteral(cutoff)}`, metrics: `time < ${timestampLiteral(cutoff)}`, logs: `time < ${timestampLiteral(cutoff)}`,
      run_starts: `start_time < ${timestampLiteral(cutoff)}`,
    };
    const result: DatabasePruneResult = { spans: 0, metrics: 0, logs: 0, run_starts: 0, forgotten };
    // A database made before the logs (or run_starts) table has none.
    const present = new Set((await db.conn.runAndReadAll('SELECT table_name FROM information_schema.tables')).getRowObjectsJS().map((r) => String(r.table_name)));
    const tables = (['spans', 'metrics', 'logs', 'run_starts'] as const).filter((t) => present.has(t));
    if (dryRun) {
      for (const t of tables) {
        result[t] = Number((await db.conn.runAndReadAll(`SELECT count(*) AS n FROM ${t} WHERE ${where[t]}`)).getRowObjectsJS()[0]!.n);
      }
      return result;
    }
    await withTransaction(db.conn, async () => {
      for (const t of tables) result[t] = (await db.conn.run(`DELETE FROM ${t} WHERE ${where[t]}`)).rowsChanged;
      // The stored runs of deleted rows change (or go): computed again over what is left.
      if (present.has('runs') && (result.spans || result.run_starts)) await refreshRuns(db.conn);
      if (forgotten.length) await db.conn.run(`DELETE FROM ${INGESTED_TABLE} WHERE file IN (${forgotten.map(lit).join(', ')})`);
    });
    await db.conn.run('CHECKPOINT');
    return result;
  } finally {
    db.close();
  }
}
