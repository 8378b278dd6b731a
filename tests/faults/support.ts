import path from 'node:path';
import { expect } from 'vitest';
import { FIXTURES, readSpans, spawnCollect, type ChildResult, type Spawned } from '../support/harness.js';
import { newReadStats, type ReadStats } from '../../dist/exporters/jsonl/readJsonl.js';

export interface AgentEnd {
  result: number;
  created: number;
  shutdownMs: number;
  health: { dropped: { spans: number; metricPoints: number; byReason: Record<string, number> }; errors?: Record<string, number> };
}

/**
 * Runs faults-agent.mjs; `between(phase)` runs while the agent waits between phases (the fault goes there).
 * `wrap` runs it under another program (prlimit, setpriv…).
 */
export async function runAgent(dir: string, opts: Record<string, unknown>, phases: number, per: number,
  between: (phase: number) => void | Promise<void> = () => {}, wrap: string[] = [], nodeArgs: string[] = []): Promise<{ r: ChildResult; end: AgentEnd }> {
  const child = spawnNode([...nodeArgs, path.join(FIXTURES, 'faults-agent.mjs'), dir, JSON.stringify(opts), String(phases), String(per)], wrap);
  let buf = '';
  const handled = new Set<number>();
  child.child.stdout!.on('data', async (d) => {
    buf += d;
    for (const line of buf.split('\n')) {
      const m = /^\{"phase":(\d+)\}$/.exec(line);
      if (!m || handled.has(Number(m[1]))) continue;
      handled.add(Number(m[1]));
      await between(Number(m[1]));
      child.child.kill('SIGUSR2');
    }
  });
  const r = await child;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  expect({ code: r.code, signal: r.signal }, `stderr: ${r.stderr}`).toEqual({ code: 0, signal: null });
  return { r, end: JSON.parse(last) as AgentEnd };
}

/** The agent's own work came out whole: the sum of 0..per-1 for every phase. */
export function expectAgentUnaffected(end: AgentEnd, phases: number, per: number): void {
  expect(end.result).toBe(phases * (per * (per - 1)) / 2);
  expect(end.created).toBe(phases * per);
}

/** Tool spans on disk per phase, and the read stats (torn and bad lines skipped and counted). */
export async function spansByPhase(dir: string): Promise<{ byPhase: Record<string, number>; total: number; stats: ReadStats }> {
  const stats = newReadStats();
  const spans = await readSpans(dir, stats);
  const byPhase: Record<string, number> = {};
  for (const s of spans) {
    const m = /^execute_tool step-(\d+)$/.exec(s.name);
    if (m) byPhase[m[1]!] = (byPhase[m[1]!] ?? 0) + 1;
  }
  return { byPhase, total: Object.values(byPhase).reduce((a, b) => a + b, 0), stats };
}

/** Nothing acknowledged lost: every span the agent made is on disk or counted as dropped. */
export function expectAccounted(onDisk: number, end: AgentEnd): void {
  expect(onDisk + end.health.dropped.spans, `on disk ${onDisk}, dropped ${JSON.stringify(end.health.dropped)}`).toBeGreaterThanOrEqual(end.created);
  expect(onDisk).toBeLessThanOrEqual(end.created);
}

/** `node args…` from the package root, optionally under a wrapper command (`prlimit --fsize=…`, `setpriv …`). */
export function spawnNode(args: string[], wrap: string[] = [], env: Record<string, string> = {}): Spawned {
  const argv = [...wrap, process.execPath, ...args];
  return spawnCollect(argv[0]!, argv.slice(1), { ...process.env, ...env });
}
