import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricRow, SpanRow } from '../dist/semconv/schema.js';
import { COMPLETION_MARKER, startMockModelServer, type MockModelServer } from './support/mockModelServer.js';
import { filesContaining, queryViews, catchUp } from './support/store.js';
import { readMetrics, readSpans, runFixture, tmpDir } from './support/harness.js';

// The official @opentelemetry/instrumentation-openai 0.22 (Node 22+, API 1.10) with openai 6 against
// the local mock model server, in a child process as a user runs it (tests/fixtures/dialects/
// official-openai.mjs). Its spans follow the GenAI conventions (with the deprecated gen_ai.system on
// chat and embeddings spans); it records the GenAI client metrics itself; message content goes out
// as log events, never on spans — except the Responses API's `instructions`, always on the span.
const MARKER = `off${process.pid}x${Date.now().toString(36)}`;
const ARGS_MARKER = 'ARGS-MARKER-77';
const CHAT_USD = (11 * 1000 + 7 * 2000) / 1e6;
const EMBED_USD = (11 * 500) / 1e6;

interface App { dir: string; spans: SpanRow[]; metrics: MetricRow[] }

let server: MockModelServer;
beforeAll(async () => { server = await startMockModelServer(); });
afterAll(async () => { await server?.close(); });

async function runApp(privacy: 'metadata' | 'full', env: Record<string, string> = {}): Promise<App> {
  const dir = tmpDir('agent-otel-official-');
  const r = await runFixture(path.join('dialects', 'official-openai.mjs'), { AGENT_OTEL_DIR: dir, AGENT_OTEL_PRIVACY: privacy, ...env }, [server.url, MARKER]);
  await catchUp(dir); // the database, as a first query brings it up to date (searched for content too)
  expect(r.code, r.stderr).toBe(0);
  return { dir, spans: await readSpans(dir), metrics: await readMetrics(dir) };
}

const n = (v: unknown) => (v === null || v === undefined ? v : Number(v));

/** How many times the input-token usage of a model call was recorded, by instrumentation scope. */
function tokenRecordings(metrics: MetricRow[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const m of metrics) {
    if (m.name !== 'gen_ai.client.token.usage' || m.attributes['gen_ai.token.type'] !== 'input') continue;
    by[m.scope.name] = (by[m.scope.name] ?? 0) + (m.count ?? 0);
  }
  return by;
}

function keysWith(spans: SpanRow[], ...markers: string[]): string[] {
  const hits = new Set<string>();
  const has = (v: unknown) => markers.some((m) => JSON.stringify(v).includes(m));
  for (const s of spans) {
    for (const [k, v] of Object.entries(s.attributes)) if (has(v)) hits.add(`${s.name}: ${k}`);
    for (const e of s.events) for (const [k, v] of Object.entries(e.attributes ?? {})) if (has(v)) hits.add(`${s.name} event ${e.name}: ${k}`);
  }
  return [...hits].sort();
}

describe('official @opentelemetry/instrumentation-openai 0.22 with openai 6', () => {
  let metadata: App;
  let captured: App;
  let full: App;
  beforeAll(async () => {
    [metadata, captured, full] = await Promise.all([
      runApp('metadata'),
      // the instrumentation asked to capture content while agent-otel stays at metadata
      runApp('metadata', { CAPTURE_CONTENT: '1' }),
      runApp('full', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }),
    ]);
  }, 60_000);

  it('chat (with a tool call, streamed), Responses and embeddings calls are llm_calls rows with model, provider, tokens and cost', async () => {
    const rows = await queryViews(metadata.dir, `SELECT name, operation, provider, model, input_tokens, output_tokens, cost_usd, agent
      FROM llm_calls ORDER BY start_time`);
    expect(rows.map((r) => [r.agent, r.name, r.operation, r.provider, r.model, n(r.input_tokens), n(r.output_tokens)])).toEqual([
      ['researcher', 'chat mock-model', 'chat', 'openai', 'mock-model', 11, 7],
      ['researcher', 'chat mock-model', 'chat', 'openai', 'mock-model', 11, 7],
      ['researcher', 'chat mock-model', 'chat', 'openai', 'mock-model', 11, 7], // streamed
      ['responder', 'chat mock-model', 'chat', 'openai', 'mock-model', 11, 7],
      ['embedder', 'embeddings mock-embed', 'embeddings', 'openai', 'mock-embed', 11, null],
      ['wrapped', 'chat mock-model', 'chat', 'openai', 'mock-model', 11, 7],
    ]);
    expect(rows.map((r) => r.cost_usd)).toEqual([CHAT_USD, CHAT_USD, CHAT_USD, CHAT_USD, EMBED_USD, CHAT_USD].map((v) => expect.closeTo(v, 10)));
    // chat and embeddings spans name the provider by the deprecated gen_ai.system: the dialect adds the current key
    const chat = metadata.spans.find((s) => s.attributes['gen_ai.agent.name'] === 'researcher' && s.name === 'chat mock-model')!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.system': 'openai', 'gen_ai.provider.name': 'openai', 'agent.dialect': 'genai' });
  });

  it('inside withAgentRun the run counts them; inside withLlmCall the call is counted once (the helper span is the wrapper)', async () => {
    const runs = await queryViews(metadata.dir, 'SELECT agent, status, llm_calls, input_tokens, output_tokens, cost_usd FROM agent_runs ORDER BY start_time');
    expect(runs.map((r) => [r.agent, r.status, n(r.llm_calls), n(r.input_tokens), n(r.output_tokens)])).toEqual([
      ['researcher', 'success', 3, 33, 21], ['responder', 'success', 1, 11, 7], ['embedder', 'success', 1, 11, 0], ['wrapped', 'success', 1, 11, 7],
    ]);
    expect(runs[0]!.cost_usd).toBeCloseTo(3 * CHAT_USD, 10);
    const helper = metadata.spans.filter((s) => s.scope.name === 'agent-otel' && s.attributes['gen_ai.operation.name'] === 'chat');
    expect(helper.map((s) => s.attributes['agent.call.wrapper'])).toEqual([true]);
  });

  it('records the GenAI client metrics itself: agent-otel does not record them a second time', () => {
    // 4 chat calls + 1 Responses call + 1 embedding, each recorded once, all by the instrumentation
    expect(tokenRecordings(metadata.metrics)).toEqual({ '@opentelemetry/instrumentation-openai': 6 });
  });

  it('keeps no content at privacy metadata, the Responses instructions on its span included', () => {
    for (const app of [metadata, captured]) {
      expect(keysWith(app.spans, MARKER, COMPLETION_MARKER, ARGS_MARKER)).toEqual([]);
      for (const m of [MARKER, COMPLETION_MARKER, ARGS_MARKER]) expect(filesContaining(app.dir, m), m).toEqual([]);
    }
  });

  it('keeps the span content (Responses instructions) at privacy full', () => {
    expect(keysWith(full.spans, `${MARKER}-instructions`)).toEqual(['chat mock-model: gen_ai.system_instructions']);
    const files = filesContaining(full.dir, `${MARKER}-instructions`).map((f) => path.relative(full.dir, f));
    expect(files).toContain('telemetry.duckdb');
    expect(files.some((f) => f.startsWith('spans/'))).toBe(true);
  });

  // Prompts and completions go out as log events (gen_ai.user.message, gen_ai.choice, …): agent-otel's
  // LoggerProvider writes them to logs/ at `full` (and drops them below it, as the test above checks).
  it('keeps the prompts and completions of its log events at privacy full', () => {
    for (const m of [`${MARKER}-prompt`, COMPLETION_MARKER]) {
      expect(filesContaining(full.dir, m).some((f) => path.relative(full.dir, f).startsWith('logs/')), m).toBe(true);
    }
  });
});
