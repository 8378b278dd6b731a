// telemetry.duckdb is a materialized view of the files: agents write JSONL only, and whichever reader
// needs the database brings it up to date for the length of one ingest. A running agent, the viewer and
// several queries never lock each other out, and a query sees what a running agent wrote within 2 s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QuerySession } from '../dist/src/query/session.js';
import { ingest, openStore } from '../dist/src/query/ingest.js';
import { runCli, spanRow, writeFile } from './support/cli.js';
import { ROOT, runFixture, tmpDir, waitFor } from './support/harness.js';

const BIN = path.join(ROOT, 'dist/src/cli/bin.js');
const children: Array<{ kill(sig: NodeJS.Signals): boolean }> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function startAgent(dir: string, options: Record<string, unknown> = {}) {
  const agent = runFixture('mv-agent.mjs', { OTEL_BSP_SCHEDULE_DELAY: '200' }, [dir, JSON.stringify(options)]);
  children.push(agent.child);
  let out = '';
  agent.child.stdout!.on('data', (d) => { out += d; });
  await waitFor(() => out.includes('ready'), 20_000, 'the agent');
  return { child: agent.child, exited: () => agent }; // not the promise itself: awaiting it would wait for the exit
}

/** `agent-otel ui` on a free port; resolves to its URL. */
async function startViewer(dir: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'ui', '--dir', dir, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await waitFor(() => /agent-otel ui: http/.test(out), 20_000, 'the viewer');
  const url = /agent-otel ui: (http:\/\/\S+)/.exec(out)![1]!;
  await waitFor(async () => ((await (await fetch(`${url}api/info`)).json()) as { loading: boolean }).loading === false, 20_000, 'the first load');
  return url;
}

async function ask(dir: string, sql: string, source: 'auto' | 'duckdb' | 'files' = 'auto') {
  const s = await QuerySession.open(dir, source);
  try {
    return { source: s.source, notes: s.notes, rows: (await s.query(sql)).rows };
  } finally {
    s.close();
  }
}

const num = (v: unknown) => Number(v);

describe('telemetry.duckdb as a materialized view of the files', () => {
  it('a running agent, the viewer and two `agent-otel sql` at once all work; sql sees what the agent wrote within 2 s', async () => {
    const dir = tmpDir();
    await startAgent(dir);
    expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(false); // the agent does no database work
    const url = await startViewer(dir);
    const sql = `SELECT count(*) AS n, epoch_ms(max(end_time)) AS last FROM spans WHERE service_name = 'mv-agent'`;
    for (let round = 0; round < 3; round++) {
      const asked = Date.now();
      const [a, b, info] = await Promise.all([
        runCli(['sql', sql, '--dir', dir, '--json']),
        runCli(['sql', sql, '--dir', dir, '--json']),
        fetch(`${url}api/info`).then((r) => r.json() as Promise<{ spans: number; load_error: string | null }>),
      ]);
      for (const r of [a, b]) {
        expect(r.stderr).not.toMatch(/error|cannot/i);
        expect(r.code).toBe(0);
        const [row] = JSON.parse(r.stdout) as Array<{ n: number; last: number }>;
        expect(num(row!.n)).toBeGreaterThan(0);
        expect(asked - num(row!.last)).toBeLessThan(2000); // spans the agent ended less than 2 s before the query started
      }
      expect(info).toMatchObject({ load_error: null });
      expect(info.spans).toBeGreaterThan(0);
    }
    // the queries (and the viewer) made and updated the database; nobody holds it longer than one ingest
    // or query (the viewer's poll may be loading the agent's new rows at this moment)
    expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(true);
    await waitFor(async () => {
      try {
        await (await openStore(dir)).close();
        return true;
      } catch {
        return false;
      }
    }, 5000, 'telemetry.duckdb to be free');
  });

  it('loads logs into a `logs` table; the logs view reads it plus what the files gained since', async () => {
    const dir = tmpDir();
    const agent = await startAgent(dir);
    agent.child.kill('SIGTERM');
    await agent.exited();
    const lines = fs.readdirSync(path.join(dir, 'logs')).flatMap((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8').split('\n').filter(Boolean));
    expect(lines.length).toBeGreaterThan(4);
    const first = await ask(dir, `SELECT count(*) AS n, count(*) FILTER (WHERE event_name = 'tick' AND level = 'info') AS ticks FROM logs`);
    expect(first.rows).toEqual([{ n: String(lines.length), ticks: String(lines.length) }]);
    expect(first.source).toBe('duckdb');
    expect((await ask(dir, 'SELECT count(*) AS n FROM logs', 'duckdb')).rows).toEqual([{ n: String(lines.length) }]);
    const file = path.join(dir, 'logs', fs.readdirSync(path.join(dir, 'logs')).sort().at(-1)!);
    fs.appendFileSync(file, JSON.stringify({ ...JSON.parse(lines[0]!), event_name: 'late' }) + '\n');
    expect((await ask(dir, `SELECT count(*) AS n FROM logs WHERE event_name = 'late'`, 'files')).rows).toEqual([{ n: '1' }]);
    expect((await ask(dir, `SELECT count(*) AS n FROM logs WHERE event_name = 'late'`)).rows).toEqual([{ n: '1' }]);
    expect((await ask(dir, 'SELECT count(*) AS n FROM logs', 'duckdb')).rows).toEqual([{ n: String(lines.length + 1) }]);
  });

  it('a file read in place that changed before the commit loads nothing (ingest then stages it up to its listed size)', async () => {
    const dir = tmpDir();
    const file = writeFile(dir, 'spans/a.jsonl', spanRow('a1', new Date()) + spanRow('a2', new Date()));
    const store = await openStore(dir);
    try {
      const size = fs.statSync(file).size;
      await expect(store.load([], [{ signal: 'spans', file, bytes: size - 1 }])).rejects.toThrow(/1 file\(s\) changed while they were loaded/);
      expect([...(await store.ingested())]).toEqual([]);
      const r = await store.load([], [{ signal: 'spans', file, bytes: size }]);
      expect(r.spans).toBe(2);
      expect([...(await store.ingested())]).toEqual([['spans/a.jsonl', size]]);
    } finally {
      await store.close();
    }
  });

  it('is idempotent through rotation, compaction and pruning: every row once', async () => {
    const dir = tmpDir();
    const agent = await startAgent(dir, { maxFileSize: '8KB' }); // a new file every few runs
    await new Promise((r) => setTimeout(r, 600));
    const mid = await ask(dir, 'SELECT count(*) AS n, count(DISTINCT span_id) AS u FROM spans');
    expect(mid.rows[0]!.n).toBe(mid.rows[0]!.u);
    agent.child.kill('SIGTERM');
    await agent.exited();
    const files = fs.readdirSync(path.join(dir, 'spans'));
    expect(files.length).toBeGreaterThan(3);
    const total = files.reduce((n, f) => n + fs.readFileSync(path.join(dir, 'spans', f), 'utf8').split('\n').filter(Boolean).length, 0);
    const all = 'SELECT count(*) AS n, count(DISTINCT span_id) AS u FROM spans';
    expect((await ask(dir, all)).rows).toEqual([{ n: String(total), u: String(total) }]);
    // compaction: the Parquet twins are known to the database, nothing is loaded twice
    expect((await runCli(['compact', '--dir', dir, '--older-than', '0s'])).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'spans')).every((f) => f.endsWith('.parquet'))).toBe(true);
    expect((await ask(dir, all)).rows).toEqual([{ n: String(total), u: String(total) }]);
    const store = await openStore(dir);
    try {
      const again = await ingest(store);
      expect([again.files, again.rows]).toEqual([0, { resources: 0, spans: 0, metrics: 0, logs: 0, run_starts: 0 }]);
    } finally {
      await store.close();
    }
    // pruning: a file that is gone leaves the database as it was; the database keeps its rows
    fs.rmSync(path.join(dir, 'spans', fs.readdirSync(path.join(dir, 'spans')).sort()[0]!));
    expect((await ask(dir, all, 'duckdb')).rows).toEqual([{ n: String(total), u: String(total) }]);
    expect((await ask(dir, 'SELECT count(*) AS n FROM spans')).rows).toEqual([{ n: String(total) }]);
  });
});
