// Prints every row of every table of a DuckDB database file as JSON lines: what the file holds, whatever
// its compression. Run as a child process (tests/support/store.ts fileText): DuckDB's file lock belongs to
// the process, so opening it from the test's own process could take the lock of an agent running there.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const conn = await instance.connect();
const tables = (await conn.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()")).getRowObjectsJS();
for (const { table_name: t } of tables) {
  const rows = (await conn.runAndReadAll(`SELECT * FROM "${String(t).replace(/"/g, '""')}"`)).getRowObjectsJson();
  // strings as they are (a JSON column's text too), so a marker with quotes or backslashes is found as written
  for (const row of rows) process.stdout.write(`${Object.values(row).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\t')}\n`);
}
conn.closeSync();
instance.closeSync();
