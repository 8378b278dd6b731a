import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow } from '../../dist/src/index.js';
import { newReadStats } from '../../dist/exporters/jsonl/readJsonl.js';
import { checkScenario, countHelperSpans, nastyValues, scenarioArbitrary } from '../fixtures/guards-scenarios.mjs';
import { readRunStarts, readSpans, runFixture, tmpDir } from '../support/harness.js';

// Whatever the agent passes to the helpers and whatever its callback returns or throws: the agent gets
// exactly its own value or error back, nothing rejects unhandled, and every call is one span on disk.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
process.on('unhandledRejection', onUnhandled);
afterAll(() => { process.off('unhandledRejection', onUnhandled); });

const api = { withAgentRun, withLlmCall, withToolCall, withWorkflow };

describe('helpers driven with every kind of JS value (fast-check)', () => {
  for (const privacy of ['full', 'metadata'] as const) {
    it(`privacy ${privacy}: the agent's own value or error comes back, one span per call is on disk`, async () => {
      const dir = tmpDir();
      const handle = registerTelemetry({ dir, privacy, logLevel: 'none' });
      const counts: Record<string, number> = {};
      try {
        await fc.assert(fc.asyncProperty(scenarioArbitrary(fc, nastyValues(fc)), (s) => checkScenario(api, s, counts)), { numRuns: 100 });
        await handle.forceFlush();
        await new Promise((r) => setImmediate(r));
        expect(unhandled).toEqual([]);
        const stats = newReadStats();
        const rows = await readSpans(dir, stats);
        expect(stats.badLines).toEqual([]);
        expect(stats.tornLines).toEqual([]);
        const calls = Object.values(counts).reduce((a, b) => a + b, 0);
        expect(countHelperSpans(rows, await readRunStarts(dir))).toEqual({ spans: calls, runStarts: counts.run ?? 0 });
        expect(handle.health().dropped.spans).toBe(0);
        // Failures inside agent-otel are counted, never the processors': those see only clean values.
        expect(Object.keys(handle.health().errors).filter((k) => k.startsWith('processor.'))).toEqual([]);
      } finally {
        await handle.shutdown();
      }
    });
  }

  it('the same properties in a child process: it exits 0 with every span on disk', async () => {
    const r = await runFixture('guards-property.mjs', {}, [tmpDir(), 'helpers', '60']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.onDisk).toEqual(out.expected);
  });
});
