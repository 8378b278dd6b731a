import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs `fn` in one transaction: COMMIT when it resolves; ROLLBACK, then the error again, when it throws. */
export async function withTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const result = await fn();
    await conn.run('COMMIT');
    return result;
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => { /* the error that matters is err */ });
    throw err;
  }
}
