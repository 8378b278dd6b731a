import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { duckdbPathProblem, isLockError } from '../../exporters/duckdb/index.js';

/** A problem the user can fix (wrong directory, bad SQL, database held elsewhere): shown without a stack. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** The database file cannot be opened; `held` when another process has it (an ingest, a query, a DuckDB shell). */
export class DatabaseUnavailable extends QueryError {
  constructor(file: string, err: unknown, readonly held = isLockError(err)) {
    super(unavailableReason(file, err));
  }
}

/** DuckDB names the holder of a lock: "Conflicting lock is held in /usr/bin/node (PID 1234)". */
export function lockHolder(err: unknown): number | undefined {
  const m = /\(PID (\d+)\)/.exec(String((err as Error)?.message ?? err));
  return m ? Number(m[1]) : undefined;
}

/** Why the database file cannot be opened, in words a user can act on. */
export function unavailableReason(file: string, err: unknown): string {
  if (!isLockError(err)) return `${file} cannot be opened: ${(err as Error)?.message ?? err}`;
  const pid = lockHolder(err);
  return `${file} is held by another process${pid ? ` (PID ${pid})` : ''}`;
}

export interface Database { conn: DuckDBConnection; close(): void }

/** Opens an existing database file; throws with `unavailableReason` as message when it cannot. */
export async function openDatabase(file: string, readOnly: boolean): Promise<Database> {
  let instance: DuckDBInstance;
  const problem = duckdbPathProblem(file);
  if (problem) throw new DatabaseUnavailable(file, new Error(problem));
  try {
    instance = await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (err) {
    throw new DatabaseUnavailable(file, err);
  }
  const conn = await instance.connect();
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
