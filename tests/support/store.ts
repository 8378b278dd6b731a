// Reading what an agent left in a telemetry directory, as a user would: the ready views through
// DuckDB, and a search of every file (a database's rows too) for content markers.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/**
 * What a file holds, as text: its bytes, and for a DuckDB database (`*.duckdb`) every row of its tables
 * too, since the file compresses them (ZSTD, FSST) and a byte search alone would not see a marker there.
 * A database another process holds is searched by its bytes only (and its WAL, a file of its own, as is).
 */
export function fileText(file: string): string {
  const bytes = fs.readFileSync(file).toString('utf8');
  if (!file.endsWith('.duckdb')) return bytes;
  const stat = fs.statSync(file);
  const key = `${file}:${stat.size}:${stat.mtimeMs}`;
  let rows = dbTexts.get(key);
  if (rows === undefined) {
    const r = spawnSync(process.execPath, [DB_TEXT, file], { encoding: 'utf8', maxBuffer: 1024 ** 3 });
    if (r.status !== 0 && !/Could not set lock on file/.test(r.stderr)) throw new Error(`reading ${file}: ${r.stderr}`);
    rows = r.status === 0 ? r.stdout : '';
    if (r.status === 0) dbTexts.set(key, rows); // held: read it again next time
  }
  return `${bytes}\n${rows}`;
}
const DB_TEXT = fileURLToPath(new URL('./db-text.mjs', import.meta.url));
const dbTexts = new Map<string, string>();

/** Every file under `dir` (JSONL, DuckDB, audit…) that holds `marker` (fileText). */
export function filesContaining(dir: string, marker: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (fileText(p).includes(marker)) hits.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hits;
}

/** Brings `<dir>/telemetry.duckdb` up to date from the files, as a user's first query does. */
export async function catchUp(dir: string): Promise<void> {
  await queryViews(dir, 'SELECT count(*) FROM spans');
}
