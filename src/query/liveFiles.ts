import path from 'node:path';
import type { FilePart } from './files.js';

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
 * The files a running process may still append to: the newest JSONL file, per signal, of every writer
 * whose pid is alive. Its older files were rotated away from and are closed.
 */
export function openFiles(files: FilePart[]): Set<string> {
  // Newest by the opening time in the name, then by sequence (a pid can be reused days later).
  const order = (file: string, seq: number) => `${path.basename(file).slice(0, 18)}${String(seq).padStart(12, '0')}`;
  const newest = new Map<string, { file: string; order: string }>();
  for (const f of files) {
    const id = f.kind === 'jsonl' ? parseFileName(f.file) : undefined;
    if (!id) continue;
    const key = `${f.signal}/${id.pid}`;
    const o = order(f.file, id.seq);
    if ((newest.get(key)?.order ?? '') < o) newest.set(key, { file: f.file, order: o });
  }
  const open = new Set<string>();
  const alive = new Map<number, boolean>();
  for (const [key, { file }] of newest) {
    const pid = Number(key.split('/')[1]);
    if (!alive.has(pid)) alive.set(pid, isAlive(pid));
    if (alive.get(pid)) open.add(file);
  }
  return open;
}
