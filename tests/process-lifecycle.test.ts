import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats } from '../dist/exporters/jsonl/readJsonl.js';
import { readRunStarts, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';
import { cliJson } from './support/stores.js';

describe('a crashed run is still visible', () => {
  it('the run start and finished spans are on disk within a second, before a SIGKILL; `agent-otel runs` says abandoned', async () => {
    const dir = tmpDir();
    const child = runFixture('crash-run.mjs', {}, [dir]);
    let started: { runId: string; at: number } | undefined;
    child.child.stdout!.on('data', (d) => { started ??= JSON.parse(String(d)); });
    await waitFor(() => started !== undefined, 10_000, 'the run to start');
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() - started!.at)));
    child.child.kill('SIGKILL');
    const r = await child;
    expect(r.signal).toBe('SIGKILL');
    const spans = await readSpans(dir);
    const llm = spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(llm?.attributes['agent.run.id']).toBe(started!.runId);
    expect(await readRunStarts(dir), 'run start on disk').toEqual([{
      run_id: started!.runId, trace_id: llm!.trace_id, span_id: llm!.parent_span_id, start_time: expect.any(String), agent: 'crasher',
      kind: 'doomed', service_name: 'crashy', host: expect.any(String), pid: child.child.pid,
    }]);
    // A reader can tell it was abandoned: a run start with no run span, its process gone.
    const runSpans = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(runSpans).toEqual([]);
    expect(spans.map((s) => s.name)).not.toContain('agent.run.start');
    const runs = await cliJson<Array<{ run_id: string; status: string; llm_calls: number }>>(['runs', '--dir', dir]);
    expect(runs.map((r) => [r.run_id, r.status, r.llm_calls])).toEqual([[started!.runId, 'abandoned', 1]]);
  });
});

describe('two processes writing to one directory', () => {
  it('never interleave or tear lines', async () => {
    const dir = tmpDir();
    const n = 4000;
    const [a, b] = await Promise.all([runFixture('writer.mjs', {}, [dir, 'A', String(n)]), runFixture('writer.mjs', {}, [dir, 'B', String(n)])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    // Only one process can hold telemetry.duckdb; the other says so once and keeps writing JSONL.
    for (const r of [a, b]) expect(r.stderr.replace(/.*telemetry\.duckdb is in use by another process.*\n/, '')).toBe('');
    const stats = newReadStats();
    const spans = await readSpans(dir, stats);
    expect(stats.badLines).toEqual([]);
    expect(stats.tornLines).toEqual([]);
    for (const tag of ['A', 'B']) {
      const mine = spans.filter((s) => s.attributes.tag === tag);
      expect(mine).toHaveLength(n);
      expect(new Set(mine.map((s) => s.attributes.i)).size).toBe(n);
      for (const s of mine) expect(s.attributes.pad).toBe('y'.repeat(((s.attributes.i as number) * 7919) % 3000));
    }
    expect(fs.readdirSync(path.join(dir, 'spans')).length).toBeGreaterThan(4); // rotated by size, per process
  });
});

describe('flush on exit', () => {
  for (const mode of ['natural', 'process-exit'] as const) {
    it(`writes every span when the program ends (${mode}) without calling shutdown`, async () => {
      const dir = tmpDir();
      const r = await runFixture('exit-modes.mjs', {}, [dir, mode]);
      expect(r.code).toBe(mode === 'process-exit' ? 3 : 0);
      const spans = await readSpans(dir);
      expect(spans.filter((s) => s.name === 'execute_tool step')).toHaveLength(50);
      expect(spans.filter((s) => s.name === 'invoke_agent exiter')).toHaveLength(1);
      // The run start too, though the program ended before its 500 ms timer.
      expect((await readRunStarts(dir)).map((r) => [r.agent, r.kind])).toEqual([['exiter', mode]]);
    });
  }

  it('flushes on SIGTERM and still ends by the signal', async () => {
    const dir = tmpDir();
    const child = runFixture('exit-modes.mjs', {}, [dir, 'sigterm']);
    await new Promise<void>((resolve) => child.child.stdout!.on('data', () => resolve()));
    child.child.kill('SIGTERM');
    const r = await child;
    expect(r.signal).toBe('SIGTERM');
    const spans = await readSpans(dir);
    expect(spans.filter((s) => s.name === 'execute_tool step')).toHaveLength(50);
    expect((await readRunStarts(dir)).map((r) => [r.agent, r.kind])).toEqual([['exiter', 'sigterm']]);
    expect(fs.readdirSync(path.join(dir, 'metrics')).length).toBeGreaterThan(0);
  });
});
