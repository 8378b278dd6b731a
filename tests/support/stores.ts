import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { SpanRow } from '../../dist/semconv/schema.js';
import { runFixture, tmpDir } from './harness.js';

export { BIN, runCli } from './cli.js';
import { runCli } from './cli.js';

/** Runs the CLI, expects exit 0 and parses its stdout as JSON. */
export async function cliJson<T = unknown>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--json']);
  expect(r.stderr.split('\n').filter((l) => l && !/reading the JSONL|partial line/.test(l))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** A fresh directory filled by the demo agent (JSONL files and telemetry.duckdb). */
export async function demoStore(): Promise<string> {
  const dir = tmpDir();
  const r = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** Starts a run in a child process, lets its first spans reach the files, SIGKILLs it; returns the run id. */
export async function crashedRun(dir: string): Promise<string> {
  const child = runFixture('crash-run.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir]);
  const runId = await new Promise<string>((resolve) => child.child.stdout!.on('data', (d) => resolve(JSON.parse(String(d)).runId)));
  await new Promise((r) => setTimeout(r, 1200)); // past the 500 ms export delay
  child.child.kill('SIGKILL');
  await child;
  return runId;
}

/** Adds a finished run of `agent`, `daysAgo` days old, as a file of its own. Returns its run id. */
export function addOldRun(dir: string, template: SpanRow, agent: string, daysAgo: number): string {
  const shift = (iso: string) => new Date(Date.parse(iso) - daysAgo * 86_400_000).toISOString().replace('Z', '000Z');
  const runId = `old-run-${agent}`;
  const row: SpanRow = {
    ...template, trace_id: 'd1'.repeat(16), span_id: 'd1'.repeat(8), parent_span_id: null, name: `invoke_agent ${agent}`,
    start_time: shift(template.start_time), end_time: shift(template.end_time),
    attributes: { ...template.attributes, 'gen_ai.agent.name': agent, 'agent.run.id': runId, 'agent.run.status': 'success' },
  };
  fs.writeFileSync(path.join(dir, 'spans', '2026-01-01T000000Z-1-001.jsonl'), JSON.stringify(row) + '\n');
  return runId;
}

/** `2026-11-21T23:51:39.981000Z` → microseconds since the epoch (the files carry microseconds). */
export const micros = (iso: string): number => Date.parse(iso.slice(0, 23) + 'Z') * 1000 + Number(iso.slice(23, 26));

/** DuckDB's quantile_cont: linear interpolation between the closest ranks. */
export function quantileCont(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (pos - lo) * (v[hi]! - v[lo]!);
}
