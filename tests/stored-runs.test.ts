// telemetry.duckdb keeps a `runs` table at ingest; `agent_runs` reads it, and computes over all rows
// only the runs the files add rows to. Whatever the database holds at the moment, the runs are the same
// as computed from the files alone (`--source files`): a run whose spans straddle the database and newer
// file rows, runs only in the files, and running/abandoned runs whose status is decided when queried.
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import { runCli } from './support/stores.js';
import { catchUp } from './support/store.js';
import { readRunStarts, runFixture, tmpDir, waitFor } from './support/harness.js';

type Row = Record<string, unknown>;

let dir: string;
let live: ReturnType<typeof runFixture>;
let liveId: string;
let deadId: string;
let straddlerId: string;

/** Starts crash-run.mjs (a run that waits forever); resolves once its run start is on disk. */
async function startRun(): Promise<{ child: ReturnType<typeof runFixture>; runId: string }> {
  const child = runFixture('crash-run.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir]);
  const { runId } = await new Promise<{ runId: string }>((resolve) => child.child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)))));
  await waitFor(async () => (await readRunStarts(dir)).some((r) => r.run_id === runId), 30_000, 'the run start');
  return { child, runId };
}

const call = (input: number) => withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (c) => c.recordUsage({ inputTokens: input, outputTokens: 1 }));

beforeAll(async () => {
  dir = tmpDir('agent-otel-stored-runs-');
  const handle = registerTelemetry({ dir, serviceName: 'stored-runs' });
  await withAgentRun({ agentName: 'done' }, async () => {
    await call(10);
    await withToolCall({ name: 'search' }, () => 'ok');
    await withToolCall({ name: 'fetch' }, () => { throw new Error('404'); }).catch(() => {});
  });
  await withAgentRun({ agentName: 'broke' }, async () => { await call(3); throw new Error('boom'); }).catch(() => {});
  const dead = await startRun();
  deadId = dead.runId;
  dead.child.child.kill('SIGKILL');
  await dead.child;
  ({ child: live, runId: liveId } = await startRun());
  // The database takes the straddler's start and first call; the rest stays in the files.
  await withAgentRun({ agentName: 'straddler' }, async (run) => {
    straddlerId = run.runId;
    await call(7);
    await handle.forceFlush();
    await catchUp(dir);
    await call(8);
    await withToolCall({ name: 'search' }, () => 'ok');
  });
  await withAgentRun({ agentName: 'newer' }, () => call(1));
  await handle.shutdown();
}, 120_000);

afterAll(async () => {
  live?.child.kill('SIGKILL');
  await live;
});

async function runs(...args: string[]): Promise<{ rows: Row[]; stderr: string }> {
  const r = await runCli(['runs', '--dir', dir, '--json', '--limit', '100', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { rows: (JSON.parse(r.stdout) as Row[]).sort((a, b) => String(a.run_id).localeCompare(String(b.run_id))), stderr: r.stderr };
}

async function storedRun(id: string): Promise<Row | undefined> {
  const r = await runCli(['sql', `SELECT llm_calls::INTEGER AS llm_calls, tool_calls::INTEGER AS tool_calls, status FROM store.runs WHERE run_id = '${id}'`, '--dir', dir, '--json', '--source', 'duckdb']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Row[])[0];
}

/** Holds telemetry.duckdb read-only (as another reader's query does): readers cannot catch it up meanwhile. */
async function whileHeld<T>(fn: () => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path.join(dir, 'telemetry.duckdb'), { access_mode: 'READ_ONLY' });
  try {
    return await fn();
  } finally {
    instance.closeSync();
  }
}

describe('stored runs', () => {
  it('with newer rows only in the files: the stored runs plus the straddling and newer runs equal the runs from the files', async () => {
    await whileHeld(async () => {
      // The database holds half of the straddler (no run span yet: status decided at query time) and no `newer`.
      expect(await storedRun(straddlerId)).toEqual({ llm_calls: 1, tool_calls: 0, status: null });
      const mixed = await runs();
      expect(mixed.stderr).not.toContain('reading the JSONL/Parquet files');
      const files = await runs('--source', 'files');
      expect(mixed.rows).toEqual(files.rows);
      const of = (id: string) => mixed.rows.find((r) => r.run_id === id);
      expect(of(straddlerId)).toMatchObject({ agent: 'straddler', status: 'success', llm_calls: 2, tool_calls: 1, input_tokens: 15 });
      expect(of(deadId)).toMatchObject({ status: 'abandoned' });
      expect(of(liveId)).toMatchObject({ status: 'running', llm_calls: 1 });
      expect(mixed.rows.map((r) => r.agent).sort()).toEqual(['broke', 'crasher', 'crasher', 'done', 'newer', 'straddler']);
    });
  });

  it('once caught up, the stored runs alone equal the runs from the files', async () => {
    const stored = await runs();
    expect(await storedRun(straddlerId)).toEqual({ llm_calls: 2, tool_calls: 1, status: 'success' });
    expect(stored.rows).toEqual((await runs('--source', 'files')).rows);
    expect(stored.rows.find((r) => r.agent === 'done')).toMatchObject({ status: 'success', llm_calls: 1, tool_calls: 2, tool_errors: 1 });
    expect(stored.rows.find((r) => r.agent === 'broke')).toMatchObject({ status: 'failed', llm_calls: 1 });
  });

  it('a stored run without its run span turns abandoned when its process dies, with nothing loaded', async () => {
    expect(await storedRun(liveId)).toEqual({ llm_calls: 1, tool_calls: 0, status: null });
    live.child.kill('SIGKILL');
    await live;
    const after = await runs('--source', 'duckdb');
    expect(after.rows.find((r) => r.run_id === liveId)).toMatchObject({ status: 'abandoned' });
    expect(after.rows).toEqual((await runs('--source', 'files')).rows);
  });
});
