import path from 'node:path';
import type { CAC } from 'cac';
import { pruneFiles } from '../../../exporters/jsonl/prune.js';
import { parseDuration } from '../../parse/duration.js';
import { parseSize } from '../../parse/size.js';
import { retentionFromEnv } from '../../storageConfig.js';
import { DatabaseUnavailable } from '../../query/database.js';
import { listFiles } from '../../query/files.js';
import { openFiles } from '../../query/liveFiles.js';
import { pruneDatabase } from '../../query/retention.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { fmtBytes } from '../../parse/size.js';
import { plural } from '../progress.js';

interface PruneOptions extends CommonOptions { olderThan?: string | number; maxSize?: string | number; dryRun?: boolean }

/** --older-than and --max-size, else the agent's own limits (AGENT_OTEL_RETENTION_DAYS, AGENT_OTEL_MAX_TOTAL_SIZE), else 30 days and 1 GiB. */
function limits(o: PruneOptions): { maxAgeMs: number; maxTotalBytes: number } {
  const agent = retentionFromEnv();
  return {
    maxAgeMs: o.olderThan !== undefined ? parseDuration(String(o.olderThan), '--older-than') : agent.maxAgeMs,
    maxTotalBytes: o.maxSize !== undefined ? parseSize(o.maxSize, '--max-size') : agent.maxTotalBytes,
  };
}

export function register(cli: CAC): void {
  cli.command('prune', 'Delete old telemetry: files in spans/ and metrics/ by age and total size, and old rows of telemetry.duckdb')
    .option('--older-than <duration>', 'Delete what is older than this (default: AGENT_OTEL_RETENTION_DAYS days, else 30d)')
    .option('--max-size <size>', 'Then delete the oldest files while spans/ + metrics/ exceed this (default: AGENT_OTEL_MAX_TOTAL_SIZE, else 1GiB)')
    .option('--dry-run', 'List what would be deleted; delete nothing')
    .example('agent-otel prune --older-than 7d --max-size 500MiB --dry-run')
    .action(async (o: PruneOptions) => {
      const dir = existingDir(o);
      const opts = limits(o);
      const now = Date.now();
      const dryRun = !!o.dryRun;
      // A running process's current file is never deleted, however old: it would write on into nothing.
      const r = await pruneFiles(dir, opts, openFiles(listFiles(dir)), dryRun, now);
      const verb = dryRun ? 'would delete' : 'deleted';
      for (const d of r.deleted) {
        process.stdout.write(`${verb} ${path.relative(dir, d.file)}: ${fmtBytes(d.bytes)} (${d.reason === 'age' ? 'too old' : 'over the size limit'})\n`);
      }
      const bytes = r.deleted.reduce((s, d) => s + d.bytes, 0);
      process.stdout.write(`${verb} ${plural(r.deleted.length, 'file')} (${fmtBytes(bytes)}); ` +
        `${fmtBytes(r.keptBytes)} kept${dryRun ? ' (dry run: nothing changed)' : ''}\n`);
      if (r.overLimit) {
        process.stderr.write(`agent-otel: note: ${fmtBytes(r.keptBytes)} is over the size limit of ${fmtBytes(opts.maxTotalBytes)}, ` +
          'but the files left are being written by running agents (or were in the last minute): they are never deleted\n');
      }

      const cutoff = new Date(now - opts.maxAgeMs);
      const gone = new Set(r.deleted.map((d) => path.relative(dir, d.file)));
      try {
        const db = await pruneDatabase(dir, cutoff, gone, dryRun);
        if (db) {
          process.stdout.write(`telemetry.duckdb: ${verb} ${plural(db.spans, 'span')}, ${plural(db.metrics, 'metric point')} and ${plural(db.logs, 'log record')} ` +
            `older than ${cutoff.toISOString()}; ${dryRun ? 'would forget' : 'forgot'} ${plural(db.forgotten.length, 'deleted file')}\n`);
        }
      } catch (err) {
        if (!(err instanceof DatabaseUnavailable)) throw err;
        process.stderr.write(`agent-otel: note: ${err.message}; its rows were not pruned` +
          `${err.held ? ' (run prune again once it has exited)' : ''}\n`);
      }
    });
}
