// Issue 10, finding 11 (DuckDB part): a telemetry directory whose path holds glob characters works for
// every command and the viewer (DuckDB's readers expand `[`, `*`, `?`; DuckDB puts `.wal` before a `?`),
// and a lock held by a running agent is told apart from a corrupt database file, by DuckDB's own words.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { globLit, isLockError } from '../dist/exporters/duckdb/index.js';
import { openDatabase, unavailableReason } from '../dist/src/query/database.js';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { runCli } from './support/cli.js';
import { runFixture, tmpDir } from './support/harness.js';

const parent = tmpDir();
// `tel[1]*` keeps a database; `tel[1]*?` cannot (DuckDB reads `?` in a database path as URL parameters).
const withDb = path.join(parent, 'tel[1]*');
const noDb = path.join(parent, 'tel[1]*?');
// A decoy a glob would read instead of, or besides, them: `tel1xx` matches both as patterns.
const decoy = path.join(parent, 'tel1xx');

/** Writes `spans` spans (runs of 4) through the real pipeline, to JSONL and telemetry.duckdb; its health. */
async function generate(d: string, spans: number): Promise<{ duckdb: { unavailable?: string; loaded: { spans: number } } }> {
  const r = await runFixture('gen-spans.mjs', {}, [d, String(spans), 'duck']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(async () => {
  const [a, b] = await Promise.all([generate(withDb, 40), generate(noDb, 40), generate(decoy, 8)]);
  expect(a!.duckdb.unavailable, 'the agent could not use telemetry.duckdb').toBeUndefined();
  expect(a!.duckdb.loaded.spans).toBe(40);
  expect(b!.duckdb.unavailable).toMatch(/contains "\?"/); // said once, and the files hold everything
  // The decoy also gets files of the same names, with 4 rows each: a path read as a pattern reads those.
  for (const d of [withDb, noDb]) {
    for (const f of fs.readdirSync(path.join(d, 'spans'))) {
      const head = fs.readFileSync(path.join(d, 'spans', f), 'utf8').split('\n').slice(0, 4).join('\n') + '\n';
      fs.writeFileSync(path.join(decoy, 'spans', f), head);
    }
  }
});

const count = async (dir: string, source: string): Promise<number> => {
  const r = await runCli(['sql', 'SELECT count(*)::INTEGER AS n FROM spans', '--dir', dir, '--source', source, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout)[0].n;
};

describe.each([['tel[1]*', withDb], ['tel[1]*?', noDb]])('a telemetry directory named %s', (name, dir) => {
  it('sql reads its own rows, from the files and (where there is one) from the database', async () => {
    expect(await count(dir, 'files')).toBe(40);
    expect(await count(dir, 'auto')).toBe(40);
    if (dir === withDb) expect(await count(dir, 'duckdb')).toBe(40);
    else {
      const r = await runCli(['sql', 'SELECT 1', '--dir', dir, '--source', 'duckdb']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no telemetry\.duckdb in|contains "\?"/); // never created: the agent said why
    }
  });

  it('runs, report, trace, ingest and compact', async () => {
    const runs = await runCli(['runs', '--dir', dir, '--json', '--limit', '100']);
    expect(runs.code, runs.stderr).toBe(0);
    const list = JSON.parse(runs.stdout) as Array<{ trace_id: string }>;
    expect(list).toHaveLength(10);
    const report = await runCli(['report', '--dir', dir, '--since', 'all', '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).llm_by_model.reduce((s: number, r: { calls: number }) => s + r.calls, 0)).toBe(10);
    const trace = await runCli(['trace', list[0]!.trace_id, '--dir', dir, '--json']);
    expect(trace.code, trace.stderr).toBe(0);
    expect(JSON.parse(trace.stdout)).toHaveLength(4);
    const ingest = await runCli(['ingest', '--dir', dir]);
    if (dir === withDb) expect(ingest.code, ingest.stderr).toBe(0);
    else expect(ingest.stderr).toMatch(/contains "\?"/);
    await new Promise((r) => setTimeout(r, 1100));
    const compact = await runCli(['compact', '--dir', dir, '--older-than', '1s']);
    expect(compact.code, compact.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'spans')).filter((f) => f.endsWith('.parquet'))).toHaveLength(1);
    expect(await count(dir, 'files')).toBe(40);
    expect(await count(dir, 'auto')).toBe(40);
  });

  it('the viewer lists its runs', async () => {
    const viewer: Viewer = await startViewer({ dir, port: 0, pollMs: 60_000 });
    try {
      let info: { loading: boolean; load_error: string | null } = { loading: true, load_error: null };
      for (let i = 0; i < 100 && info.loading; i++) {
        info = await (await fetch(`${viewer.url}api/info`)).json() as typeof info;
        if (info.loading) await new Promise((r) => setTimeout(r, 100));
      }
      expect(info.load_error).toBeNull();
      const runs = await (await fetch(`${viewer.url}api/runs`)).json() as { total: number };
      expect(runs.total).toBe(10);
    } finally {
      await viewer.close();
    }
  });

  it(`globLit matches the path itself and nothing else (${name})`, async () => {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const file = path.join(dir, 'spans', fs.readdirSync(path.join(dir, 'spans')).find((f) => f.endsWith('.parquet'))!);
    fs.mkdirSync(path.join(decoy, 'spans'), { recursive: true });
    fs.copyFileSync(file, path.join(decoy, 'spans', path.basename(file)));
    const read = async (q: string) => (await conn.runAndReadAll(`SELECT DISTINCT filename FROM read_parquet(${q}, filename=true)`))
      .getRowObjectsJS().map((r) => String(r.filename));
    expect(await read(`'${file}'`)).not.toEqual([file]); // the raw path is a pattern: it reads the decoy
    expect(await read(globLit(file))).toEqual([file]);
    fs.rmSync(path.join(decoy, 'spans', path.basename(file)));
    conn.closeSync();
  });
});

describe('a lock is told apart from a corrupt file', () => {
  it('a database held by a running agent is "held", with its PID', async () => {
    const held = tmpDir();
    const child = runFixture('hold-db.mjs', {}, [held]);
    try {
      await new Promise<void>((resolve) => child.child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); }));
      const err = await openDatabase(path.join(held, 'telemetry.duckdb'), true).then(() => undefined, (e: Error & { held: boolean }) => e);
      expect(err?.held).toBe(true);
      expect(err?.message).toMatch(new RegExp(`is held by another process \\(PID ${child.child.pid}\\)`));
      const r = await runCli(['sql', 'SELECT count(*) AS n FROM spans', '--dir', held, '--json']);
      expect(r.stderr).toContain('telemetry.duckdb is held by another process');
    } finally {
      child.child.kill('SIGKILL');
      await child;
    }
  });

  it('a corrupt block ("… in block at location …") is not a lock', async () => {
    const d = tmpDir();
    const file = path.join(d, 'telemetry.duckdb');
    const inst = await DuckDBInstance.create(file);
    const conn = await inst.connect();
    await conn.run('CREATE TABLE t AS SELECT range AS x FROM range(100000)');
    await conn.run('CHECKPOINT');
    conn.closeSync();
    inst.closeSync();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096); // both database headers
    fs.closeSync(fd);
    const err = await DuckDBInstance.create(file).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/block/); // what the old test (/lock/i) took for a lock
    expect(isLockError(err)).toBe(false);
    expect(unavailableReason(file, err)).toMatch(/cannot be opened: .*(Corrupt|not a valid)/);
    expect(isLockError(new Error('IO Error: Could not set lock on file "/x/telemetry.duckdb": Conflicting lock is held in /usr/bin/node (PID 7)'))).toBe(true);
    expect(isLockError(new Error('clock skew'))).toBe(false);
  });
});
