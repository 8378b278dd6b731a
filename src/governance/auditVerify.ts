import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entryHash, keyId, type AuditGap, type AuditHeader } from './audit.js';

/** `line` is 1-based; a problem is tampering or damage, a note is worth knowing but not a failure. */
export interface AuditProblem { file: string; line: number; problem: string }
export interface AuditReport { files: number; entries: number; problems: AuditProblem[]; notes: AuditProblem[] }

interface Line { seq?: unknown; type?: unknown; hash?: unknown; prev_hash?: unknown; gap?: AuditGap; entries?: unknown }
interface Parsed { name: string; header?: AuditHeader; lines: Array<Line | undefined>; closed: boolean }

/**
 * Checks every audit file and the links between them: each line parses, its hash (HMAC with the key)
 * matches its content, its prev_hash is the hash of the line before and its seq follows (gaps only where
 * a line records them); line 1 is a header naming this file, and the file it names as previous exists and
 * still holds, unchanged, the line the header recorded as its last. Files not closed by their process
 * are notes (killed, or their end removed). Names file and line.
 */
export function verifyAudit(dir: string, opts: { key?: string | Buffer } = {}): AuditReport {
  const auditDir = path.join(dir, 'audit');
  const report: AuditReport = { files: 0, entries: 0, problems: [], notes: [] };
  if (!fs.existsSync(auditDir)) return report;
  const rel = (name: string) => path.relative(dir, path.join(auditDir, name));
  const files = new Map<string, Parsed>();
  for (const name of fs.readdirSync(auditDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    report.files++;
    files.set(name, verifyFile(name, fs.readFileSync(path.join(auditDir, name), 'utf8'), opts.key, report, rel));
  }
  for (const f of files.values()) {
    const h = f.header;
    if (!h?.prev_file) continue;
    const at = (problem: string) => report.problems.push({ file: rel(f.name), line: 1, problem });
    const prev = files.get(h.prev_file);
    if (!prev) {
      at(`the audit file before it, ${h.prev_file}, is missing (deleted or renamed)`);
      continue;
    }
    if (typeof h.prev_seq !== 'number') continue; // it was unreadable when this file opened
    const line = prev.lines.findIndex((l) => l?.seq === h.prev_seq);
    if (line < 0) {
      const last = prev.lines.length;
      report.problems.push({
        file: rel(prev.name), line: last + 1,
        problem: `cut short: ${f.name} recorded seq ${h.prev_seq} as this file's last line when it opened; the file now ends at line ${last}`,
      });
    } else if (prev.lines[line]!.hash !== h.prev_hash) {
      report.problems.push({ file: rel(prev.name), line: line + 1, problem: `seq ${h.prev_seq} differs from the hash ${f.name} recorded for it when it opened` });
    }
  }
  for (const f of files.values()) {
    if (f.closed || !f.header || f.lines.length === 0) continue;
    if (f.header.host === os.hostname() && alive(f.header.pid)) continue;
    report.notes.push({
      file: rel(f.name), line: f.lines.length,
      problem: 'not closed: its process ended without closing it (killed), or its last lines were removed',
    });
  }
  return report;
}

function verifyFile(name: string, text: string, key: string | Buffer | undefined, report: AuditReport, rel: (n: string) => string): Parsed {
  const texts = text.split('\n');
  if (texts.at(-1) === '') texts.pop();
  const parsed: Parsed = { name, lines: [], closed: false };
  const bad = (line: number, problem: string) => report.problems.push({ file: rel(name), line, problem });
  const note = (line: number, problem: string) => report.notes.push({ file: rel(name), line, problem });
  let prevHash: unknown;
  let prevSeq = -1;
  let checkHashes = true;
  let entries = 0;
  texts.forEach((t, i) => {
    const line = i + 1;
    let e: Line;
    try {
      e = JSON.parse(t) as Line;
      if (!e || typeof e !== 'object' || typeof e.seq !== 'number' || typeof e.hash !== 'string') throw new Error('shape');
    } catch {
      parsed.lines.push(undefined);
      bad(line, 'not a JSON entry (corrupted or cut short)');
      return;
    }
    parsed.lines.push(e);
    const seq = e.seq as number;
    if (i === 0) {
      if (e.type !== 'open' || seq !== 0) {
        bad(1, 'no header line: the beginning of the file was removed');
      } else {
        const h = e as unknown as AuditHeader;
        parsed.header = h;
        if (h.file !== name) bad(1, `the header names ${JSON.stringify(h.file)}: the file was renamed or copied`);
        if (h.alg === 'hmac-sha256') {
          if (key === undefined) {
            checkHashes = false;
            note(1, 'keyed (HMAC): hashes not checked without the key (AGENT_OTEL_AUDIT_KEY or --key-file)');
          } else if (h.key_id !== keyId(key)) {
            checkHashes = false;
            bad(1, 'written with another key: its hashes cannot be checked with this one');
          }
        } else if (key !== undefined) {
          bad(1, 'not protected by the key: written without it, or rewritten');
        }
        if (h.gap) note(1, `${h.gap.entries} entr${h.gap.entries === 1 ? 'y' : 'ies'} of this log not recorded before this file (write failed: ${h.gap.reason})`);
      }
    } else if (e.type === 'open') {
      bad(line, 'a header in the middle of the file (files were joined)');
    }
    if (parsed.closed) bad(line, 'a line after the close record (appended later)');
    if (e.type === 'close') {
      parsed.closed = true;
      if (e.entries !== entries) bad(line, `the close record counts ${String(e.entries)} entries; the file holds ${entries}`);
    } else if (e.type !== 'open') {
      entries++;
      report.entries++;
    }
    const hashKey = parsed.header?.alg === 'hmac-sha256' ? key : undefined;
    if (checkHashes && entryHash(e as Record<string, unknown>, hashKey) !== e.hash) bad(line, `seq ${seq} was edited: its hash does not match its content`);
    const skipped = e.gap && typeof e.gap.entries === 'number' && i > 0 ? e.gap.entries : 0;
    if (i > 0) {
      const expected = prevSeq + 1 + skipped;
      if (e.prev_hash !== prevHash) {
        bad(line, seq === expected
          ? `seq ${seq} does not follow the line before it (chain broken)`
          : `seq ${seq} follows seq ${prevSeq}: ${seq > expected ? `${seq - expected} entr${seq - expected === 1 ? 'y' : 'ies'} removed` : 'entries reordered'}`);
      } else if (seq !== expected) {
        bad(line, `seq ${seq} is out of sequence (expected ${expected})`);
      }
      if (skipped) note(line, `seq ${prevSeq + 1}${skipped > 1 ? `–${prevSeq + skipped}` : ''} not recorded: the write failed and the caller got an error (${e.gap!.reason})`);
    }
    prevHash = e.hash;
    prevSeq = seq;
  });
  return parsed;
}

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
