import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { diffLines } from 'diff';
import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';

export interface ArtifactOptions {
  /** The artifact's content, when it is not (or not only) a file on disk. */
  content?: string | Buffer;
  /** The previous version's content; default: the last version recorded for this path in this process. */
  previous?: string | Buffer;
}

/** Last recorded text of each path, for the next version's line diff (small text files only). */
const lastVersions = new Map<string, string>();
const MAX_DIFF_BYTES = 1024 * 1024;

/**
 * Facts about an artifact a run produced, as event attributes: path, sha256, size, and lines added
 * and removed against the previous version (absent when there is none or the content is binary/large).
 */
export function artifactFacts(file: string, opts: ArtifactOptions = {}): Attributes {
  const content = opts.content ?? fs.readFileSync(file);
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  const key = path.resolve(file);
  const facts: Attributes = {
    [A.AGENT_ARTIFACT_PATH]: file,
    [A.AGENT_ARTIFACT_SHA256]: crypto.createHash('sha256').update(buf).digest('hex'),
    [A.AGENT_ARTIFACT_SIZE]: buf.length,
  };
  const text = buf.length <= MAX_DIFF_BYTES && !buf.includes(0) ? buf.toString('utf8') : undefined;
  const previous = opts.previous !== undefined ? opts.previous.toString() : lastVersions.get(key);
  if (text !== undefined && previous !== undefined) {
    let added = 0;
    let removed = 0;
    for (const part of diffLines(previous, text)) {
      if (part.added) added += part.count ?? 0;
      else if (part.removed) removed += part.count ?? 0;
    }
    facts[A.AGENT_ARTIFACT_LINES_ADDED] = added;
    facts[A.AGENT_ARTIFACT_LINES_REMOVED] = removed;
  } else if (text !== undefined && opts.previous === undefined && !lastVersions.has(key)) {
    facts[A.AGENT_ARTIFACT_LINES_ADDED] = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    facts[A.AGENT_ARTIFACT_LINES_REMOVED] = 0;
  }
  if (text !== undefined) lastVersions.set(key, text);
  return facts;
}
