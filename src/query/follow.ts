import { listFiles, readCompleteLines, type FilePart } from './files.js';

/**
 * Follows JSONL files as agents write them: every process's file, new files included, by remembering
 * how far each file has been read. Only complete lines are returned; a line being written is picked up
 * whole on a later poll. `files` lists the files to follow (spans, logs) as they are now.
 */
export class JsonlFollower {
  private readonly offsets = new Map<string, number>();

  constructor(private readonly files: () => FilePart[]) {}

  /** Starts at the end of every file; with `sinceMs`, at the start of files written since then. Returns the file count. */
  start(sinceMs?: number): number {
    for (const f of this.files()) this.offsets.set(f.file, sinceMs !== undefined && f.mtimeMs >= sinceMs ? 0 : f.size);
    return this.offsets.size;
  }

  /** The lines written since the last call (a file not seen before is read from its start). */
  poll(): string[] {
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const f of this.files()) {
      seen.add(f.file);
      const offset = Math.min(this.offsets.get(f.file) ?? 0, f.size);
      let buf: Buffer;
      try { buf = f.size > offset ? readCompleteLines({ ...f, offset }) : Buffer.alloc(0); } catch { continue; } // pruned meanwhile
      this.offsets.set(f.file, offset + buf.length);
      for (const line of buf.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    }
    for (const file of this.offsets.keys()) if (!seen.has(file)) this.offsets.delete(file); // pruned or compacted
    return lines;
  }
}

/** Follows `<dir>/spans/*.jsonl`. */
export class SpanFollower extends JsonlFollower {
  constructor(dir: string) {
    super(() => listFiles(dir).filter((f) => f.signal === 'spans' && f.kind === 'jsonl'));
  }
}
