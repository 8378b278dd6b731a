import fs from 'node:fs';
import { readCompleteLines, type FilePart } from '../query/files.js';
import { logFiles } from './view.js';

/**
 * Follows `<dir>/logs/*.jsonl` as agents write them (the log twin of SpanFollower): every process's
 * file, new ones included; only complete lines, a line being written is picked up whole later.
 */
export class LogFollower {
  private readonly offsets = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /** Starts at the end of every file; with `sinceMs`, at the start of files written since then. Returns the file count. */
  start(sinceMs?: number): number {
    for (const f of this.files()) this.offsets.set(f.file, sinceMs !== undefined && f.mtimeMs >= sinceMs ? 0 : f.size);
    return this.offsets.size;
  }

  poll(): string[] {
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const f of this.files()) {
      seen.add(f.file);
      const offset = Math.min(this.offsets.get(f.file) ?? 0, f.size);
      let buf: Buffer;
      try { buf = f.size > offset ? readCompleteLines({ ...f, offset }) : Buffer.alloc(0); } catch { continue; }
      this.offsets.set(f.file, offset + buf.length);
      for (const line of buf.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    }
    for (const file of this.offsets.keys()) if (!seen.has(file)) this.offsets.delete(file);
    return lines;
  }

  private files(): FilePart[] {
    const out: FilePart[] = [];
    for (const file of logFiles(this.dir)) {
      try {
        const st = fs.statSync(file);
        // readCompleteLines reads file, size and offset only; signal is a placeholder of the span file type.
        out.push({ signal: 'spans', file, rel: file, kind: 'jsonl', size: st.size, mtimeMs: st.mtimeMs, offset: 0 });
      } catch { /* pruned meanwhile */ }
    }
    return out;
  }
}
