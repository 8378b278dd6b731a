import { isAlive, liveFiles, parseFileName } from '../../exporters/jsonl/liveFiles.js';
import type { FilePart } from './files.js';

export { isAlive, parseFileName };

/** The JSONL files a running process may still append to (see exporters/jsonl/liveFiles.ts). */
export function openFiles(files: FilePart[]): Set<string> {
  return liveFiles(files.filter((f) => f.kind === 'jsonl').map((f) => f.file));
}
