import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonlLines, runCli, spanRow, sqlCount, writeFile } from './support/cli.js';
import { runFixture, tmpDir, waitFor } from './support/harness.js';
import { ingest, openStore, type IngestProgress } from '../dist/src/query/ingest.js';

const dbOf = (dir: string) => path.join(dir, 'telemetry.duckdb');
const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const loaded = (dir: string, files: number, spans: number, metrics: number, upToDate: number, logs = 0, runs = 0) =>
  `loaded ${n(files, 'file')}, ${n(spans + metrics + logs + runs, 'row')} (${n(spans, 'span')}, ${n(metrics, 'metric point')}, ${n(logs, 'log record')}, ${n(runs, 'run start')}) ` +
  `into ${dbOf(dir)}; ${n(upToDate, 'file')} already up to date\n`;

/** The demo agent as it runs by default: JSONL files only, no database work in the agent. */
async function demoWithoutDb(): Promise<string> {
  const dir = tmpDir();
  const r = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
  expect(r.code).toBe(0);
  expect(fs.existsSync(dbOf(dir))).toBe(false);
  return dir;
}

describe('agent-otel ingest', () => {
  it('loads exactly the JSONL rows; a second run adds nothing; a grown file adds only its new complete lines', async () => {
    const dir = await demoWithoutDb();
    const spans = jsonlLines(dir, 'spans').length;
    const metrics = jsonlLines(dir, 'metrics').length;
    const runs = jsonlLines(dir, 'runs').length;
    expect(runs).toBe(8); // one run start per demo run
    expect(spans).toBeGreaterThan(40);
    expect(metrics).toBeGreaterThan(10);

    const first = await runCli(['ingest', '--dir', dir]);
    expect(first.stderr).not.toContain('not loaded');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(loaded(dir, 4, spans, metrics, 0, 0, runs)); // spans, metrics, run starts and the resources file
    expect(await sqlCount(dir, 'SELECT count(DISTINCT span_id) FROM spans', 'duckdb')).toBe(spans);
    expect(await sqlCount(dir, 'SELECT count(*) FROM metrics', 'duckdb')).toBe(metrics);

    const second = await runCli(['ingest', '--dir', dir]);
    expect(second.stdout).toBe(loaded(dir, 0, 0, 0, 4));
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(spans);

    const [file] = fs.readdirSync(path.join(dir, 'spans')).map((f) => path.join(dir, 'spans', f));
    const late = spanRow('late-3', new Date());
    fs.appendFileSync(file!, spanRow('late-1', new Date()) + spanRow('late-2', new Date()) + late.slice(0, 40));
    const third = await runCli(['ingest', '--dir', dir]);
    expect(third.stdout).toBe(loaded(dir, 1, 2, 0, 3));
    fs.appendFileSync(file!, late.slice(40));
    const fourth = await runCli(['ingest', '--dir', dir]);
    expect(fourth.stdout).toBe(loaded(dir, 1, 1, 0, 3));
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name LIKE 'late-%'", 'duckdb')).toBe(3);
    expect(await sqlCount(dir, 'SELECT count(DISTINCT span_id) FROM spans', 'duckdb')).toBe(spans + 3);
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(spans + 3);
  });

  it('loads Parquet files unless their JSONL twin was loaded', async () => {
    const dir = await demoWithoutDb();
    const spans = jsonlLines(dir, 'spans').length;
    const metrics = jsonlLines(dir, 'metrics').length;
    const runs = jsonlLines(dir, 'runs').length;
    expect((await runCli(['ingest', '--dir', dir])).stdout).toBe(loaded(dir, 4, spans, metrics, 0, 0, runs));
    expect((await runCli(['compact', '--dir', dir, '--older-than', '0s'])).code).toBe(0);
    expect(jsonlLines(dir, 'spans')).toEqual([]);
    expect((await runCli(['ingest', '--dir', dir])).stdout).toBe(loaded(dir, 0, 0, 0, 4));
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(spans);

    fs.rmSync(dbOf(dir));
    expect((await runCli(['ingest', '--dir', dir])).stdout).toBe(loaded(dir, 4, spans, metrics, 0, 0, runs));
    expect(await sqlCount(dir, 'SELECT count(DISTINCT span_id) FROM spans', 'duckdb')).toBe(spans);
    expect(await sqlCount(dir, 'SELECT count(*) FROM metrics', 'duckdb')).toBe(metrics);
    expect(await sqlCount(dir, 'SELECT count(*) FROM run_starts', 'duckdb')).toBe(runs);
    expect((await runCli(['ingest', '--dir', dir])).stdout).toBe(loaded(dir, 0, 0, 0, 4));
  });

  it('says clearly when another process holds the database, and recovers the rows once it is gone', async () => {
    const dir = tmpDir();
    const holder = runFixture('hold-duckdb.mjs', {}, [dir]);
    let ready = '';
    holder.child.stdout!.on('data', (d) => { ready += d; });
    await waitFor(() => ready.includes('ready'), 20_000, 'the holder');
    // An agent runs meanwhile: it never needs the database, its rows reach the JSONL files.
    const other = await runFixture('writer.mjs', {}, [dir, 'W', '50']);
    expect(other.code).toBe(0);

    const held = await runCli(['ingest', '--dir', dir]);
    expect(held.code).toBe(1);
    expect(held.stdout).toBe('');
    expect(held.stderr).toBe(`agent-otel: ${dbOf(dir)} is held by another process (PID ${holder.child.pid}); ` +
      'run ingest again once it is done (queries read the JSONL files meanwhile)\n');

    holder.child.kill('SIGKILL');
    expect((await holder).signal).toBe('SIGKILL');
    const r = await runCli(['ingest', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loaded [1-4] files?, \d+ rows \(50 spans, \d+ metric points, 0 log records, 0 run starts\)/);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name LIKE 'W-%'", 'duckdb')).toBe(50);
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(jsonlLines(dir, 'spans').length);
    expect(await sqlCount(dir, 'SELECT count(*) FROM metrics', 'duckdb')).toBe(jsonlLines(dir, 'metrics').length);
  });

  it('shows a progress bar with rows/s on stderr', async () => {
    const dir = await demoWithoutDb();
    const r = await runCli(['ingest', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ingest: \[#{20}\] 100% [\d.]+ KiB of [\d.]+ KiB, 4\/4 files, \d+ rows/m);
  });

  it('loads the other files when one has a line that does not parse, and names it (exit 1)', async () => {
    const dir = tmpDir();
    const now = new Date();
    writeFile(dir, 'spans/a.jsonl', spanRow('a1', now) + 'this is not json\n' + spanRow('a2', now));
    writeFile(dir, 'spans/b.jsonl', spanRow('b1', now) + spanRow('b2', now));
    const r = await runCli(['ingest', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(loaded(dir, 1, 2, 0, 0));
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('agent-otel:'));
    expect(errors).toEqual(['agent-otel: not loaded: spans/a.jsonl: line 2 is not a JSON row: "this is not json"']);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name LIKE 'b%'", 'duckdb')).toBe(2);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name LIKE 'a%'", 'duckdb')).toBe(0);
  });

  it('loads a row larger than DuckDB reads at first (a 40 MiB captured prompt) with the rows around it', async () => {
    const dir = tmpDir();
    const now = new Date();
    const prompt = 'p'.repeat(40 * 1024 ** 2);
    writeFile(dir, 'spans/a.jsonl', spanRow('a1', now) + spanRow('big', now, { attributes: { 'gen_ai.prompt': prompt } }) + spanRow('a2', now));
    const r = await runCli(['ingest', '--dir', dir]);
    expect(r.stderr).not.toContain('not loaded');
    expect(r.stdout).toBe(loaded(dir, 1, 3, 0, 0));
    expect(await sqlCount(dir, "SELECT length(attributes->>'gen_ai.prompt') FROM spans WHERE name = 'big'", 'duckdb')).toBe(prompt.length);
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(3);
  });

  it('the progress of a load redone for a large row never goes back', async () => {
    const dir = tmpDir();
    const now = new Date();
    // ~100 MB of rows read for a while before the 40 MiB row fails the first try
    const filler = { 'gen_ai.operation.name': 'chat', note: 'n'.repeat(400) };
    writeFile(dir, 'spans/a.jsonl', Array.from({ length: 200_000 }, (_, i) => spanRow(`a${i}`, now, { attributes: filler })).join('') +
      spanRow('big', now, { attributes: { 'gen_ai.prompt': 'p'.repeat(40 * 1024 ** 2) } }));
    const seen: IngestProgress[] = [];
    const store = await openStore(dir);
    try {
      const r = await ingest(store, { onProgress: (p) => seen.push(p) });
      expect(r.rows.spans).toBe(200_001);
    } finally {
      await store.close();
    }
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes, `report ${i} of ${seen.length}`).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
    expect(seen.at(-1)!.bytes).toBe(seen.at(-1)!.totalBytes);
  });

  it('a wrong --dir is a one-line error (and creates nothing); an empty directory loads nothing', async () => {
    const missing = path.join(tmpDir(), 'nope');
    const r = await runCli(['ingest', '--dir', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`agent-otel: no telemetry directory at ${missing} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n`);
    expect(fs.existsSync(missing)).toBe(false);
    const empty = tmpDir();
    const e = await runCli(['ingest', '--dir', empty]);
    expect(e.code).toBe(0);
    expect(e.stdout).toBe(loaded(empty, 0, 0, 0, 0));
  });
});
