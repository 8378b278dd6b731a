import fs from 'node:fs';
import { QueryError } from '../query/session.js';
import { resolveDir, type CommonOptions } from './common.js';

/** The --dir of a command that works on files: it must exist (a typo should not create a new tree). */
export function existingDir(o: CommonOptions): string {
  const dir = resolveDir(o);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new QueryError(`no telemetry directory at ${dir} (set --dir or AGENT_OTEL_DIR to where the agent writes)`);
  }
  return dir;
}
