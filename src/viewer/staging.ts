import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../query/liveFiles.js';

/**
 * The viewer's scratch directory in the temp dir (its database file, staged lines), named for its pid
 * so a later viewer can remove the ones a killed viewer left behind.
 */
const WORK_PREFIX = 'agent-otel-viewer-';

/** Scratch directories of viewers that were killed (their pid is gone): they can be large. */
export function removeStaleWorkDirs(): void {
  let names: string[];
  try { names = fs.readdirSync(os.tmpdir()); } catch { return; }
  for (const name of names) {
    const m = new RegExp(`^${WORK_PREFIX}(\\d+)-`).exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    try {
      const dir = path.join(os.tmpdir(), name);
      if (fs.statSync(dir).uid === process.getuid?.()) fs.rmSync(dir, { recursive: true, force: true });
    } catch { /* not ours, or gone */ }
  }
}

/** A fresh scratch directory for this viewer. */
export function makeWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${WORK_PREFIX}${process.pid}-`));
}

/** New lines of growing files, written to files of their own so DuckDB can read them as JSON. */
export class Staging {
  private readonly dir: string;

  constructor(work: string) {
    this.dir = path.join(work, 'staging');
    fs.mkdirSync(this.dir, { mode: 0o700 });
  }

  /** Writes each buffer to its own staging file; the map is staging path → src id. */
  stage(items: Array<{ lf: { id: number }; buf: Buffer }>): Map<string, number> {
    const ids = new Map<string, number>();
    for (const { lf, buf } of items) {
      if (buf.length === 0) continue;
      const file = path.join(this.dir, `${lf.id}-${ids.size}.jsonl`);
      fs.writeFileSync(file, buf, { mode: 0o600 });
      ids.set(file, lf.id);
    }
    return ids;
  }

  unstage(): void {
    for (const f of fs.readdirSync(this.dir)) fs.rmSync(path.join(this.dir, f), { force: true });
  }
}
