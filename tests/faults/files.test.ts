// Faults in what is on disk and in the clock: garbage and torn JSONL lines, a corrupt telemetry.duckdb,
// a wall clock that jumps back. Readers skip and count what they cannot read; the agent is unaffected.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FIXTURES, tmpDir } from '../support/harness.js';
import { expectAccounted, expectAgentUnaffected, runAgent, spansByPhase } from './support.js';

describe('garbage and torn lines in the JSONL files', () => {
  it('readers skip them and count them; the rows around them are all read', async () => {
    const dir = tmpDir();
    await runAgent(dir, {}, 1, 50);
    const [file] = fs.readdirSync(path.join(dir, 'spans')).map((f) => path.join(dir, 'spans', f));
    const lines = fs.readFileSync(file!, 'utf8').split('\n').filter(Boolean);
    // garbage in the middle (a corrupted block), a line cut short mid-file, and a torn last line
    fs.writeFileSync(file!, [...lines.slice(0, 10), 'garbage \u0000\u0001 not json', lines[10]!.slice(0, 40), ...lines.slice(10)].join('\n') + '\n' + lines[0]!.slice(0, 30));
    const { total, stats } = await spansByPhase(dir);
    expect(total).toBe(50);
    expect(stats.badLines.map((b) => b.line)).toEqual([11, 12]); // 1-based
    expect(stats.tornLines).toHaveLength(1);

    const r = await runCli(['sql', '--dir', dir, '--source', 'files', "SELECT count(*)::INT AS n FROM spans WHERE name = 'execute_tool step-0'", '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 50 }]);
    expect(r.stderr).toMatch(/partial line/);
  });
});

describe('a corrupt telemetry.duckdb', () => {
  it('an agent starting on it keeps every span in the files and says so once; queries fall back to the files and say so', async () => {
    const dir = tmpDir();
    await runAgent(dir, { duckdb: true }, 1, 30);
    const db = path.join(dir, 'telemetry.duckdb');
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096); // scribble over its first blocks
    fs.closeSync(fd);

    const { r, end } = await runAgent(dir, { duckdb: true }, 1, 30);
    expectAgentUnaffected(end, 1, 30);
    expect(end.health.dropped.spans).toBe(0);
    // corruption, not "in use by another process" (issue 10, finding 11: a lock error is told apart)
    expect(r.stderr.match(/telemetry\.duckdb cannot be opened/g), r.stderr).toHaveLength(1);
    const { total } = await spansByPhase(dir);
    expect(total).toBe(60);

    const q = await runCli(['sql', '--dir', dir, "SELECT count(*)::INT AS n FROM spans WHERE name = 'execute_tool step-0'", '--json']);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ n: 60 }]);
    expect(q.stderr).toMatch(/telemetry\.duckdb cannot be read: .*; reading the JSONL\/Parquet files/);
  });
});

describe('a wall clock that jumps back', () => {
  it('two days back mid-run: every span is written, to a new file under a new name, nothing pruned or dropped', async () => {
    const dir = tmpDir();
    const { end } = await runAgent(dir, { retentionDays: 1 }, 2, 100, undefined, [], ['--import', path.join(FIXTURES, 'faults-clock.mjs')]);
    expectAgentUnaffected(end, 2, 100);
    const { byPhase, total } = await spansByPhase(dir);
    expectAccounted(total, end);
    expect(byPhase).toEqual({ 0: 100, 1: 100 });
    expect(end.health.dropped.spans).toBe(0);
    const names = fs.readdirSync(path.join(dir, 'spans')).sort();
    expect(names).toHaveLength(2); // a new UTC day for the writer: a new file
    expect(names[0]!.slice(0, 10) < names[1]!.slice(0, 10)).toBe(true); // the later file has the earlier date…
    expect(names[0]!.endsWith('-002.jsonl')).toBe(true); // …and the next sequence number: names never clash
  });
});
