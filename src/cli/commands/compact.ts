import type { CAC } from 'cac';
import { parseDuration } from '../../parse/duration.js';
import { compact } from '../../query/compact.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { fmtBytes } from '../../parse/size.js';
import { fmtCount, plural, Progress } from '../progress.js';

interface CompactOptions extends CommonOptions { olderThan: string; dryRun?: boolean }

export function register(cli: CAC): void {
  cli.command('compact', 'Rewrite closed JSONL files as Parquet (zstd): same rows, a fraction of the size')
    .option('--older-than <duration>', 'Only files last written longer ago than this (e.g. 12h, 7d)', { default: '1d' })
    .option('--dry-run', 'List what would be compacted; change nothing')
    .example('agent-otel compact --older-than 7d --dry-run')
    .action(async (o: CompactOptions) => {
      const dir = existingDir(o);
      const olderThanMs = parseDuration(String(o.olderThan), '--older-than');
      const progress = new Progress();
      const r = await compact(dir, {
        olderThanMs, dryRun: o.dryRun,
        onProgress: (p) => progress.update(`compact: ${p.done}/${p.total} files, ${fmtCount(p.rows)} rows`),
      }).finally(() => progress.done());
      for (const note of r.notes) process.stderr.write(`agent-otel: ${note}\n`);
      const verb = o.dryRun ? 'would compact' : 'compacted';
      for (const f of r.files) {
        process.stdout.write(`${verb} ${f.rel} → ${f.parquet}: ${plural(f.rows, 'row')}, ${fmtBytes(f.bytesBefore)}` +
          `${o.dryRun ? '' : ` → ${fmtBytes(f.bytesAfter)}`}\n`);
      }
      for (const s of r.skipped) process.stderr.write(`agent-otel: not compacted: ${s.rel}: ${s.reason}\n`);
      const rows = r.files.reduce((s, f) => s + f.rows, 0);
      const before = r.files.reduce((s, f) => s + f.bytesBefore, 0);
      const after = r.files.reduce((s, f) => s + f.bytesAfter, 0);
      process.stdout.write(`${verb} ${plural(r.files.length, 'file')}, ${plural(rows, 'row')}: ` +
        (o.dryRun ? `${fmtBytes(before)} of JSONL (dry run: nothing changed)\n`
          : `${fmtBytes(before)} JSONL → ${fmtBytes(after)} Parquet\n`));
      if (r.skipped.length) process.exitCode = 1;
    });
}
