import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spanRow, sqlCount, writeFile } from './support/cli.js';
import { runFixture, tmpDir, waitFor } from './support/harness.js';

const DAY = 86400e3;
const exists = (dir: string, rel: string) => fs.existsSync(path.join(dir, rel));

describe('agent-otel prune', () => {
  it('deletes files by age, then the oldest past --max-size; --dry-run deletes nothing; audit/ is never touched', async () => {
    const dir = tmpDir();
    const livePid = `spans/2026-01-01T000000Z-${process.pid}-001.jsonl`; // the current file of a running process
    writeFile(dir, 'spans/old.jsonl', 'x'.repeat(100), 40 * DAY);
    writeFile(dir, livePid, 'x'.repeat(100), 40 * DAY);
    const liveFd = fs.openSync(path.join(dir, livePid), 'a'); // a running writer holds its file open
    writeFile(dir, 'spans/a.jsonl', 'x'.repeat(1000), 5 * DAY);
    writeFile(dir, 'metrics/b.jsonl', 'x'.repeat(1000), 4 * DAY);
    writeFile(dir, 'spans/c.parquet', 'x'.repeat(1000), 3 * DAY);
    writeFile(dir, 'spans/recent.jsonl', 'x'.repeat(5000));
    writeFile(dir, 'audit/2025.jsonl', 'x'.repeat(100), 400 * DAY);
    const args = ['prune', '--dir', dir, '--older-than', '30d', '--max-size', '7000B'];
    const listed = (verb: string) => `${verb} spans/old.jsonl: 100 B (too old)\n` +
      `${verb} spans/a.jsonl: 1000 B (over the size limit)\n${verb} metrics/b.jsonl: 1000 B (over the size limit)\n` +
      `${verb} 3 files (2.1 KiB); 6.0 KiB kept`;

    const dry = await runCli([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(`${listed('would delete')} (dry run: nothing changed)\n`);
    expect(['spans/old.jsonl', 'spans/a.jsonl', 'metrics/b.jsonl'].every((rel) => exists(dir, rel))).toBe(true);

    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${listed('deleted')}\n`);
    expect(['spans/old.jsonl', 'spans/a.jsonl', 'metrics/b.jsonl'].map((rel) => exists(dir, rel))).toEqual([false, false, false]);
    expect([livePid, 'spans/c.parquet', 'spans/recent.jsonl', 'audit/2025.jsonl'].map((rel) => exists(dir, rel))).toEqual([true, true, true, true]);
    fs.closeSync(liveFd);
  });

  it('deletes old rows from telemetry.duckdb and forgets the files it deleted', async () => {
    const dir = tmpDir();
    const old = new Date(Date.now() - 40 * DAY);
    writeFile(dir, 'spans/old.jsonl', spanRow('old-1', old) + spanRow('old-2', old), 40 * DAY);
    writeFile(dir, 'spans/new.jsonl', spanRow('new-1', new Date()));
    expect((await runCli(['ingest', '--dir', dir])).code).toBe(0);
    const known = () => sqlCount(dir, 'SELECT count(*) FROM store._agent_otel_ingested', 'duckdb');
    expect(await known()).toBe(2);

    const dry = await runCli(['prune', '--dir', dir, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^telemetry\.duckdb: would delete 2 spans, 0 metric points and 0 log records older than \d{4}-\d\d-\d\dT[\d:.]+Z; would forget 1 deleted file$/m);
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(3);
    expect(exists(dir, 'spans/old.jsonl')).toBe(true);

    const r = await runCli(['prune', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deleted spans\/old\.jsonl: .* \(too old\)$/m);
    expect(r.stdout).toMatch(/^telemetry\.duckdb: deleted 2 spans, 0 metric points and 0 log records older than .*; forgot 1 deleted file$/m);
    expect(await sqlCount(dir, 'SELECT count(*) FROM spans', 'duckdb')).toBe(1);
    expect(await sqlCount(dir, "SELECT count(*) FROM spans WHERE name = 'new-1'", 'auto')).toBe(1);
    expect(await known()).toBe(1);
  });

  it('still prunes the files when a running agent holds the database, and says its rows were not pruned', async () => {
    const dir = tmpDir();
    const holder = runFixture('hold-db.mjs', {}, [dir, '1']);
    let ready = '';
    holder.child.stdout!.on('data', (d) => { ready += d; });
    try {
      await waitFor(() => ready.includes('ready'), 20_000, 'the holder');
      writeFile(dir, 'spans/old.jsonl', spanRow('old', new Date(Date.now() - 40 * DAY)), 40 * DAY);
      const r = await runCli(['prune', '--dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^deleted spans\/old\.jsonl: .*\n^deleted 1 file/m);
      expect(r.stderr).toBe(`agent-otel: note: ${path.join(dir, 'telemetry.duckdb')} is held by another process ` +
        `(PID ${holder.child.pid}); its rows were not pruned (run prune again once it has exited)\n`);
      expect(exists(dir, 'spans/old.jsonl')).toBe(false);
    } finally {
      holder.child.kill('SIGKILL');
      await holder;
    }
  });

  it('takes its defaults from the agent\'s retention settings', async () => {
    const dir = tmpDir();
    writeFile(dir, 'spans/three-days.jsonl', 'x', 3 * DAY);
    writeFile(dir, 'spans/one-day.jsonl', 'x', 1 * DAY);
    const r = await runCli(['prune', '--dir', dir], { AGENT_OTEL_RETENTION_DAYS: '2' });
    expect(r.stdout).toBe('deleted spans/three-days.jsonl: 1 B (too old)\ndeleted 1 file (1 B); 1 B kept\n');
    const s = await runCli(['prune', '--dir', dir], { AGENT_OTEL_MAX_TOTAL_SIZE: 'lots' });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^agent-otel: env AGENT_OTEL_MAX_TOTAL_SIZE must be a size .*; got "lots"\n$/);
  });

  it('a bad --max-size or --older-than, or a wrong --dir, is a one-line error; an empty directory works', async () => {
    const dir = tmpDir();
    writeFile(dir, 'spans/old.jsonl', 'x', 40 * DAY);
    const size = await runCli(['prune', '--dir', dir, '--max-size', '12 parsecs']);
    expect(size.code).toBe(1);
    expect(size.stderr).toBe(`agent-otel: --max-size must be a size in bytes or with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. '64MiB'; got "12 parsecs"\n`);
    const age = await runCli(['prune', '--dir', dir, '--older-than', 'ages']);
    expect(age.code).toBe(1);
    expect(age.stderr).toBe('agent-otel: --older-than must be a duration such as 30d, 24h, 15m or 10s; got "ages"\n');
    expect(exists(dir, 'spans/old.jsonl')).toBe(true);
    const missing = path.join(dir, 'nope');
    const m = await runCli(['prune', '--dir', missing]);
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`agent-otel: no telemetry directory at ${missing} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n`);
    const empty = await runCli(['prune', '--dir', tmpDir()]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('deleted 0 files (0 B); 0 B kept\n');
  });
});
