import fs from 'node:fs';
import path from 'node:path';

/** The writer's pid and file sequence from `<date>T<time>Z-<pid>-<seq>.jsonl` (AppendFile's naming). */
export function parseFileName(file: string): { pid: number; seq: number } | undefined {
  const m = /-(\d+)-(\d+)\.(?:jsonl|parquet)$/.exec(path.basename(file));
  return m ? { pid: Number(m[1]), seq: Number(m[2]) } : undefined;
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The files `pid` holds open, from /proc/<pid>/fd (Linux); an empty set for a process that does not
 * exist; undefined where this cannot be known (no /proc, or not allowed to look).
 */
function openByPid(pid: number): Set<string> | undefined {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && fs.existsSync('/proc/self/fd') ? new Set() : undefined;
  }
  const open = new Set<string>();
  for (const fd of fds) {
    try { open.add(fs.readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { /* closed meanwhile */ }
  }
  return open;
}

/**
 * The files among `files` that a running process may still append to. Where the OS says which files a
 * process holds open (Linux /proc), exactly those; elsewhere, the newest file per signal directory of
 * every writer whose pid is alive (its older files were rotated away from and are closed). Files whose
 * name has no pid are not judged here (callers keep recently written files anyway).
 */
export function liveFiles(files: Iterable<string>): Set<string> {
  const byPid = new Map<number, string[]>();
  for (const file of files) {
    const id = parseFileName(file);
    if (!id || !file.endsWith('.jsonl')) continue;
    byPid.set(id.pid, [...(byPid.get(id.pid) ?? []), file]);
  }
  const live = new Set<string>();
  for (const [pid, mine] of byPid) {
    const open = openByPid(pid);
    if (open) {
      for (const f of mine) {
        let real = f;
        try { real = fs.realpathSync(f); } catch { /* deleted meanwhile */ }
        if (open.has(real) || open.has(f)) live.add(f);
      }
      continue;
    }
    if (!isAlive(pid)) continue;
    // Newest by the opening time in the name, then by sequence, per directory (signal).
    const newest = new Map<string, { file: string; order: string }>();
    for (const f of mine) {
      const order = `${path.basename(f).slice(0, 18)}${String(parseFileName(f)!.seq).padStart(12, '0')}`;
      const dir = path.dirname(f);
      if ((newest.get(dir)?.order ?? '') < order) newest.set(dir, { file: f, order });
    }
    for (const { file } of newest.values()) live.add(file);
  }
  return live;
}
