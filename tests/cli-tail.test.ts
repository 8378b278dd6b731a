import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonlLines, runCli, spanRow, spawnCli, writeFile } from './support/cli.js';
import { FIXTURES, runFixture, tmpDir, waitFor } from './support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (s: string) => s.split('\n').filter(Boolean);

const running: Array<ReturnType<typeof spawnCli>> = [];
afterEach(() => { for (const t of running.splice(0)) if (t.child.exitCode === null) t.child.kill('SIGKILL'); });

/** Starts `agent-otel tail`; `ready` resolves once it has taken the files' current ends. */
function startTail(args: string[]) {
  const tail = spawnCli(['tail', ...args]);
  running.push(tail);
  const ready = waitFor(() => tail.output().stderr.includes('Ctrl-C to stop'), 10_000, 'tail to start');
  return { tail, ready };
}

describe('agent-otel tail', () => {
  it('prints one readable line per span written after it started: new lines of a file, a new file, a line finished later', async () => {
    const dir = tmpDir();
    const existing = writeFile(dir, 'spans/2026-03-04T100000Z-1-001.jsonl', spanRow('written before tail', new Date()));
    const { tail, ready } = startTail(['--dir', dir]);
    await ready;
    const [llm, tool, run] = fs.readFileSync(path.join(FIXTURES, 'tail-spans.jsonl'), 'utf8').split(/(?<=\n)/) as [string, string, string];
    fs.appendFileSync(existing, llm);
    const created = path.join(dir, 'spans', '2026-03-04T102030Z-2-001.jsonl');
    fs.appendFileSync(created, tool + run.slice(0, 50)); // the last line is still being written
    const expected = [
      `10:20:30.706     1.25 s  UNSET  ${'chat gpt-4o'.padEnd(28)}  agent=planner model=gpt-4o-2024-08-06 in=1200 out=340 cached=256`,
      `10:20:30.742      42 ms  ERROR  ${'execute_tool fetch_page'.padEnd(28)}  agent="research worker" tool=fetch_page error.type=RateLimitError "429 Too Many Requests"`,
      `10:20:31.000     2.00 s  OK     ${'invoke_agent planner'.padEnd(28)}  agent=planner`,
    ];
    await waitFor(() => lines(tail.output().stdout).length >= 2, 10_000, 'two lines');
    await sleep(600); // several polls: the half line must not come out
    expect(tail.output().stdout).toBe(`${expected[0]}\n${expected[1]}\n`);
    fs.appendFileSync(created, run.slice(50));
    await waitFor(() => lines(tail.output().stdout).length >= 3, 10_000, 'the finished line');
    tail.child.kill('SIGINT');
    const r = await tail;
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected.map((l) => `${l}\n`).join(''));
  });

  it('follows a child process writing into a directory that was empty, printing the raw rows with --json', async () => {
    const dir = tmpDir();
    const { tail, ready } = startTail(['--dir', dir, '--json']);
    await ready;
    const w = await runFixture('writer.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir, 'T', '25']);
    expect(w.code).toBe(0);
    const written = jsonlLines(dir, 'spans');
    expect(written).toHaveLength(25);
    await waitFor(() => lines(tail.output().stdout).length >= 25, 10_000, '25 rows');
    await sleep(300);
    tail.child.kill('SIGINT');
    const r = await tail;
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(written);
    expect(lines(r.stdout).map((l) => JSON.parse(l).name)).toEqual(Array.from({ length: 25 }, (_, i) => `T-${i}`));
  });

  it('--since starts with the spans that ended in that period', async () => {
    const dir = tmpDir();
    const now = Date.now();
    writeFile(dir, 'spans/a.jsonl', spanRow('an hour ago', new Date(now - 3600e3)) + spanRow('seconds ago', new Date(now - 2000)));
    writeFile(dir, 'spans/b.jsonl', spanRow('old file', new Date(now - 7200e3)), 7200e3);
    const { tail, ready } = startTail(['--dir', dir, '--since', '1m']);
    await ready;
    await waitFor(() => tail.output().stdout.includes('seconds ago'), 10_000, 'the recent span');
    await sleep(400);
    tail.child.kill('SIGINT');
    const r = await tail;
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} +5\.00 ms {2}UNSET {2}seconds ago\n$/);
  });

  it('a wrong --dir or a bad --since is a one-line error, exit 1', async () => {
    const missing = path.join(tmpDir(), 'nope');
    const r = await runCli(['tail', '--dir', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`agent-otel: no telemetry directory at ${missing} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n`);
    const s = await runCli(['tail', '--dir', tmpDir(), '--since', 'yesterday']);
    expect(s.code).toBe(1);
    expect(s.stderr).toBe('agent-otel: --since must be a duration such as 30d, 24h, 15m or 10s; got "yesterday"\n');
  });
});
