import fs from 'node:fs';
import path from 'node:path';
import { GENESIS, entryHash, type AuditEntry } from './audit.js';

export interface AuditProblem { file: string; line: number; problem: string }
export interface AuditReport { files: number; entries: number; problems: AuditProblem[] }

/**
 * Checks every audit file: each line parses, its hash matches its content (an edit), its prev_hash is
 * the hash of the line before and its seq follows (a removed or reordered entry). Names file and line.
 */
export function verifyAudit(dir: string): AuditReport {
  const auditDir = path.join(dir, 'audit');
  const report: AuditReport = { files: 0, entries: 0, problems: [] };
  if (!fs.existsSync(auditDir)) return report;
  for (const name of fs.readdirSync(auditDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = path.join(auditDir, name);
    report.files++;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    let prevHash = GENESIS;
    let prevSeq = 0;
    lines.forEach((text, i) => {
      const line = i + 1;
      const bad = (problem: string) => report.problems.push({ file: path.relative(dir, file), line, problem });
      let e: AuditEntry;
      try {
        e = JSON.parse(text) as AuditEntry;
      } catch {
        bad('not a JSON entry (corrupted or cut short)');
        return;
      }
      report.entries++;
      if (entryHash(e) !== e.hash) bad(`entry seq ${e.seq} was edited: its hash does not match its content`);
      if (e.prev_hash !== prevHash) {
        bad(e.seq === prevSeq + 1
          ? `entry seq ${e.seq} does not follow the entry before it (chain broken)`
          : `entry seq ${e.seq} follows seq ${prevSeq}: ${e.seq > prevSeq + 1 ? `${e.seq - prevSeq - 1} entr${e.seq - prevSeq - 1 === 1 ? 'y' : 'ies'} removed` : 'entries reordered'}`);
      } else if (e.seq !== prevSeq + 1) {
        bad(`entry seq ${e.seq} is out of sequence (expected ${prevSeq + 1})`);
      }
      prevHash = e.hash;
      prevSeq = e.seq;
    });
  }
  return report;
}
