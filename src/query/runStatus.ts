/**
 * What a run is and what state it is in: the one definition the `agent_runs` view (CLI, report, `sql`)
 * and the viewer's `vruns` table both use.
 *
 * A run is an `invoke_agent` span that carries `agent.run.status` (our `withAgentRun` spans; another
 * framework's agent span outside any run, given success/failed from its span status by the pipeline).
 * An agent span nested inside a run has no `agent.run.status`: it is neither a run nor part of totals.
 * A run start (a `run_starts` row, written by `withAgentRun` to `<dir>/runs/`; in stores written before
 * it, an `agent.run.start` marker span) whose run span never came is a run still going while its
 * process lives, else abandoned.
 *
 * Statuses: `success`, `failed` (from the run span), `running`, `abandoned` (start only). There is no
 * `unknown`: a run span always has a status, since that is what makes it a run span.
 *
 * Liveness: the start's process (`host` + `pid`) exists on this host. Not "and wrote recently": a run
 * can be silent for minutes (a long model call, a human in the loop, metrics off), and `abandoned` must
 * mean the process is gone, or a run would flip from abandoned back to success. The price: a pid reused
 * by another process after a crash keeps the run `running` until that process ends.
 */
import os from 'node:os';
import { RunStatus } from '../../semconv/attributes.js';
import { LIVE_PROCESSES } from '../../exporters/duckdb/runs.js';
import type { FilePart } from './files.js';
import { isAlive, parseFileName } from './liveFiles.js';

export type RunStatusValue = (typeof RunStatus)[keyof typeof RunStatus];

/** Every status a run can have (what `--status` and the viewer's filter accept). */
export const RUN_STATUSES: readonly RunStatusValue[] = [RunStatus.RUNNING, RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.ABANDONED];

export const isRunStatus = (v: unknown): v is RunStatusValue => RUN_STATUSES.includes(v as RunStatusValue);

// ------------------------------------------------------------------ liveness

/** A run's process, as its run start names it. */
export interface RunProcess { host: string; pid: number }

/** The liveness rule: the process exists on this host. */
export function isLiveProcess(host: unknown, pid: unknown): boolean {
  return host === os.hostname() && typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && isAlive(pid);
}

/**
 * The live processes among the writers of a directory's files (the pid in each file's name): a run's
 * process writes its run start to files named so, and never has them pruned while it lives.
 */
export function liveWriters(files: FilePart[]): RunProcess[] {
  const host = os.hostname();
  const pids = new Set<number>();
  for (const f of files) {
    const id = parseFileName(f.file);
    if (id) pids.add(id.pid);
  }
  return [...pids].filter((pid) => isLiveProcess(host, pid)).map((pid) => ({ host, pid }));
}

/** Statements that (re)create `_live_processes` holding `live`. */
export function liveProcessesSql(live: RunProcess[]): string[] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const rows = live.filter((p) => Number.isInteger(p.pid)).map((p) => `(${q(p.host)}, ${p.pid})`);
  return [
    `CREATE OR REPLACE TEMP TABLE ${LIVE_PROCESSES} (host VARCHAR, pid BIGINT)`,
    ...(rows.length ? [`INSERT INTO ${LIVE_PROCESSES} VALUES ${rows.join(', ')}`] : []),
  ];
}

// The run SQL itself (what counts, `runsSql`, the stored `runs` table) is in exporters/duckdb/runs.ts.
export {
  countedLlmSql, countedToolSql, IS_RUN_MARKER, LIVE_PROCESSES, MARKER_HOST, MARKER_PID, markerStatusSql, runsSql, toolOutcomeSql,
} from '../../exporters/duckdb/runs.js';
