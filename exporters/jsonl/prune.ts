import fs from 'node:fs/promises';
import path from 'node:path';
import { DIR_METRICS, DIR_RUNS, DIR_SPANS } from '../../semconv/schema.js';
import { DIR_LOGS } from '../../semconv/logs.js';
import { liveFiles } from './liveFiles.js';

export interface RetentionOptions {
  /** Delete files last written more than this long ago. */
  maxAgeMs: number;
  /** Keep the signal directories under this many bytes, deleting the oldest files first. */
  maxTotalBytes: number;
}

/** Signal directories that retention applies to (the audit trail is never pruned). */
export const PRUNED_DIRS = [DIR_SPANS, DIR_METRICS, DIR_LOGS, DIR_RUNS];
/** Files written within this window may belong to a live writer in another process: never deleted. */
const LIVE_WINDOW_MS = 60_000;

export interface PruneResult {
  deleted: Array<{ file: string; bytes: number; reason: 'age' | 'size' }>;
  keptBytes: number;
  /** Still over the size limit: every file left is one a live process writes (or was written in the last minute). */
  overLimit: boolean;
}

/**
 * Retention by age and total size over `<root>/{spans,metrics,logs,runs}`: closed files only, oldest first —
 * never a file in `keep`, one a running process still writes (see liveFiles), or one written in the
 * last minute. `dryRun` reports what would go.
 */
export async function pruneFiles(root: string, opts: RetentionOptions, keep = new Set<string>(), dryRun = false,
  now = Date.now()): Promise<PruneResult> {
  const files: Array<{ file: string; bytes: number; mtime: number }> = [];
  for (const sub of PRUNED_DIRS) {
    const dir = path.join(root, sub);
    let names: string[];
    try { names = await fs.readdir(dir); } catch { continue; }
    for (const name of names) {
      if (!name.endsWith('.jsonl') && !name.endsWith('.parquet')) continue;
      const file = path.join(dir, name);
      try {
        const st = await fs.stat(file);
        files.push({ file, bytes: st.size, mtime: st.mtimeMs });
      } catch { /* deleted meanwhile */ }
    }
  }
  files.sort((a, b) => a.mtime - b.mtime);
  const live = liveFiles(files.map((f) => f.file));
  let total = files.reduce((s, f) => s + f.bytes, 0);
  const deleted: PruneResult['deleted'] = [];
  for (const f of files) {
    if (keep.has(f.file) || live.has(f.file) || now - f.mtime < LIVE_WINDOW_MS) continue;
    const reason = now - f.mtime > opts.maxAgeMs ? 'age' : total > opts.maxTotalBytes ? 'size' : undefined;
    if (!reason) continue;
    if (!dryRun) {
      try { await fs.unlink(f.file); } catch { continue; }
    }
    total -= f.bytes;
    deleted.push({ file: f.file, bytes: f.bytes, reason });
  }
  return { deleted, keptBytes: total, overLimit: total > opts.maxTotalBytes };
}
