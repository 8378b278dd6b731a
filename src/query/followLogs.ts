import fs from 'node:fs';
import { JsonlFollower } from './follow.js';
import type { FilePart } from './files.js';
import { logFiles } from '../logs/view.js';

/** Follows `<dir>/logs/*.jsonl` as agents write them (see JsonlFollower). */
export class LogFollower extends JsonlFollower {
  constructor(dir: string) {
    super(() => {
      const out: FilePart[] = [];
      for (const file of logFiles(dir)) {
        try {
          const st = fs.statSync(file);
          // readCompleteLines reads file, size and offset only; signal is a placeholder of the span file type.
          out.push({ signal: 'spans', file, rel: file, kind: 'jsonl', size: st.size, mtimeMs: st.mtimeMs, offset: 0 });
        } catch { /* pruned meanwhile */ }
      }
      return out;
    });
  }
}
