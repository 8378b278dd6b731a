import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadPid, jsonlLines, runCli, setAge, spanRow, sqlCount, writeFile } from './support/cli.js';
import { runFixture, tmpDir } from './support/harness.js';

const DAY = 86400e3;
const listing = (dir: string) => ['spans', 'metrics'].flatMap((sub) => {
  const d = path.join(dir, sub);
  return fs.existsSync(d) ? fs.readdirSync(d).sort().map((f) => `${sub}/${f}`) : [];
});
const snapshot = (dir: string) => listing(dir).map((rel) => {
  const st = fs.statSync(path.join(dir, rel));
  return `${rel} ${st.size} ${st.mtimeMs}`;
});

/** The demo agent's files (and telemetry.duckdb), made to look two days old. */
async function oldDemo(): Promise<string> {
  const dir = tmpDir();
  const r = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
  expect(r.code).toBe(0);
  for (const rel of listing(dir)) setAge(path.join(dir, rel), 2 * DAY);
  return dir;
}

const QUERIES = [
  'SELECT count(*) FROM spans', 'SELECT count(*) FROM metrics', 'SELECT sum(input_tokens) FROM llm_calls',
  "SELECT count(*) FROM tool_calls WHERE outcome = 'error'", 'SELECT count(*) FROM agent_runs',
];
const answers = (dir: string, source: string) => Promise.all(QUERIES.map((q) => sqlCount(dir, q, source)));

describe('agent-otel compact', () => {
  it('rewrites closed JSONL files as zstd Parquet; every query gives the same answer before and after', async () => {
    const dir = await oldDemo();
    const jsonl = listing(dir);
    expect(jsonl).toHaveLength(2);
    const rows = jsonlLines(dir, 'spans').length + jsonlLines(dir, 'metrics').length;
    const before = await answers(dir, 'files');
    expect(before[0]).toBeGreaterThan(40);
    expect(await answers(dir, 'auto')).toEqual(before);
    const mtime = fs.statSync(path.join(dir, jsonl[0]!)).mtimeMs;

    const r = await runCli(['compact', '--dir', dir]);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out.slice(0, 2)).toEqual(jsonl.map((rel) => expect.stringMatching(
      new RegExp(`^compacted ${rel} → ${path.basename(rel, '.jsonl')}\\.parquet: \\d+ rows, [\\d.]+ KiB → [\\d.]+ (KiB|B)$`))));
    expect(out[2]).toMatch(new RegExp(`^compacted 2 files, ${rows} rows: [\\d.]+ KiB JSONL → [\\d.]+ (KiB|B) Parquet$`));

    const parquet = listing(dir);
    expect(parquet).toEqual(jsonl.map((rel) => rel.replace(/\.jsonl$/, '.parquet')));
    const st = fs.statSync(path.join(dir, parquet[0]!));
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.mtimeMs).toBe(mtime); // keeps its age, for retention
    expect(fs.readFileSync(path.join(dir, parquet[0]!)).subarray(0, 4).toString()).toBe('PAR1');

    for (const source of ['files', 'auto', 'duckdb']) expect(await answers(dir, source), source).toEqual(before);
    // The database already held these rows (as the JSONL files): nothing to load again.
    expect((await runCli(['ingest', '--dir', dir])).stdout).toMatch(/^loaded 0 files, 0 rows/);
    expect((await runCli(['compact', '--dir', dir])).stdout).toBe('compacted 0 files, 0 rows: 0 B JSONL → 0 B Parquet\n');
  });

  it('first loads rows the database lacks (a crashed agent\'s last lines), so auto queries lose nothing', async () => {
    const dir = await oldDemo();
    const spansFile = path.join(dir, listing(dir).find((rel) => rel.startsWith('spans/'))!);
    fs.appendFileSync(spansFile, spanRow('unloaded-1', new Date()) + spanRow('unloaded-2', new Date()));
    setAge(spansFile, 2 * DAY);
    const before = await answers(dir, 'auto');
    expect((await runCli(['compact', '--dir', dir])).code).toBe(0);
    expect(await answers(dir, 'auto')).toEqual(before);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name LIKE 'unloaded-%'", 'duckdb')).toBe(2);
  });

  it('--dry-run lists what it would compact and changes nothing', async () => {
    const dir = tmpDir();
    const name = `2026-03-01T000000Z-${await deadPid()}-001`;
    writeFile(dir, `spans/${name}.jsonl`, spanRow('a', new Date()) + spanRow('b', new Date()), 2 * DAY);
    const before = snapshot(dir);
    const r = await runCli(['compact', '--dir', dir, '--dry-run']);
    expect(r.code).toBe(0);
    const size = fs.statSync(path.join(dir, 'spans', `${name}.jsonl`)).size;
    expect(r.stdout).toBe(`would compact spans/${name}.jsonl → ${name}.parquet: 2 rows, ${size} B\n` +
      `would compact 1 file, 2 rows: ${size} B of JSONL (dry run: nothing changed)\n`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('leaves alone recent files and the newest file of a process that is still running', async () => {
    const dir = tmpDir();
    const dead = await deadPid();
    const live = process.pid;
    const row = spanRow('s', new Date());
    writeFile(dir, `spans/2026-03-01T000000Z-${live}-001.jsonl`, row, 2 * DAY); // rotated away from: closed
    writeFile(dir, `spans/2026-03-01T010000Z-${live}-002.jsonl`, row, 2 * DAY); // still written to
    writeFile(dir, `metrics/2026-03-01T000000Z-${live}-001.jsonl`, '', 2 * DAY); // still written to
    // a running writer holds its current files open
    const liveFds = [`spans/2026-03-01T010000Z-${live}-002.jsonl`, `metrics/2026-03-01T000000Z-${live}-001.jsonl`].map((f) => fs.openSync(path.join(dir, f), 'a'));
    writeFile(dir, `spans/2026-03-01T000000Z-${dead}-001.jsonl`, row, 2 * DAY); // its writer is gone
    writeFile(dir, `spans/2026-03-01T000000Z-${dead}-002.jsonl`, row, 3600e3); // newer than 1d
    const r = await runCli(['compact', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^compacted 2 files, 2 rows/m);
    expect(listing(dir).sort()).toEqual([
      `metrics/2026-03-01T000000Z-${live}-001.jsonl`,
      `spans/2026-03-01T000000Z-${dead}-001.parquet`,
      `spans/2026-03-01T000000Z-${dead}-002.jsonl`,
      `spans/2026-03-01T000000Z-${live}-001.parquet`,
      `spans/2026-03-01T010000Z-${live}-002.jsonl`,
    ].sort());
    // --older-than moves the cutoff.
    const r2 = await runCli(['compact', '--dir', dir, '--older-than', '30m']);
    expect(r2.stdout).toMatch(/^compacted 1 file, 1 row:/m);
    expect(fs.existsSync(path.join(dir, `spans/2026-03-01T000000Z-${dead}-002.parquet`))).toBe(true);
    for (const fd of liveFds) fs.closeSync(fd);
  });

  it('leaves out a torn last line, and leaves a file with a line that is not JSON as it is (exit 1)', async () => {
    const dir = tmpDir();
    writeFile(dir, 'spans/torn.jsonl', spanRow('t1', new Date()) + spanRow('t2', new Date()) + '{"trace_id":"cut sh', 2 * DAY);
    writeFile(dir, 'spans/bad.jsonl', spanRow('b1', new Date()) + 'garbage\n' + spanRow('b2', new Date()), 2 * DAY);
    const r = await runCli(['compact', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compacted 1 file, 2 rows/m);
    expect(r.stderr).toMatch(/^agent-otel: not compacted: spans\/bad\.jsonl: .*JSON/m);
    expect(listing(dir)).toEqual(['spans/bad.jsonl', 'spans/torn.parquet']);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name IN ('t1', 't2')", 'files')).toBe(2);
  });

  it('a wrong --dir or a bad --older-than is a one-line error; an empty directory compacts nothing', async () => {
    const missing = path.join(tmpDir(), 'nope');
    const r = await runCli(['compact', '--dir', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`agent-otel: no telemetry directory at ${missing} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n`);
    const bad = await runCli(['compact', '--dir', tmpDir(), '--older-than', 'old']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('agent-otel: --older-than must be a duration such as 30d, 24h, 15m or 10s; got "old"\n');
    const empty = await runCli(['compact', '--dir', tmpDir()]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('compacted 0 files, 0 rows: 0 B JSONL → 0 B Parquet\n');
  });
});
