// Issue 10, finding 5: what was recorded before the process ends is on disk, whichever way it ends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { queryViews } from './support/store.js';
import { readMetrics, readSpans, runFixture, sumMetric, tmpDir, type ChildResult } from './support/harness.js';

/** Runs faults-exit.mjs in `mode`; for the signal modes sends the signal once it is ready. */
async function runExit(dir: string, mode: string, opts: Record<string, unknown> = {}): Promise<ChildResult> {
  const child = runFixture('faults-exit.mjs', {}, [dir, mode, JSON.stringify({ duckdb: false, ...opts })]);
  if (mode === 'sigterm' || mode === 'sigint') {
    await new Promise<void>((resolve) => child.child.stdout!.once('data', () => resolve()));
    child.child.kill(mode === 'sigterm' ? 'SIGTERM' : 'SIGINT');
  }
  return child;
}

describe('every exit path writes the spans and metrics recorded before it', () => {
  const expected: Record<string, { code: number | null; signal: NodeJS.Signals | null; stderr?: RegExp }> = {
    natural: { code: 0, signal: null },
    'process-exit': { code: 0, signal: null },
    uncaught: { code: 1, signal: null, stderr: /Error: agent bug: boom\n\s+at / },
    unhandled: { code: 1, signal: null, stderr: /Error: agent bug: rejected\n\s+at / },
    sigterm: { code: null, signal: 'SIGTERM' },
    sigint: { code: null, signal: 'SIGINT' },
  };
  for (const [mode, want] of Object.entries(expected)) {
    it(`${mode}: the counter recorded last and every span are on disk; exit code and message unchanged`, async () => {
      const dir = tmpDir();
      const r = await runExit(dir, mode);
      expect({ code: r.code, signal: r.signal }, r.stderr).toEqual({ code: want.code, signal: want.signal });
      if (want.stderr) expect(r.stderr).toMatch(want.stderr);
      else expect(r.stderr).toBe('');
      const spans = await readSpans(dir);
      expect(spans.filter((s) => s.name === 'execute_tool step')).toHaveLength(20);
      expect(spans.filter((s) => s.name === 'last span')).toHaveLength(1);
      const metrics = await readMetrics(dir);
      expect(sumMetric(metrics, 'test.exit.count', { mode })).toBe(5);
      // the helpers' own metrics too: one tool duration point per call
      expect(sumMetric(metrics, 'agent.tool.duration')).toBe(20);
    });
  }
});

describe('DuckDB rows pending at exit', () => {
  it('are in the JSONL files, and `agent-otel ingest` loads every one of them', async () => {
    const dir = tmpDir();
    const r = await runExit(dir, 'process-exit', { duckdb: true });
    expect(r.code, r.stderr).toBe(0);
    const onDisk = (await readSpans(dir)).length;
    expect(onDisk).toBe(22); // 20 tools, the run, the last span (the run's start is a runs/ row, not a span)
    const ing = await runCli(['ingest', '--dir', dir]);
    expect(ing.code, ing.stderr).toBe(0);
    const [row] = await queryViews(dir, 'SELECT count(*)::INT AS n FROM spans', 'duckdb');
    expect(row!.n).toBe(onDisk);
    const [m] = await queryViews(dir, "SELECT sum(value)::INT AS n FROM metrics WHERE name = 'test.exit.count'", 'duckdb');
    expect(m!.n).toBe(5);
  });
});

describe('OTLP spans not sent at exit', () => {
  // An endpoint that accepts connections and never answers: nothing it was sent is acknowledged.
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer(() => { /* never answers */ });
  server.on('connection', (s) => { sockets.add(s); });
  afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

  it('are counted as dropped in the metrics file, never silently gone', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = tmpDir();
    const r = await runExit(dir, 'process-exit', { otlp: { endpoint }, logLevel: 'none' });
    expect(r.code, r.stderr).toBe(0);
    const spans = await readSpans(dir);
    expect(spans).toHaveLength(22); // the files are not held up by the endpoint
    const dropped = (await readMetrics(dir)).filter((m) => m.name === 'agent_otel.spans.dropped');
    const unsent = dropped.filter((m) => m.attributes['agent_otel.reason'] === 'exit_unsent').reduce((s, m) => s + (m.value ?? 0), 0);
    expect(unsent).toBe(spans.length); // every span the endpoint never acknowledged
  });
});
