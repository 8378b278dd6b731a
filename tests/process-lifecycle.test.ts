import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats } from '../dist/exporters/jsonl/readJsonl.js';
import { readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

describe('a crashed run is still visible', () => {
  it('the run-start marker and finished spans are on disk within a second, before a SIGKILL', async () => {
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
    const marker = spans.find((s) => s.name === 'agent.run.start');
    expect(marker, 'run-start marker on disk').toBeDefined();
    expect(marker!.attributes).toMatchObject({ 'agent.run.id': started!.runId, 'agent.span.type': 'run_start', 'gen_ai.agent.name': 'crasher', 'agent.run.kind': 'doomed' });
    expect(spans.find((s) => s.name === 'chat gpt-4o-mini')?.attributes['agent.run.id']).toBe(started!.runId);
    // A reader can tell it was abandoned: a start marker with no run span.
    const runSpans = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(runSpans).toEqual([]);
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
    expect(fs.readdirSync(path.join(dir, 'metrics')).length).toBeGreaterThan(0);
  });
});
