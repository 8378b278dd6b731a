// Faults of the disk under a running agent: a file size limit, its directory removed, write permission
// lost. Each time: the agent's own work and exit code are unaffected, every span is on disk or counted
// as dropped, and writing resumes once the fault is gone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../support/harness.js';
import { expectAccounted, expectAgentUnaffected, runAgent, spansByPhase } from './support.js';

const canChattr = (() => {
  try {
    const d = tmpDir();
    execFileSync('chattr', ['+i', d], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', d], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch { return false; }
})();
const hasPrlimit = (() => { try { execFileSync('prlimit', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe('faults of the disk', () => {
  it.skipIf(!hasPrlimit)('file size limit (RLIMIT_FSIZE): writes that do not fit are counted, the writer moves on to new files', async () => {
    const dir = tmpDir();
    const limit = 64 * 1024;
    const { r, end } = await runAgent(dir, { maxFileSize: '10MB' }, 1, 1500, undefined, ['prlimit', `--fsize=${limit}`]);
    expectAgentUnaffected(end, 1, 1500);
    const { total, stats } = await spansByPhase(dir);
    expectAccounted(total, end);
    expect(end.health.dropped.byReason['spans.export_failed'] ?? 0, r.stderr).toBeGreaterThan(0);
    const files = fs.readdirSync(path.join(dir, 'spans'));
    for (const f of files) expect(fs.statSync(path.join(dir, 'spans', f)).size).toBeLessThanOrEqual(limit);
    // past the first file's limit, spans keep reaching disk in new files (a batch larger than the limit is cut, and counted)
    expect(files.length).toBeGreaterThan(1);
    expect(total).toBeGreaterThan(limit / 1000);
    expect(stats.badLines).toEqual([]); // a cut write ends its file: a torn last line at most, skipped and counted
    expect(r.stderr).toMatch(/dropping spans \(export_failed\)/);
  });

  it('directory removed mid-run: the next writes go to a new file in a new directory', async () => {
    const dir = tmpDir();
    const { end } = await runAgent(dir, {}, 3, 100, (phase) => {
      if (phase === 1) fs.rmSync(dir, { recursive: true, force: true });
    });
    expectAgentUnaffected(end, 3, 100);
    const { byPhase } = await spansByPhase(dir);
    expect(byPhase['0']).toBeUndefined(); // removed with the directory, by the user
    expect(byPhase['1'] ?? 0, 'written after the removal').toBe(100);
    expect(byPhase['2'] ?? 0).toBe(100);
    expect(end.health.dropped.spans).toBe(0);
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
  });

  it.skipIf(!canChattr)('write permission lost mid-run (chattr +i on the files and folders), then given back', async () => {
    const dir = tmpDir();
    const targets = () => ['spans', 'metrics'].flatMap((sub) => {
      const d = path.join(dir, sub);
      return fs.existsSync(d) ? [d, ...fs.readdirSync(d).map((f) => path.join(d, f))] : [];
    });
    let locked: string[] = [];
    try {
      const { r, end } = await runAgent(dir, { maxFileSize: '64KB' }, 3, 100, (phase): void | Promise<void> => {
        if (phase === 1) { locked = targets(); execFileSync('chattr', ['+i', ...locked]); }
        if (phase === 2) {
          execFileSync('chattr', ['-i', ...locked]);
          locked = [];
          return new Promise((resolve) => setTimeout(resolve, 1100)); // a failing directory is retried once a second
        }
      });
      expectAgentUnaffected(end, 3, 100);
      const { byPhase, total } = await spansByPhase(dir);
      expectAccounted(total, end);
      expect(byPhase['0']).toBe(100);
      expect(byPhase['1'] ?? 0, 'written while the files could not be').toBeLessThan(100);
      expect(end.health.dropped.byReason['spans.export_failed'], r.stderr).toBe(100 - (byPhase['1'] ?? 0));
      expect(byPhase['2'], 'written again once permission is back').toBe(100);
    } finally {
      if (locked.length) execFileSync('chattr', ['-i', ...locked]);
    }
  });
});
