// telemetry.duckdb is created with DuckDB storage version 1.3 and names each string column's compression
// (ZSTD for ids and the attributes' JSON, DICT_FSST for repeated strings): the methods that make a full
// load cheap. A file of the storage version earlier agent-otel versions made (1.0, where those methods do
// not exist) must keep working: loaded into, queried, compressed as DuckDB chooses.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DuckDbStore } from '../dist/exporters/duckdb/index.js';
import { catchUp, queryViews } from './support/store.js';
import { runFixture, tmpDir } from './support/harness.js';

/** A telemetry directory with `spans` spans (runs of 4) written through the public API, JSONL only. */
async function store(spans: number): Promise<string> {
  const dir = tmpDir();
  const r = await runFixture('gen-spans.mjs', {}, [dir, String(spans)]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** The file's storage version, and the compression of each stored column of `spans`, `run_starts` and `runs`. */
async function format(file: string) {
  const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    const version = String((await conn.runAndReadAll(
      `SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()`)).getRowObjectsJS()[0]!.v);
    const methods: Record<string, string> = {};
    for (const table of ['spans', 'run_starts', 'runs']) {
      const rows = (await conn.runAndReadAll(`SELECT column_name, string_agg(DISTINCT compression, ',' ORDER BY compression) AS m
        FROM pragma_storage_info('${table}') WHERE segment_type IN ('VARCHAR', 'JSON') GROUP BY column_name`)).getRowObjectsJS();
      for (const r of rows) methods[`${table}.${r.column_name}`] = String(r.m);
    }
    return { version, methods };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const ANSWER = 'SELECT count(*)::INTEGER AS spans, count(DISTINCT trace_id)::INTEGER AS traces, (SELECT count(*) FROM agent_runs)::INTEGER AS runs, ' +
  "(SELECT sum(input_tokens) FROM llm_calls)::INTEGER AS input_tokens, count(*) FILTER (WHERE attributes->>'gen_ai.response.id' = 'r7')::INTEGER AS r7 FROM spans";

describe('telemetry.duckdb storage format', () => {
  it('a new database is storage version 1.3 with ZSTD ids and attributes and DICT_FSST names, and answers as the files do', async () => {
    const dir = await store(4000);
    await catchUp(dir);
    const { version, methods } = await format(path.join(dir, 'telemetry.duckdb'));
    expect(version).toBe('v1.3.0+');
    expect(methods).toMatchObject({
      'spans.attributes': 'ZSTD', 'spans.span_id': 'ZSTD', 'spans.parent_span_id': 'ZSTD', 'spans.gen_ai.tool.call.id': 'ZSTD',
      'spans.name': 'DICT_FSST', 'spans.gen_ai.request.model': 'DICT_FSST', 'spans.trace_id': 'DICT_FSST',
      'run_starts.run_id': 'ZSTD', 'run_starts.agent': 'DICT_FSST', 'runs.run_id': 'ZSTD', 'runs.agent': 'DICT_FSST',
    });
    const fromDb = await queryViews(dir, ANSWER, 'duckdb');
    expect(fromDb).toEqual([{ spans: 4000, traces: 1000, runs: 1000, input_tokens: expect.any(Number), r7: 1 }]);
    expect(await queryViews(dir, ANSWER, 'files')).toEqual(fromDb);
  });

  it('a database of the storage version earlier releases made (here empty) keeps it, and is loaded and queried as before', async () => {
    const dir = await store(400);
    const file = path.join(dir, 'telemetry.duckdb');
    // DuckDB's default storage version, what agent-otel made before; no table yet, as when a store was
    // killed while it created them (or a DuckDB shell made the file)
    (await DuckDBInstance.create(file)).closeSync();
    await catchUp(dir);
    const { version, methods } = await format(file);
    expect(version).toBe('v1.0.0+');
    expect(Object.values(methods)).not.toContain('ZSTD'); // not available there: nothing named
    expect(Object.values(methods)).not.toContain('DICT_FSST');
    const fromDb = await queryViews(dir, ANSWER, 'duckdb');
    expect(fromDb).toEqual([{ spans: 400, traces: 100, runs: 100, input_tokens: expect.any(Number), r7: 1 }]);
    expect(await queryViews(dir, ANSWER, 'files')).toEqual(fromDb);
    expect(fs.existsSync(`${file}.wal`)).toBe(false);
  });

  it('a load of a row group or more checkpoints without vacuuming; a smaller one vacuums again', async () => {
    // A large load's parallel insert leaves partly full row groups that vacuuming writes again (~10% of a
    // full load, left to the next small load); small loads keep vacuuming the rows the `runs` refresh deletes.
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'runs'));
    const line = (i: number) => `${JSON.stringify({ run_id: `r${i}`, trace_id: 't', span_id: 's', start_time: '2026-12-02T00:00:00Z', agent: 'a', kind: 'k', service_name: 'svc', host: 'h', pid: 1 })}\n`;
    const write = (name: string, from: number, n: number) => {
      const file = path.join(dir, 'runs', name);
      fs.writeFileSync(file, Array.from({ length: n }, (_, i) => line(from + i)).join(''));
      return { signal: 'run_starts' as const, file, bytes: fs.statSync(file).size };
    };
    const store = new DuckDbStore(dir);
    const vacuumTasks = async () => Number((await store.connection()!.runAndReadAll(
      "SELECT current_setting('max_vacuum_tasks') AS v")).getRowObjectsJS()[0]!.v);
    try {
      expect((await store.load([], [write('big.jsonl', 0, 130_000)])).run_starts).toBe(130_000);
      expect(await vacuumTasks()).toBe(0);
      expect((await store.load([], [write('small.jsonl', 130_000, 10)])).run_starts).toBe(10);
      expect(await vacuumTasks()).toBeGreaterThan(0);
      const held = (await store.connection()!.runAndReadAll('SELECT count(*)::INTEGER AS n FROM runs')).getRowObjectsJS();
      expect(held).toEqual([{ n: 130_010 }]);
    } finally {
      await store.close();
    }
  });
});
