import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { context, trace } from '@opentelemetry/api';
import { registerTelemetry, withAgentRun } from '../../dist/src/index.js';
import { newReadStats } from '../../dist/exporters/jsonl/readJsonl.js';
import { nastyValues, rawSpanArbitrary, runRawSpan } from '../fixtures/guards-scenarios.mjs';
import { readSpans, runFixture, tmpDir } from '../support/harness.js';

// Spans of any library, with attributes of every JS kind (also values the OTel API itself rejects, and
// values written straight into the SDK span past it), any name, kind, status, events and links:
// span.end() never throws, nothing rejects unhandled, every span ended is one row on disk.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
process.on('unhandledRejection', onUnhandled);
afterAll(() => { process.off('unhandledRejection', onUnhandled); });

describe('raw OpenTelemetry spans with every kind of JS value (fast-check)', () => {
  for (const privacy of ['full', 'metadata'] as const) {
    it(`privacy ${privacy}: span.end() never throws and every ended span is on disk`, async () => {
      const dir = tmpDir();
      const handle = registerTelemetry({ dir, privacy, logLevel: 'none' });
      let ended = 0;
      try {
        await fc.assert(fc.asyncProperty(rawSpanArbitrary(fc, nastyValues(fc)), async (s) => {
          ended += await runRawSpan({ withAgentRun, context }, trace, s);
        }), { numRuns: 200 });
        await handle.forceFlush();
        await new Promise((r) => setImmediate(r));
        expect(unhandled).toEqual([]);
        const stats = newReadStats();
        const rows = await readSpans(dir, stats);
        expect(stats.badLines).toEqual([]);
        expect(stats.tornLines).toEqual([]);
        expect(rows.filter((r) => r.scope.name !== 'agent-otel')).toHaveLength(ended);
        expect(handle.health().dropped).toMatchObject({ spans: 0 });
      } finally {
        await handle.shutdown();
      }
    });
  }

  it('the same properties in a child process: it exits 0 with every span on disk', async () => {
    const r = await runFixture('guards-property.mjs', {}, [tmpDir(), 'raw', '80']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.onDisk).toEqual(out.expected);
  });
});
