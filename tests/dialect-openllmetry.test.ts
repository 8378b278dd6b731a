import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricRow, SpanRow } from '../dist/semconv/schema.js';
import { COMPLETION_MARKER, startMockModelServer, type MockModelServer } from './support/mockModelServer.js';
import { filesContaining, queryViews, catchUp } from './support/store.js';
import { readMetrics, readSpans, runFixture, tmpDir } from './support/harness.js';

// Real OpenLLMetry instrumentations (@traceloop/instrumentation-openai / -anthropic 0.27) with the real
// SDKs against the local mock model server, and spans in the legacy OpenLLMetry shape, each in a child
// process as a user runs them (tests/fixtures/dialects/openllmetry-*.mjs); read back through the views,
// the JSONL files and DuckDB.
const MARKER = `ollm${process.pid}x${Date.now().toString(36)}`;
/** The mock's tool-call arguments (content the model wrote). */
const ARGS_MARKER = 'ARGS-MARKER-77';
/** Prices of tests/fixtures/dialects/official-openai-workload.mjs, USD per million tokens. */
const CHAT_USD = (11 * 1000 + 7 * 2000) / 1e6;
const EMBED_USD = (11 * 500) / 1e6;

interface App { dir: string; spans: SpanRow[]; metrics: MetricRow[] }

let server: MockModelServer;
beforeAll(async () => { server = await startMockModelServer(); });
afterAll(async () => { await server?.close(); });

async function runApp(fixture: string, privacy: 'metadata' | 'full', env: Record<string, string> = {}): Promise<App> {
  const dir = tmpDir('agent-otel-openllmetry-');
  const r = await runFixture(path.join('dialects', fixture), { AGENT_OTEL_DIR: dir, AGENT_OTEL_PRIVACY: privacy, ...env }, [server.url, MARKER]);
  await catchUp(dir); // the database, as a first query brings it up to date (searched for content too)
  expect(r.code, r.stderr).toBe(0);
  return { dir, spans: await readSpans(dir), metrics: await readMetrics(dir) };
}

const n = (v: unknown) => (v === null || v === undefined ? v : Number(v));
const llmCalls = (dir: string) => queryViews(dir, `SELECT name, operation, provider, model, input_tokens, output_tokens,
  cache_read_tokens, cost_usd, agent, run_id FROM llm_calls ORDER BY start_time`);
const runs = (dir: string) => queryViews(dir, 'SELECT agent, status, llm_calls, input_tokens, output_tokens, cost_usd FROM agent_runs ORDER BY start_time');

/** How many times the input-token usage of a model call was recorded, by instrumentation scope. */
function tokenRecordings(metrics: MetricRow[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const m of metrics) {
    if (m.name !== 'gen_ai.client.token.usage' || m.attributes['gen_ai.token.type'] !== 'input') continue;
    by[m.scope.name] = (by[m.scope.name] ?? 0) + (m.count ?? 0);
  }
  return by;
}

/** Which attribute keys of which spans hold a content marker (what a privacy failure names). */
function keysWith(spans: SpanRow[], ...markers: string[]): string[] {
  const hits = new Set<string>();
  const has = (v: unknown) => markers.some((m) => JSON.stringify(v).includes(m));
  for (const s of spans) {
    for (const [k, v] of Object.entries(s.attributes)) if (has(v)) hits.add(`${s.scope.name} ${s.name}: ${k}`);
    for (const e of s.events) for (const [k, v] of Object.entries(e.attributes ?? {})) if (has(v)) hits.add(`${s.name} event ${e.name}: ${k}`);
  }
  return [...hits].sort();
}

function expectNoContent(app: App): void {
  expect(keysWith(app.spans, MARKER, COMPLETION_MARKER, ARGS_MARKER), 'content attributes kept at privacy metadata').toEqual([]);
  for (const m of [MARKER, COMPLETION_MARKER, ARGS_MARKER]) expect(filesContaining(app.dir, m), m).toEqual([]);
}

function expectContent(app: App, ...markers: string[]): void {
  for (const m of markers) {
    const files = filesContaining(app.dir, m).map((f) => path.relative(app.dir, f));
    expect(files, m).toContain('telemetry.duckdb');
    expect(files.some((f) => f.startsWith('spans/')), m).toBe(true);
  }
}

describe('OpenLLMetry @traceloop/instrumentation-openai 0.27 (current) with openai 6', () => {
  let metadata: App;
  let full: App;
  beforeAll(async () => {
    [metadata, full] = await Promise.all([runApp('openllmetry-openai.mjs', 'metadata'), runApp('openllmetry-openai.mjs', 'full')]);
  }, 60_000);

  it('each chat call is an llm_calls row with model, provider, tokens and cost; the run counts them', async () => {
    const rows = await llmCalls(metadata.dir);
    // 0.27 instruments chat (and completions, responses, images), not embeddings; a stream has no usage.
    const researcher = rows.filter((r) => r.agent === 'researcher');
    expect(researcher).toHaveLength(3);
    for (const r of researcher) expect(r).toMatchObject({ name: 'chat mock-model', operation: 'chat', provider: 'openai', model: 'mock-model' });
    expect(researcher.map((r) => [n(r.input_tokens), n(r.output_tokens)])).toEqual([[11, 7], [11, 7], [null, null]]);
    expect(researcher[0]!.cost_usd).toBeCloseTo(CHAT_USD, 10);
    expect(researcher[1]!.cost_usd).toBeCloseTo(CHAT_USD, 10);
    expect(rows.filter((r) => r.agent === 'embedder')).toEqual([]);
    const responder = rows.filter((r) => r.agent === 'responder'); // the Responses API
    expect(responder.map((r) => [r.operation, r.model, n(r.input_tokens), n(r.output_tokens)])).toEqual([['chat', 'mock-model', 11, 7]]);
    expect(responder[0]!.cost_usd).toBeCloseTo(CHAT_USD, 10);
    const [run] = (await runs(metadata.dir)).filter((r) => r.agent === 'researcher');
    expect([run!.status, n(run!.llm_calls), n(run!.input_tokens), n(run!.output_tokens)]).toEqual(['success', 3, 22, 14]);
    expect(run!.cost_usd).toBeCloseTo(2 * CHAT_USD, 10);
  });

  it('a call inside withLlmCall is one call: the helper span is the wrapper', async () => {
    const wrapped = (await llmCalls(metadata.dir)).filter((r) => r.agent === 'wrapped');
    expect(wrapped).toHaveLength(1);
    expect(wrapped[0]).toMatchObject({ name: 'chat mock-model', model: 'mock-model' });
    const helper = metadata.spans.filter((s) => s.scope.name === 'agent-otel' && s.attributes['gen_ai.operation.name'] === 'chat');
    expect(helper.map((s) => s.attributes['agent.call.wrapper'])).toEqual([true]);
  });

  it('records the GenAI client metrics once per call (OpenLLMetry records none itself)', () => {
    // four calls reported usage: two in the researcher's run, the Responses API call, the wrapped one
    expect(tokenRecordings(metadata.metrics)).toEqual({ 'agent-otel': 4 });
  });

  it('keeps no prompt, tool definition, tool call or completion at privacy metadata', () => expectNoContent(metadata));
  it('keeps them at privacy full', () => expectContent(full, `${MARKER}-prompt`, `${MARKER}-result`, `${MARKER}-input`, COMPLETION_MARKER));
});

describe('OpenLLMetry @traceloop/instrumentation-anthropic 0.27 with @anthropic-ai/sdk 1.x', () => {
  let metadata: App;
  let full: App;
  let alone: App;
  beforeAll(async () => {
    [metadata, full, alone] = await Promise.all([
      runApp('openllmetry-anthropic.mjs', 'metadata'), runApp('openllmetry-anthropic.mjs', 'full'),
      runApp('openllmetry-anthropic.mjs', 'metadata', { ANTHROPIC_OPEN_TELEMETRY: 'false' }),
    ]);
  }, 60_000);

  it('with the SDK tracing its own calls too, each call is one llm_calls row (the SDK span; OpenLLMetry\'s around it is a wrapper)', async () => {
    const rows = await llmCalls(metadata.dir);
    expect(rows.map((r) => [r.agent, r.name])).toEqual([['writer', 'anthropic.messages.create'], ['wrapped', 'anthropic.messages.create']]);
    for (const r of rows) {
      expect(r).toMatchObject({ operation: 'chat', provider: 'anthropic', model: 'mock-claude' });
      // the SDK follows the conventions: input tokens include the 3 read from the cache
      expect([n(r.input_tokens), n(r.output_tokens), n(r.cache_read_tokens)]).toEqual([14, 7, 3]);
      expect(r.cost_usd).toBeCloseTo((11 * 1000 + 3 * 100 + 7 * 2000) / 1e6, 10);
    }
    const traceloop = metadata.spans.filter((s) => s.scope.name === '@traceloop/instrumentation-anthropic');
    expect(traceloop.map((s) => s.attributes['agent.call.wrapper'])).toEqual([true, true]);
    const helper = metadata.spans.filter((s) => s.scope.name === 'agent-otel' && s.attributes['gen_ai.operation.name'] === 'chat');
    expect(helper.map((s) => s.attributes['agent.call.wrapper'])).toEqual([true]);
    const r = await runs(metadata.dir);
    expect(r.map((x) => [x.agent, x.status, n(x.llm_calls), n(x.input_tokens), n(x.output_tokens)])).toEqual([
      ['writer', 'success', 1, 14, 7], ['wrapped', 'success', 1, 14, 7],
    ]);
    expect(tokenRecordings(metadata.metrics)).toEqual({ 'agent-otel': 2 });
  });

  it('with OpenLLMetry alone, its span is the call, with model, provider, tokens and cost', async () => {
    const rows = await llmCalls(alone.dir);
    expect(rows.map((r) => [r.agent, r.name])).toEqual([['writer', 'chat mock-claude'], ['wrapped', 'chat mock-claude']]);
    for (const r of rows) {
      expect(r).toMatchObject({ operation: 'chat', provider: 'anthropic', model: 'mock-claude' });
      // as OpenLLMetry 0.27 reports them: Anthropic's input_tokens, which leave out the cached ones
      expect([n(r.input_tokens), n(r.output_tokens), n(r.cache_read_tokens)]).toEqual([11, 7, 3]);
      expect(r.cost_usd).toBeCloseTo((8 * 1000 + 3 * 100 + 7 * 2000) / 1e6, 10);
    }
    const r = await runs(alone.dir);
    expect(r.map((x) => [x.agent, n(x.llm_calls), n(x.input_tokens)])).toEqual([['writer', 1, 11], ['wrapped', 1, 11]]);
    expect(tokenRecordings(alone.metrics)).toEqual({ 'agent-otel': 2 });
  });

  it('keeps no system prompt, prompt or completion at privacy metadata', () => {
    expectNoContent(metadata);
    expectNoContent(alone);
  });
  it('keeps them at privacy full', () => expectContent(full, `${MARKER}-system`, `${MARKER}-prompt`, COMPLETION_MARKER));
});

describe('legacy OpenLLMetry spans (llm.request.type, gen_ai.system, gen_ai.usage.prompt_tokens, traceloop.span.kind)', () => {
  let metadata: App;
  let full: App;
  beforeAll(async () => {
    [metadata, full] = await Promise.all([runApp('openllmetry-legacy.mjs', 'metadata'), runApp('openllmetry-legacy.mjs', 'full')]);
  }, 60_000);

  it('model spans are llm_calls rows with operation, provider, model, tokens incl. cache and reasoning, and cost', async () => {
    const rows = await llmCalls(metadata.dir);
    expect(rows.map((r) => [r.name, r.operation, r.provider, r.model, r.agent, n(r.input_tokens), n(r.output_tokens), n(r.cache_read_tokens)])).toEqual([
      ['openai.chat', 'chat', 'openai', 'mock-model', 'planner', 11, 7, 3],
      ['anthropic.chat', 'chat', 'anthropic', 'mock-model', 'planner', 11, 7, 3],
      ['openai.embeddings', 'embeddings', 'openai', 'mock-embed', 'host', 11, null, null],
      ['openai.chat', 'chat', 'openai', 'mock-model', 'host', 11, 7, null],
    ]);
    expect(rows.map((r) => r.cost_usd as number)).toEqual([
      expect.closeTo((8 * 1000 + 3 * 100 + 7 * 2000) / 1e6, 10), expect.closeTo((8 * 1000 + 3 * 100 + 7 * 2000) / 1e6, 10),
      expect.closeTo(EMBED_USD, 10), expect.closeTo(CHAT_USD, 10),
    ]);
    const chat = metadata.spans.find((s) => s.name === 'openai.chat' && s.attributes['gen_ai.agent.name'] === 'planner')!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.usage.reasoning.output_tokens': 2, 'agent.dialect': 'openllmetry', 'gen_ai.system': 'OpenAI', 'llm.request.type': 'chat' });
  });

  it('a traceloop tool span is a tool call, an agent span a run, a workflow a workflow, a task none of these', async () => {
    expect(await queryViews(metadata.dir, 'SELECT tool, outcome, agent FROM tool_calls')).toEqual([{ tool: 'get_weather', outcome: 'success', agent: 'planner' }]);
    const r = await runs(metadata.dir);
    expect(r.map((x) => [x.agent, x.status, n(x.llm_calls), n(x.input_tokens), n(x.output_tokens)])).toEqual([
      ['planner', 'success', 2, 22, 14], ['host', 'success', 2, 22, 7],
    ]);
    const by = (name: string) => metadata.spans.find((s) => s.name === name)!.attributes;
    expect(by('research.workflow')).toMatchObject({ 'gen_ai.operation.name': 'invoke_workflow', 'agent.workflow.name': 'research' });
    expect(by('summarise.task')['gen_ai.operation.name']).toBeUndefined();
    // the agent inside our run belongs to it: no second run, no run status of its own
    expect(by('inner.agent')['agent.run.status']).toBeUndefined();
    expect(by('inner.agent')['agent.run.id']).toBe(by('invoke_agent host')['agent.run.id']);
  });

  it('a call inside withLlmCall is one call, and the GenAI metrics are recorded once per call', () => {
    const helper = metadata.spans.filter((s) => s.scope.name === 'agent-otel' && s.attributes['gen_ai.operation.name'] === 'chat');
    expect(helper.map((s) => s.attributes['agent.call.wrapper'])).toEqual([true]);
    expect(tokenRecordings(metadata.metrics)).toEqual({ 'agent-otel': 4 });
  });

  it('keeps no gen_ai.prompt.N / gen_ai.completion.N, tool definitions or entity input/output at privacy metadata', () => expectNoContent(metadata));
  it('keeps them at privacy full', () => {
    expectContent(full, `${MARKER}-prompt`, `${MARKER}-tooldef`, `${MARKER}-args`, `${MARKER}-agent-input`, `${MARKER}-tool-output`, COMPLETION_MARKER);
  });
});
