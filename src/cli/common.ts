import path from 'node:path';
import { QueryError, QuerySession, type Source } from '../query/session.js';
import { safeText, type OutputFormat } from './format.js';

/** Options every command takes. */
export interface CommonOptions { dir?: string; source?: Source; json?: boolean; csv?: boolean }

export const defaultDir = (): string => process.env.AGENT_OTEL_DIR || 'telemetry';

export const resolveDir = (o: CommonOptions): string => path.resolve(o.dir ?? defaultDir());

export function outputFormat(o: CommonOptions): OutputFormat {
  if (o.json && o.csv) throw new QueryError('choose one of --json and --csv');
  return o.json ? 'json' : o.csv ? 'csv' : 'table';
}

/** Opens the views over --dir, prints where rows come from (on stderr), runs `fn`, closes. */
export async function withSession<T>(o: CommonOptions, fn: (s: QuerySession) => Promise<T>): Promise<T> {
  const session = await QuerySession.open(resolveDir(o), o.source ?? 'auto');
  try {
    for (const note of session.notes) process.stderr.write(`agent-otel: ${safeText(note)}\n`);
    return await fn(session);
  } finally {
    session.close();
  }
}

/** Parses `24h`, `7d`, `30m` into a cutoff ISO timestamp (UTC) for SQL. */
export function sinceCutoff(since: string | undefined, optionName = '--since'): string | undefined {
  if (since === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/i.exec(String(since));
  if (!m) throw new QueryError(`${optionName} takes a duration such as 30m, 24h or 7d; got ${JSON.stringify(since)}`);
  const ms = Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2]!.toLowerCase() as 's'];
  return new Date(Date.now() - ms).toISOString().replace('T', ' ').replace('Z', '');
}
