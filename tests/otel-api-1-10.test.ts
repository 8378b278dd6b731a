import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockModelServer, type MockModelServer } from './support/mockModelServer.js';
import { queryViews } from './support/store.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';

// The first finding: an app whose @opentelemetry/api is 1.10 (what the current
// instrumentations and the 3.x SDK require) recorded nothing, because agent-otel registered the
// globals through its own nested 1.9 copy. Run as a user runs it: a child process on this Node (22+).
let server: MockModelServer;
beforeAll(async () => { server = await startMockModelServer(); });
afterAll(async () => { await server?.close(); });

describe('An app on @opentelemetry/api 1.10 on Node 22+', () => {
  let dir: string;
  let seen: { apiVersion: string; recording: boolean; traceId: string };
  beforeAll(async () => {
    dir = tmpDir('agent-otel-api110-');
    const r = await runFixture(path.join('dialects', 'official-api-1-10-app.mjs'), { AGENT_OTEL_DIR: dir }, [server.url]);
    expect(r.code, r.stderr).toBe(0);
    seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  }, 60_000);

  it('runs on Node 22 or newer with the app\'s API 1.10', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(seen.apiVersion).toMatch(/^1\.10\./);
  });

  it('spans from the app\'s own tracer are recording and written to the JSONL files', async () => {
    expect(seen.recording).toBe(true);
    const spans = await readSpans(dir);
    const app = spans.find((s) => s.name === 'handle request');
    expect(app).toMatchObject({ trace_id: seen.traceId, scope: { name: 'app' } });
  });

  it('the official instrumentation-openai call is an llm_calls row with tokens and cost, inside the app\'s span', async () => {
    const rows = await queryViews(dir, 'SELECT trace_id, operation, provider, model, input_tokens, output_tokens, cost_usd FROM llm_calls');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ trace_id: seen.traceId, operation: 'chat', provider: 'openai', model: 'mock-model' });
    expect([Number(rows[0]!.input_tokens), Number(rows[0]!.output_tokens)]).toEqual([11, 7]);
    expect(rows[0]!.cost_usd).toBeCloseTo((11 * 1000 + 7 * 2000) / 1e6, 10);
  });
});
