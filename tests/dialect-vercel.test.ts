import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SpanRow } from '../dist/semconv/schema.js';
import { filesContaining, queryViews, catchUp } from './support/store.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';

// Real AI SDK 6 and 7 apps (tests/fixtures/dialects/vercel-*.mjs, the SDKs' own mock models) in child
// processes, as a user runs them; what they leave is read through the views, the JSONL files and DuckDB.
const MARKER = `vrc${process.pid}x${Date.now().toString(36)}`;
/** One call of the mock model: 8 plain input tokens at 1000 USD/M, 3 cache-read at 100, 7 output at 2000. */
const CALL_USD = (8 * 1000 + 3 * 100 + 7 * 2000) / 1e6;
const EMBED_USD = (5 * 500) / 1e6;

interface App { dir: string; stdout: string; spans: SpanRow[] }

async function runApp(fixture: string, privacy: 'metadata' | 'full', mode?: string): Promise<App> {
  const dir = tmpDir('agent-otel-vercel-');
  const r = await runFixture(path.join('dialects', fixture), { AGENT_OTEL_DIR: dir, AGENT_OTEL_PRIVACY: privacy }, [MARKER, ...(mode ? [mode] : [])]);
  await catchUp(dir); // the database, as a first query brings it up to date (searched for content too)
  expect(r.code, r.stderr).toBe(0);
  return { dir, stdout: r.stdout, spans: await readSpans(dir) };
}

const rows = (dir: string, sql: string) => queryViews(dir, sql);
const n = (v: unknown) => (v === null || v === undefined ? v : Number(v));

/** Which attribute keys of which spans hold the marker (what a privacy failure names). */
function keysWithMarker(spans: SpanRow[]): string[] {
  const hits = new Set<string>();
  for (const s of spans) {
    for (const [k, v] of Object.entries(s.attributes)) if (JSON.stringify(v).includes(MARKER)) hits.add(`${s.name}: ${k}`);
    for (const e of s.events) for (const [k, v] of Object.entries(e.attributes ?? {})) if (JSON.stringify(v).includes(MARKER)) hits.add(`${s.name} event ${e.name}: ${k}`);
  }
  return [...hits].sort();
}

/** The workload's accounting, the same whichever AI SDK made the spans. */
async function expectAccounting(app: App): Promise<void> {
  const llm = await rows(app.dir, `SELECT name, operation, provider, model, response_model, input_tokens, output_tokens,
    cache_read_tokens, cost_usd, status_code, agent FROM llm_calls ORDER BY start_time`);
  const by = (agent: string) => llm.filter((r) => r.agent === agent);

  // researcher: the two model calls, never the generateText around them
  const researcher = by('researcher');
  expect(researcher).toHaveLength(2);
  expect(researcher.map((r) => r.response_model)).toEqual(['mock-model-2024-08-06', 'mock-model']);
  for (const r of researcher) {
    expect(r).toMatchObject({ operation: 'chat', provider: 'openai', model: 'mock-model', status_code: 'UNSET' });
    expect([n(r.input_tokens), n(r.output_tokens), n(r.cache_read_tokens)]).toEqual([11, 7, 3]);
    expect(r.cost_usd).toBeCloseTo(CALL_USD, 10);
  }
  for (const r of llm) expect(String(r.name)).not.toMatch(/^(ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)|invoke_agent .*|step \d+)$/);

  // wrapped: one call per real model call; our helper span around it is a wrapper, not a second call
  expect(by('wrapped')).toHaveLength(1);
  const helper = app.spans.filter((s) => s.scope.name === 'agent-otel' && s.attributes['gen_ai.operation.name'] === 'chat');
  expect(helper).toHaveLength(1);
  expect(helper[0]!.attributes['agent.call.wrapper']).toBe(true);

  // embedder: one embeddings call
  const embedder = by('embedder');
  expect(embedder).toHaveLength(1);
  expect(embedder[0]).toMatchObject({ operation: 'embeddings', provider: 'openai', model: 'mock-embed' });
  expect(n(embedder[0]!.input_tokens)).toBe(5);
  expect(embedder[0]!.cost_usd).toBeCloseTo(EMBED_USD, 10);

  // failing: the failed model call is a row with an error status
  const failing = by('failing');
  expect(failing).toHaveLength(1);
  expect(failing[0]).toMatchObject({ operation: 'chat', model: 'mock-model', status_code: 'ERROR' });
  expect(llm).toHaveLength(5);

  const tools = await rows(app.dir, 'SELECT tool, call_id, outcome, agent FROM tool_calls');
  expect(tools).toEqual([{ tool: 'lookup', call_id: 'call-1', outcome: 'success', agent: 'researcher' }]);

  const runs = await rows(app.dir, 'SELECT agent, status, llm_calls, input_tokens, output_tokens, cost_usd FROM agent_runs ORDER BY start_time');
  expect(runs.map((r) => [r.agent, r.status, n(r.llm_calls), n(r.input_tokens), n(r.output_tokens)])).toEqual([
    ['researcher', 'success', 2, 22, 14], ['wrapped', 'success', 1, 11, 7], ['embedder', 'success', 1, 5, 0], ['failing', 'failed', 1, 0, 0],
  ]);
  expect(runs[0]!.cost_usd).toBeCloseTo(2 * CALL_USD, 10);
  expect(runs[1]!.cost_usd).toBeCloseTo(CALL_USD, 10);

  // reasoning tokens on the model-call spans
  const calls = app.spans.filter((s) => s.attributes['gen_ai.agent.name'] === 'researcher' && s.attributes['gen_ai.operation.name'] === 'chat');
  expect(calls.map((s) => s.attributes['gen_ai.usage.reasoning.output_tokens'])).toEqual([2, 2]);
}

async function expectErrorType(app: App): Promise<void> {
  const [failed] = await rows(app.dir, "SELECT error_type FROM llm_calls WHERE agent = 'failing'");
  expect(failed?.error_type).toBe('AI_APICallError');
}

function expectNoContent(app: App): void {
  expect(keysWithMarker(app.spans), 'content attributes kept at privacy metadata').toEqual([]);
  expect(filesContaining(app.dir, MARKER)).toEqual([]);
}

function expectContent(app: App): void {
  const all = JSON.stringify(app.spans);
  for (const what of ['prompt', 'args', 'result', 'completion']) expect(all.includes(`${MARKER}-${what}`), what).toBe(true);
  const files = filesContaining(app.dir, MARKER).map((f) => path.relative(app.dir, f));
  expect(files).toContain('telemetry.duckdb');
  expect(files.some((f) => f.startsWith('spans/'))).toBe(true);
}

for (const [label, fixture] of [['AI SDK 6 (experimental_telemetry)', 'vercel-ai6.mjs'], ['AI SDK 7 (@ai-sdk/otel)', 'vercel-ai7.mjs']] as const) {
  describe(`Vercel ${label}`, () => {
    let metadata: App;
    let full: App;
    beforeAll(async () => {
      [metadata, full] = await Promise.all([runApp(fixture, 'metadata'), runApp(fixture, 'full')]);
    }, 60_000);

    it('model calls, tool calls and runs are counted once, with model, provider, tokens and cost', () => expectAccounting(metadata));
    it('a failed model call carries error.type', () => expectErrorType(metadata));
    it('keeps no prompt, tool arguments/results, completion or embedded text at privacy metadata', () => expectNoContent(metadata));
    it('keeps them at privacy full', () => expectContent(full));
  });
}

describe('Vercel AI SDK 7 with OpenInference\'s Vercel span conversion', () => {
  let app: App;
  beforeAll(async () => { app = await runApp('vercel-ai7.mjs', 'metadata', 'openinference'); }, 60_000);

  it('annotates the same spans, and every call is still counted once', async () => {
    const annotated = JSON.parse(app.stdout) as { name: string; kind?: string }[];
    // the SDK's four model calls and our wrapped helper span are LLM spans to OpenInference
    expect(annotated.filter((s) => s.kind === 'LLM').map((s) => s.name)).toEqual(Array(5).fill('chat mock-model'));
    expect(annotated.filter((s) => s.kind === 'TOOL').map((s) => s.name)).toEqual(['execute_tool lookup']);
    await expectAccounting(app);
  });
  it('keeps no content at privacy metadata', () => expectNoContent(app));
});
