// The audit trail's guarantees (issue 10, finding 7): redacted entries, one file per log, cut-off and
// deleted files detected across files, no sequence number reused after a failed sync, the directory
// synced, and an HMAC chain with AGENT_OTEL_AUDIT_KEY. README "Security model" states the same.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { registerTelemetry } from '../dist/src/index.js';
import { AuditLog, entryHash } from '../dist/src/governance/audit.js';
import { verifyAudit } from '../dist/src/governance/auditVerify.js';
import { Redactor } from '../dist/src/governance/redaction.js';
import { filesContaining } from './support/store.js';
import { ROOT, tmpDir } from './support/harness.js';

const KEY = 'sk-proj-Zq8vW3nT5yR1uI7oP0aS4dF6gH';
const EMAIL = 'jane.doe@example.com';
const auditFiles = (dir: string) => fs.readdirSync(path.join(dir, 'audit')).sort().map((n) => path.join(dir, 'audit', n));
const lines = (f: string) => fs.readFileSync(f, 'utf8').trimEnd().split('\n');
const write = (f: string, l: string[]) => fs.writeFileSync(f, l.length ? l.join('\n') + '\n' : '');
const rel = (dir: string, f: string) => path.relative(dir, f);

/** A closed log of n entries (opened after whatever the directory already holds). */
function log(dir: string, n: number, opts: ConstructorParameters<typeof AuditLog>[1] = {}): string {
  const l = new AuditLog(dir, opts);
  for (let i = 1; i <= n; i++) l.record({ action: 'tool.approve', actor: 'supervisor', resource: `call_${i}`, result: 'allowed' });
  l.close();
  return l.file;
}

const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
/** A closed log of n entries written by another process (that has ended). */
function childLog(dir: string, n: number): string {
  const src = `import { AuditLog } from ${JSON.stringify(path.join(ROOT, 'dist/src/governance/audit.js'))};
    const l = new AuditLog(${JSON.stringify(dir)});
    for (let i = 1; i <= ${n}; i++) l.record({ action: 'a', actor: 'child' });
    process.stdout.write(l.file);`; // closed by the exit hook
  return execFileSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8' });
}

const realFs = { fdatasyncSync: fs.fdatasyncSync, fsyncSync: fs.fsyncSync, openSync: fs.openSync };
afterEach(() => Object.assign(fs, realFs));

describe('audit entries are redacted', () => {
  it('secrets in details (nested, in keys too) and in the free-text fields never reach the file', () => {
    const dir = tmpDir();
    const l = new AuditLog(dir);
    const entry = l.record({
      action: 'file.write', actor: `agent ${EMAIL}`, resource: `/tmp/${KEY}`, result: 'ok',
      details: { apiKey: KEY, nested: { to: [EMAIL, 'x'], n: 3n, when: new Date(0) }, [`k ${EMAIL}`]: 1 },
    });
    l.close();
    expect(filesContaining(dir, KEY)).toEqual([]);
    expect(filesContaining(dir, EMAIL)).toEqual([]);
    expect(entry.actor).toBe('agent [REDACTED:email]');
    expect(entry.details).toEqual({
      apiKey: '[REDACTED:api_key]', nested: { to: ['[REDACTED:email]', 'x'], n: '3', when: '1970-01-01T00:00:00.000Z' }, 'k [REDACTED:email]': 1,
    });
    expect(verifyAudit(dir).problems).toEqual([]);
  });

  it('user rules apply (key rules match the dotted path in details)', () => {
    const dir = tmpDir();
    const l = new AuditLog(dir, { redactor: new Redactor({ rules: [{ key: 'user.ssn', name: 'ssn' }] }) });
    const e = l.record({ action: 'a', actor: 'b', details: { user: { ssn: '078-05-1120' }, token: `Bearer ${KEY}` } });
    expect(e.details).toEqual({ user: { ssn: '[REDACTED:ssn]' }, token: '[REDACTED:bearer_token]' });
  });
});

describe('one file per log, linked', () => {
  it('register → shutdown → register in the same second: two files, both verify', async () => {
    const dir = tmpDir();
    for (let i = 0; i < 2; i++) {
      const h = registerTelemetry({ dir, jsonl: false, duckdb: false, logLevel: 'none' });
      h.audit.record({ action: 'a', actor: 'b' });
      h.audit.record({ action: 'c', actor: 'd' });
      await h.shutdown();
    }
    const files = auditFiles(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(path.basename(f)).toMatch(new RegExp(`^\\d{8}T\\d{9}Z-${process.pid}-[0-9a-f]{8}\\.jsonl$`));
    expect(verifyAudit(dir)).toMatchObject({ files: 2, entries: 4, problems: [], notes: [] });
    // the second file's header names the first and its last line
    const [first, second] = files.map((f) => lines(f).map((l) => JSON.parse(l)));
    expect(second![0]).toMatchObject({ seq: 0, type: 'open', prev_file: path.basename(files[0]!), prev_seq: first!.at(-1).seq, prev_hash: first!.at(-1).hash });
  });

  it('removing the last entries of a file is detected once a later file has opened', () => {
    const dir = tmpDir();
    const a = log(dir, 5);
    const b = log(dir, 1);
    write(a, lines(a).slice(0, 4)); // header + 3 entries: entries 4, 5 and the close record gone
    expect(verifyAudit(dir).problems).toEqual([{
      file: rel(dir, a), line: 5,
      problem: `cut short: ${path.basename(b)} recorded seq 6 as this file's last line when it opened; the file now ends at line 4`,
    }]);
  });

  it('a deleted file is detected (the next file names it)', () => {
    const dir = tmpDir();
    log(dir, 2);
    const b = log(dir, 2);
    const c = log(dir, 2);
    fs.unlinkSync(b);
    expect(verifyAudit(dir).problems).toEqual([{ file: rel(dir, c), line: 1, problem: `the audit file before it, ${path.basename(b)}, is missing (deleted or renamed)` }]);
  });

  it('the limit: the newest file (named by no later file) can be deleted, or its end cut, unseen but for a note', () => {
    const dir = tmpDir();
    log(dir, 2);
    const newest = childLog(dir, 3);
    const l = lines(newest);
    expect(JSON.parse(l.at(-1)!)).toMatchObject({ type: 'close', entries: 3 }); // closed at exit
    write(newest, l.slice(0, -2)); // the last entry and the close record
    const r = verifyAudit(dir);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([{ file: rel(dir, newest), line: 3, problem: 'not closed: its process ended without closing it (killed), or its last lines were removed' }]);
    fs.unlinkSync(newest);
    expect(verifyAudit(dir)).toMatchObject({ files: 1, problems: [], notes: [] });
  });
});

describe('durability', () => {
  it('a failed fdatasync never reuses a sequence number: the entry is undone and the gap recorded', () => {
    const dir = tmpDir();
    const l = new AuditLog(dir);
    l.record({ action: 'one', actor: 'x' });
    fs.fdatasyncSync = () => { fs.fdatasyncSync = realFs.fdatasyncSync; throw eio(); }; // fails once
    expect(() => l.record({ action: 'two', actor: 'x' })).toThrow(/audit entry seq 2 not recorded.*EIO/);
    const three = l.record({ action: 'three', actor: 'x' });
    l.close();
    expect(three).toMatchObject({ seq: 3, gap: { entries: 1, reason: 'EIO' } });
    const entries = lines(l.file).map((x) => JSON.parse(x));
    expect(entries.map((e) => [e.seq, e.action ?? e.type])).toEqual([[0, 'open'], [1, 'one'], [3, 'three'], [4, 'close']]);
    const r = verifyAudit(dir);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([{ file: rel(dir, l.file), line: 3, problem: 'seq 2 not recorded: the write failed and the caller got an error (EIO)' }]);
  });

  it('a file that cannot be put back after a failed sync: the log goes on in a new file whose header records the loss', () => {
    const dir = tmpDir();
    const l = new AuditLog(dir);
    l.record({ action: 'one', actor: 'x' });
    const first = l.file;
    fs.fdatasyncSync = () => { throw eio(); };
    expect(() => l.record({ action: 'two', actor: 'x' })).toThrow(/not recorded/);
    fs.fdatasyncSync = realFs.fdatasyncSync;
    expect(l.record({ action: 'three', actor: 'x' })).toMatchObject({ seq: 1 });
    l.close();
    expect(l.file).not.toBe(first);
    expect(lines(l.file).map((x) => JSON.parse(x))[0]).toMatchObject({ prev_file: path.basename(first), prev_seq: 1, gap: { entries: 1, reason: 'EIO' } });
    const r = verifyAudit(dir);
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([{ file: rel(dir, l.file), line: 1, problem: '1 entry of this log not recorded before this file (write failed: EIO)' }]);
  });

  it('creating the folder and a file fsyncs their directories', () => {
    const dir = tmpDir();
    const opened = new Map<number, string>();
    const synced: string[] = [];
    fs.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
      const fd = (realFs.openSync as (...a: unknown[]) => number)(p, ...rest);
      opened.set(fd, String(p));
      return fd;
    }) as typeof fs.openSync;
    fs.fsyncSync = (fd: number) => { synced.push(opened.get(fd) ?? '?'); realFs.fsyncSync(fd); };
    new AuditLog(dir).record({ action: 'a', actor: 'b' });
    Object.assign(fs, realFs);
    expect(synced).toEqual([dir, path.join(dir, 'audit')]);
  });
});

describe('HMAC chain with a key', () => {
  /** Edits entry 2 and recomputes every later hash and link with plain sha256, as an attacker without the key can. */
  function forge(file: string): void {
    const l = lines(file).map((x) => JSON.parse(x));
    l[2].result = 'denied';
    for (let i = 2; i < l.length; i++) {
      l[i].prev_hash = l[i - 1].hash;
      l[i].hash = entryHash(l[i]);
    }
    write(file, l.map((e) => JSON.stringify(e)));
  }

  it('without a key, an edit with recomputed hashes passes (the documented limit)', () => {
    const dir = tmpDir();
    forge(log(dir, 3));
    expect(verifyAudit(dir).problems).toEqual([]);
  });

  it('with the key, the same edit is found; without it the check says what it could not do; another key is named', () => {
    const dir = tmpDir();
    const file = log(dir, 3, { key: 'k-123' });
    expect(lines(file).map((x) => JSON.parse(x))[0]).toMatchObject({ alg: 'hmac-sha256', key_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(fs.readFileSync(file, 'utf8')).not.toContain('k-123');
    expect(verifyAudit(dir, { key: 'k-123' })).toMatchObject({ entries: 3, problems: [], notes: [] });
    forge(file);
    const problems = verifyAudit(dir, { key: 'k-123' }).problems;
    expect(problems.map((p) => [p.line, p.problem])).toEqual([
      [3, 'seq 2 was edited: its hash does not match its content'],
      [4, 'seq 3 was edited: its hash does not match its content'],
      [5, 'seq 4 was edited: its hash does not match its content'],
    ]);
    const without = verifyAudit(dir);
    expect(without.problems).toEqual([]);
    expect(without.notes[0]!.problem).toMatch(/hashes not checked without the key/);
    expect(verifyAudit(dir, { key: 'other' }).problems).toEqual([{ file: rel(dir, file), line: 1, problem: 'written with another key: its hashes cannot be checked with this one' }]);
  });

  it('with a key, a file rewritten without one is named', () => {
    const dir = tmpDir();
    log(dir, 2);
    expect(verifyAudit(dir, { key: 'k' }).problems.map((p) => p.problem)).toEqual(['not protected by the key: written without it, or rewritten']);
  });

  it('AGENT_OTEL_AUDIT_KEY keys the log and `agent-otel audit verify` checks with it, naming file:line', () => {
    const dir = tmpDir();
    process.env.AGENT_OTEL_AUDIT_KEY = 'env-key';
    let file: string;
    try {
      file = log(dir, 3);
    } finally {
      delete process.env.AGENT_OTEL_AUDIT_KEY;
    }
    const cli = (env: Record<string, string>) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, [path.join(ROOT, 'dist/src/cli/bin.js'), 'audit', 'verify', '--dir', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } }) };
      } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        return { code: err.status, out: err.stdout + err.stderr };
      }
    };
    expect(cli({ AGENT_OTEL_AUDIT_KEY: 'env-key' })).toMatchObject({ code: 0, out: expect.stringContaining('3 audit entries in 1 file(s), chains intact (HMAC checked with the key)') });
    forge(file);
    const r = cli({ AGENT_OTEL_AUDIT_KEY: 'env-key' });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${rel(dir, file)}:3: seq 2 was edited`);
  });
});
