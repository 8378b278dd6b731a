/** SQL string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * SQL string literal of a file path for DuckDB's file readers (`read_json`, `read_parquet`, `read_text`):
 * they expand `*`, `?` and `[...]` as globs, so a directory named `tel[1]` would read `tel1` and `tel*`
 * its siblings too. Each of those characters goes in a one-character class (`[[]`, `[*]`, `[?]`), which
 * matches it and nothing else. Not for ATTACH or COPY … TO, which take the path as it is.
 */
export const globLit = (file: string): string => lit(file.replace(/[[*?]/g, '[$&]'));

/**
 * True when DuckDB refused the file because another process holds its lock. DuckDB says
 * `IO Error: Could not set lock on file "<file>": Conflicting lock is held in <program> (PID <n>)`
 * (on Windows the OS reason follows the colon instead). Matched exactly: a corrupt file's
 * "… checksum … in block at location …" is not a lock.
 */
export const isLockError = (err: unknown): boolean =>
  /(^|: |\n)Could not set lock on file "/.test(String((err as Error)?.message ?? err));

/**
 * Why DuckDB cannot keep a database file at this path, or undefined when it can. DuckDB reads a `?` in
 * a database path as the start of URL parameters: it puts the WAL at `/a.wal?b/telemetry.duckdb` for
 * `/a?b/telemetry.duckdb` (and resolves symlinks, so no alias helps), and every commit fails. Such a
 * directory works from its JSONL files alone.
 */
export function duckdbPathProblem(file: string): string | undefined {
  return file.includes('?')
    ? `DuckDB cannot keep a database under a path that contains "?" (it would write its WAL elsewhere); the JSONL files are read instead`
    : undefined;
}
