import path from 'node:path';
import { QueryError, QuerySession, type Source } from '../query/session.js';
import { lookBackCutoff } from '../parse/duration.js';
import { dirFromEnv } from '../storageConfig.js';
import { safeText, type OutputFormat } from './format.js';
import { fmtBytes } from '../parse/size.js';
import { Progress } from './progress.js';

/** Options every command takes. */
export interface CommonOptions { dir?: string; source?: Source; json?: boolean; csv?: boolean }

/** --dir's default: the agent's own (AGENT_OTEL_DIR, else ./telemetry). */
export const defaultDir = (): string => dirFromEnv();

export const resolveDir = (o: CommonOptions): string => path.resolve(o.dir ?? defaultDir());

export function outputFormat(o: CommonOptions): OutputFormat {
  if (o.json && o.csv) throw new QueryError('choose one of --json and --csv');
  return o.json ? 'json' : o.csv ? 'csv' : 'table';
}

/** Opens the views over --dir, prints where rows come from (on stderr), runs `fn`, closes. */
export async function withSession<T>(o: CommonOptions, fn: (s: QuerySession) => Promise<T>): Promise<T> {
  // The first query on a big store brings telemetry.duckdb up to date first: show how far it is.
  const progress = new Progress();
  const session = await QuerySession.open(resolveDir(o), o.source ?? 'auto', {
    onIngestProgress: (p) => { if (p.totalBytes > 64 * 1024 ** 2) progress.update(`bringing telemetry.duckdb up to date: ${fmtBytes(p.bytes)} of ${fmtBytes(p.totalBytes)}`); },
  }).finally(() => progress.done());
  try {
    for (const note of session.notes) process.stderr.write(`agent-otel: ${safeText(note)}\n`);
    return await fn(session);
  } finally {
    session.close();
  }
}

/** `--since 24h` → the cutoff as DuckDB timestamp text (UTC); `all` (where `orAll`) or absent: undefined. */
export function sinceCutoff(since: string | undefined, optionName = '--since', orAll = false): string | undefined {
  return lookBackCutoff(since, optionName, { all: orAll });
}
