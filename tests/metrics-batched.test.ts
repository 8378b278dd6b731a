import { afterEach, describe, expect, it } from 'vitest';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall, type TelemetryHandle } from '../dist/src/index.js';
import { readMetrics, tmpDir } from './support/harness.js';

// The helpers' histograms are batched per attribute set (src/metrics/batchedHistogram.ts) and handed
// to the SDK's storage before each collection and every 512 values: the exported points must be exactly
// those of one record() per value.

let handle: TelemetryHandle | undefined;
afterEach(async () => { await handle?.shutdown(); handle = undefined; });

const TOKEN_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** The explicit-bucket counts of `values` (upper bounds inclusive, as the SDK counts). */
function buckets(values: number[], bounds: number[]): number[] {
  const counts = new Array(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = bounds.findIndex((b) => v <= b);
    if (i === -1) i = bounds.length;
    counts[i]++;
  }
  return counts;
}

describe('batched helper histograms', () => {
  it('export every value: count, sum, min, max and buckets per attribute set, over several batches and flushes', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, handleSignals: false, duckdb: false });
    const inputs: Record<string, number[]> = { 'model-a': [], 'model-b': [] };
    for (let i = 0; i < 1300; i++) {
      const model = i % 3 === 0 ? 'model-b' : 'model-a';
      const tokens = (i * 7919) % 100_000;
      inputs[model]!.push(tokens);
      await withAgentRun({ agentName: 'batcher' }, () => withLlmCall({ provider: 'openai', model }, (c) => c.recordUsage({ inputTokens: tokens, outputTokens: 1 })));
      if (i === 700) await handle.forceFlush(); // a collection in the middle of a batch
    }
    await withToolCall({ name: 'grep' }, () => 'ok');
    await handle.forceFlush();
    const rows = await readMetrics(dir);
    for (const [model, values] of Object.entries(inputs)) {
      const points = rows.filter((r) => r.name === 'gen_ai.client.token.usage' && r.attributes['gen_ai.request.model'] === model && r.attributes['gen_ai.token.type'] === 'input');
      expect(points.length).toBeGreaterThanOrEqual(2); // delta points, one per collection
      expect(points.reduce((s, r) => s + r.count!, 0)).toBe(values.length);
      expect(points.reduce((s, r) => s + r.sum!, 0)).toBe(values.reduce((a, b) => a + b, 0));
      expect(Math.min(...points.map((r) => r.min!))).toBe(Math.min(...values));
      expect(Math.max(...points.map((r) => r.max!))).toBe(Math.max(...values));
      const counts = points.map((r) => r.bucket_counts as number[]).reduce((a, b) => a.map((x, i) => x + b[i]!));
      expect(counts).toEqual(buckets(values, TOKEN_BOUNDS));
    }
    const runs = rows.filter((r) => r.name === 'agent.run.duration' && r.attributes['gen_ai.agent.name'] === 'batcher');
    expect(runs.reduce((s, r) => s + r.count!, 0)).toBe(1300);
    // recorded just before the last collection: handed over by the flush that precedes it
    expect(rows.filter((r) => r.name === 'agent.tool.duration' && r.attributes['gen_ai.tool.name'] === 'grep').reduce((s, r) => s + r.count!, 0)).toBe(1);
  });

  it('attributes still go through the redaction view, once per attribute set', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, handleSignals: false, duckdb: false });
    for (let i = 0; i < 3; i++) await withToolCall({ name: 'mail me at jane.doe@example.com' }, () => 'ok');
    await handle.forceFlush();
    const rows = (await readMetrics(dir)).filter((r) => r.name === 'agent.tool.duration');
    expect(rows.map((r) => r.attributes['gen_ai.tool.name'])).toEqual(['mail me at [REDACTED:email]']);
    expect(rows[0]!.count).toBe(3);
    expect(JSON.stringify(rows)).not.toContain('jane.doe');
  });

  it('calls in a row that differ only in model, agent, response model or error type are each counted under their own attributes', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, handleSignals: false, duckdb: false });
    // Each call differs from the one before in one value (the helpers reuse the last call's metric attributes while they repeat).
    const calls = [
      { agent: 'a', model: 'm1', fail: undefined, response: undefined },
      { agent: 'a', model: 'm1', fail: undefined, response: undefined },
      { agent: 'a', model: 'm2', fail: undefined, response: undefined },
      { agent: 'b', model: 'm2', fail: undefined, response: undefined },
      { agent: 'b', model: 'm2', fail: 'TimeoutError', response: undefined },
      { agent: 'b', model: 'm2', fail: 'RateLimitError', response: undefined },
      { agent: 'b', model: 'm2', fail: undefined, response: 'm2-0613' },
      { agent: 'b', model: 'm2', fail: undefined, response: undefined },
    ];
    for (const c of calls) {
      await withAgentRun({ agentName: c.agent }, () => withLlmCall({ provider: 'openai', model: c.model }, (call) => {
        call.recordUsage({ inputTokens: 10, outputTokens: 1 });
        if (c.response) call.setResponse({ model: c.response });
        if (c.fail) { const e = new Error('no'); e.name = c.fail; throw e; }
      })).catch(() => {});
    }
    await handle.forceFlush();
    const points = (await readMetrics(dir)).filter((r) => r.name === 'gen_ai.client.token.usage' && r.attributes['gen_ai.token.type'] === 'input');
    const seen = new Map<string, number>();
    for (const r of points) {
      const a = r.attributes;
      const key = [a['gen_ai.agent.name'], a['gen_ai.request.model'], a['gen_ai.response.model'] ?? '-', a['error.type'] ?? '-'].join(' ');
      seen.set(key, (seen.get(key) ?? 0) + r.count!);
    }
    expect(Object.fromEntries(seen)).toEqual({
      'a m1 - -': 2, 'a m2 - -': 1, 'b m2 - -': 2, 'b m2 - TimeoutError': 1, 'b m2 - RateLimitError': 1, 'b m2 m2-0613 -': 1,
    });
  });
});
