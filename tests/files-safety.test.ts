// Issue 10, finding 9: files under the telemetry directory are created exclusively, never through a
// planted symlink, 0600 in 0700 folders (DuckDB's own files included); a loose directory is warned about.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerTelemetry, type TelemetryHandle } from '../dist/src/index.js';
import { readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => { await handle?.shutdown(); handle = undefined; });

const pad2 = (n: number) => String(n).padStart(2, '0');
const stamp = (d: Date) => `${d.toISOString().slice(0, 10)}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;

/** Every path under `dir` with its permission bits (lstat: links are not followed). */
/** [path, mode, is a folder] of everything under `dir`; a file gone between listing and stat (a WAL checkpointed meanwhile) is left out. */
function modes(dir: string): Array<[string, string, boolean]> {
  const out: Array<[string, string, boolean]> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      let mode: number;
      try { mode = fs.lstatSync(p).mode; } catch { continue; }
      out.push([path.relative(dir, p), (mode & 0o777).toString(8), e.isDirectory()]);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe('predictable names', () => {
  it('a symlink planted where the next file will be is never written through', async () => {
    const dir = tmpDir();
    const victim = path.join(tmpDir(), 'victim.txt');
    fs.writeFileSync(victim, '');
    // Every name this process could give its first files over the next seconds, for both signals,
    // and DuckDB's staging file: links to a file outside the directory.
    for (const sub of ['spans', 'metrics', '.staging']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
    for (let s = 0; s < 15; s++) {
      const name = `${stamp(new Date(Date.now() + s * 1000))}-${process.pid}-001.jsonl`;
      for (const sub of ['spans', 'metrics']) fs.symlinkSync(victim, path.join(dir, sub, name));
    }
    fs.symlinkSync(victim, path.join(dir, '.staging', `${process.pid}-spans.jsonl`));

    handle = registerTelemetry({ dir, duckdb: 'live', logLevel: 'none' }); // the agent writes the database too
    handle.tracer.startSpan('planted?').end();
    handle.meter.createCounter('test.planted').add(1);
    await handle.forceFlush();
    expect(fs.readFileSync(victim, 'utf8')).toBe('');
    expect((await readSpans(dir)).map((s) => s.name)).toContain('planted?');
    expect(handle.health().dropped.spans).toBe(0);
    // written to a file of its own, next to the links
    const own = fs.readdirSync(path.join(dir, 'spans')).filter((n) => !fs.lstatSync(path.join(dir, 'spans', n)).isSymbolicLink());
    expect(own).toHaveLength(1);
    // the live database load (once a second) went through its own staging file, not the link
    await waitFor(() => (handle!.health().duckdb?.loaded.spans ?? 0) > 0, 10_000, 'the live database load');
    await handle.shutdown();
    expect(fs.readFileSync(victim, 'utf8')).toBe('');
  });
});

describe('modes', () => {
  it('every file under the directory is 0600 and every folder 0700, DuckDB\'s file and WAL included, whatever the umask', async () => {
    const old = process.umask(0o022);
    try {
      const dir = path.join(tmpDir(), 'telemetry');
      handle = registerTelemetry({ dir, duckdb: 'live', logLevel: 'none' });
      for (let i = 0; i < 50; i++) handle.tracer.startSpan(`s${i}`).end();
      handle.meter.createCounter('test.modes').add(1);
      await handle.forceFlush();
      await waitFor(() => (handle!.health().duckdb?.loaded.spans ?? 0) > 0, 10_000, 'the live database load');
      const live = modes(dir);
      expect(live.map(([p]) => p)).toContain('telemetry.duckdb'); // made by the agent's live load
      for (const [p, m, isDir] of live) expect([p, m]).toEqual([p, isDir ? '700' : '600']);
      expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
      await handle.shutdown();
      for (const [p, m, isDir] of modes(dir)) expect([p, m]).toEqual([p, isDir ? '700' : '600']);
    } finally {
      process.umask(old);
    }
  });

  it('a pre-existing directory writable by group or others is warned about once, and left as it is', async () => {
    const dir = tmpDir();
    fs.chmodSync(dir, 0o777);
    const r = await runFixture('faults-exit.mjs', {}, [dir, 'natural', JSON.stringify({ duckdb: false })]);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => /writable by group and others/.test(l));
    expect(warnings, r.stderr).toHaveLength(1);
    expect(warnings[0]).toContain(dir);
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('777');
    expect((await readSpans(dir)).length).toBeGreaterThan(0); // still written
  });
});
