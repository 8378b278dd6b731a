import fs from 'node:fs/promises';
import path from 'node:path';
import { DIR_METRICS, DIR_RESOURCES, DIR_RUNS, DIR_SPANS } from '../../semconv/schema.js';
import { DIR_LOGS } from '../../semconv/logs.js';
import { liveFiles, parseFileName } from './liveFiles.js';

export interface RetentionOptions {
  /** Delete files last written more than this long ago. */
  maxAgeMs: number;
  /** Keep the signal directories under this many bytes, deleting the oldest files first. */
  maxTotalBytes: number;
}

/** Signal directories that retention applies to (the audit trail is never pruned). */
export const PRUNED_DIRS = [DIR_SPANS, DIR_METRICS, DIR_LOGS, DIR_RUNS, DIR_RESOURCES];
/** Files written within this window may belong to a live writer in another process: never deleted. */
const LIVE_WINDOW_MS = 60_000;

export interface PruneResult {
  deleted: Array<{ file: string; bytes: number; reason: 'age' | 'size' }>;
  keptBytes: number;
  /** Still over the size limit: every file left is one a live process writes (or was written in the last minute). */
  overLimit: boolean;
}

/**
 * Retention by age and total size over `<root>/{spans,metrics,logs,runs,resources}`: closed files only,
 * oldest first — never a file in `keep`, one a running process still writes (see liveFiles), or one
 * written in the last minute. A resources file goes only once no data file of its writer (the pid in the
 * names) is left: rows name their resource in it. `dryRun` reports what would go.
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
  const isResources = (f: { file: string }) => path.basename(path.dirname(f.file)) === DIR_RESOURCES;
  const gone = new Set<string>();
  // Data files first, then the resources files no data file left still needs.
  const order = [...files.filter((f) => !isResources(f)), ...files.filter(isResources)];
  let neededPids: Set<number | undefined> | undefined;
  for (const f of order) {
    if (keep.has(f.file) || live.has(f.file) || now - f.mtime < LIVE_WINDOW_MS) continue;
    if (isResources(f)) {
      neededPids ??= new Set(files.filter((d) => !isResources(d) && !gone.has(d.file)).map((d) => parseFileName(d.file)?.pid));
      const pid = parseFileName(f.file)?.pid;
      if (pid === undefined || neededPids.has(pid)) continue;
    }
    const reason = now - f.mtime > opts.maxAgeMs ? 'age' : total > opts.maxTotalBytes ? 'size' : undefined;
    if (!reason) continue;
    if (!dryRun) {
      try { await fs.unlink(f.file); } catch { continue; }
    }
    total -= f.bytes;
    gone.add(f.file);
    deleted.push({ file: f.file, bytes: f.bytes, reason });
  }
  return { deleted, keptBytes: total, overLimit: total > opts.maxTotalBytes };
}
