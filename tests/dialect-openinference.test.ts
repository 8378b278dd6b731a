// OpenInference (Arize) instrumentations, as a user runs them: the real @arizeai packages around the
// real OpenAI, Anthropic and LangChain.js clients, against the local mock model server; what lands in
// the files and DuckDB read back through the views.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { traceAgent, traceTool } from '@arizeai/openinference-core';
import { registerTelemetry, withAgentRun, withLlmCall, type TelemetryHandle } from '../dist/src/index.js';
import { COMPLETION_MARKER, startMockModelServer, type MockModelServer } from './support/mockModelServer.js';
import { filesContaining, queryViews as queryRows, catchUp } from './support/store.js';
import { readSpans, tmpDir } from './support/harness.js';

// USD per million tokens for the mock server's model names.
const PRICES = {
  'mock-gpt': { input: 1, output: 2, input_cache_read: 0.5 },
  'mock-claude': { input: 3, output: 15, input_cache_read: 0.3 },
};
// The mock server's usage: 11 prompt tokens (3 of them cached) and 7 completion tokens.
const GPT_USD = (8 * 1 + 3 * 0.5 + 7 * 2) / 1e6;
// Anthropic reports 11 uncached input tokens plus 3 cache reads: 14 input tokens as GenAI counts them.
const CLAUDE_USD = (11 * 3 + 3 * 0.3 + 7 * 15) / 1e6;

const MARKERS = {
  prompt: 'PROMPT-MARKER-oi-41c7',
  system: 'SYSTEM-MARKER-oi-9d02',
  toolDef: 'TOOLDEF-MARKER-oi-5ae3',
  // The mock model answers a tool offer with these arguments.
  toolArgs: 'ARGS-MARKER-77',
  toolResult: 'RESULT-MARKER-oi-e810',
};

let server: MockModelServer;
let handle: TelemetryHandle | undefined;
let instrumentations: { setTracerProvider(p: ReturnType<typeof trace.getTracerProvider>): void }[] | undefined;

beforeAll(async () => { server = await startMockModelServer(); });
afterAll(async () => { await server.close(); });
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

function register(options: Parameters<typeof registerTelemetry>[0] = {}): string {
  const dir = tmpDir();
  handle = registerTelemetry({ dir, logLevel: 'none', git: false, pricing: PRICES, ...options });
  if (!instrumentations) {
    // What a user writes, once, after registerTelemetry() (ESM modules are patched by hand). The
    // instrumentations carry their own copy of @opentelemetry/api 1.9: made before registration they never
    // find the tracer provider.
    const openaiOI = new OpenAIInstrumentation();
    openaiOI.manuallyInstrument(OpenAI);
    const anthropicOI = new AnthropicInstrumentation();
    anthropicOI.manuallyInstrument(Anthropic);
    const langchainOI = new LangChainInstrumentation();
    langchainOI.manuallyInstrument(CallbackManagerModule);
    instrumentations = [openaiOI, anthropicOI, langchainOI];
  } else {
    // These tests register once per test: point the instrumentations at the new registration.
    for (const i of instrumentations) i.setTracerProvider(trace.getTracerProvider());
  }
  return dir;
}

const openai = () => new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather', description: `Weather of a city ${MARKERS.toolDef}`,
    parameters: { type: 'object', properties: { city: { type: 'string', description: MARKERS.toolDef } } },
  },
};

/** A tool the agent runs, traced with OpenInference's helper (a TOOL span). */
const getWeather = traceTool(async (call: { id: string; args: string }) => `sunny ${MARKERS.toolResult}`, {
  name: 'get_weather',
  processInput: (call) => ({ 'tool.id': call.id, 'input.value': call.args }),
});

/** Chat completion with a tool: the model asks for the tool, the tool runs, the model answers. */
async function openaiToolTurn(): Promise<string> {
  const client = openai();
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    { role: 'system', content: MARKERS.system }, { role: 'user', content: MARKERS.prompt },
  ];
  const first = await client.chat.completions.create({ model: 'mock-gpt', messages, tools: [weatherTool], temperature: 0.2, max_tokens: 50 });
  const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
  const result = await getWeather({ id: call.id, args: call.function.arguments });
  messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: result });
  const second = await client.chat.completions.create({ model: 'mock-gpt', messages, tools: [weatherTool] });
  return second.choices[0]!.message.content ?? '';
}

async function anthropicMessage(): Promise<void> {
  await anthropic().messages.create({
    model: 'mock-claude', max_tokens: 100, system: MARKERS.system, messages: [{ role: 'user', content: MARKERS.prompt }],
    tools: [{ name: 'get_weather', description: MARKERS.toolDef, input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  });
}

/** A LangChain chain (prompt template → chat model with a tool bound), then the tool the model asked for. */
async function langchainTurn(): Promise<void> {
  const model = new ChatOpenAI({ model: 'mock-gpt', apiKey: 'test', maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });
  const weather = tool(async ({ city }) => `sunny in ${city} ${MARKERS.toolResult}`, {
    name: 'get_weather', description: `Weather of a city ${MARKERS.toolDef}`, schema: z.object({ city: z.string() }),
  });
  const prompt = ChatPromptTemplate.fromMessages([['system', MARKERS.system], ['user', '{question}']]);
  const reply = await prompt.pipe(model.bindTools([weather])).invoke({ question: MARKERS.prompt });
  await weather.invoke(reply.tool_calls![0]!);
}

/** View rows with DuckDB's counts and sums (BIGINT / HUGEINT, returned as strings) as numbers. */
const COUNTS = new Set(['n', 'llm_calls', 'tool_calls', 'input_tokens', 'output_tokens', 'cache_read_tokens']);
async function queryViews(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  return (await queryRows(dir, sql)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, COUNTS.has(k) && v !== null ? Number(v) : v])));
}

const flush = async () => { await handle!.shutdown(); handle = undefined; };

describe('OpenInference OpenAI instrumentation', () => {
  it('chat completions with a tool turn are llm_calls rows with model, provider, tokens and cost; the TOOL span is a tool call', async () => {
    const dir = register();
    let runId = '';
    await withAgentRun({ agentName: 'oi-openai' }, async (run) => {
      runId = run.runId;
      expect(await openaiToolTurn()).toBe(COMPLETION_MARKER);
    });
    await flush();
    const calls = await queryViews(dir, 'SELECT * FROM llm_calls ORDER BY start_time');
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c).toMatchObject({
        operation: 'chat', provider: 'openai', model: 'mock-gpt', response_model: 'mock-gpt', input_tokens: 11, output_tokens: 7,
        cache_read_tokens: 3, cost_status: 'priced', agent: 'oi-openai', run_id: runId,
      });
      expect(c.cost_usd).toBeCloseTo(GPT_USD, 12);
    }
    const tools = await queryViews(dir, 'SELECT * FROM tool_calls');
    expect(tools).toEqual([expect.objectContaining({ tool: 'get_weather', call_id: 'call_mock_1', outcome: 'success', run_id: runId })]);
    // The run counts the calls its OpenInference spans made (it counted none before the dialect).
    const runs = await queryViews(dir, 'SELECT * FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ run_id: runId, agent: 'oi-openai', status: 'success', llm_calls: 2, tool_calls: 1, input_tokens: 22, output_tokens: 14 });
    expect(runs[0]!.cost_usd).toBeCloseTo(2 * GPT_USD, 12);
    // The originals stay next to the standard keys; request parameters come from llm.invocation_parameters.
    const first = (await readSpans(dir)).find((s) => s.name === 'OpenAI Chat Completions')!;
    expect(first.attributes).toMatchObject({
      'openinference.span.kind': 'LLM', 'llm.model_name': 'mock-gpt', 'llm.token_count.prompt': 11, 'agent.dialect': 'openinference',
      'gen_ai.request.temperature': 0.2, 'gen_ai.request.max_tokens': 50, 'gen_ai.response.finish_reasons': ['tool_calls'],
    });
  });

  it('embeddings and responses calls are llm_calls rows too', async () => {
    const dir = register();
    const client = openai();
    await client.embeddings.create({ model: 'mock-embed', input: ['some text'] });
    await client.responses.create({ model: 'mock-gpt', input: 'hello' });
    await flush();
    const calls = await queryViews(dir, 'SELECT operation, provider, model, input_tokens, output_tokens, cache_read_tokens FROM llm_calls ORDER BY start_time');
    expect(calls).toEqual([
      { operation: 'embeddings', provider: 'openai', model: 'mock-embed', input_tokens: null, output_tokens: null, cache_read_tokens: null },
      { operation: 'chat', provider: 'openai', model: 'mock-gpt', input_tokens: 11, output_tokens: 7, cache_read_tokens: 3 },
    ]);
  });

  it('a call made inside withLlmCall is counted once: the helper span becomes the wrapper', async () => {
    const dir = register();
    await withAgentRun({ agentName: 'wrapped' }, () => withLlmCall({ provider: 'openai', model: 'mock-gpt' }, () =>
      openai().chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] })));
    await flush();
    const calls = await queryViews(dir, 'SELECT name, input_tokens FROM llm_calls');
    expect(calls).toEqual([{ name: 'OpenAI Chat Completions', input_tokens: 11 }]);
    const helper = (await readSpans(dir)).find((s) => s.name === 'chat mock-gpt')!;
    expect(helper.attributes['agent.call.wrapper']).toBe(true);
    const runs = await queryViews(dir, 'SELECT llm_calls, input_tokens, cost_usd FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ llm_calls: 1, input_tokens: 11 });
    expect(runs[0]!.cost_usd).toBeCloseTo(GPT_USD, 12);
  });
});

describe('OpenInference Anthropic instrumentation', () => {
  it('a messages call is one llm_calls row (the SDK\'s own span inside it is not a second one) and counts in its run', async () => {
    const dir = register();
    let runId = '';
    await withAgentRun({ agentName: 'oi-anthropic' }, async (run) => {
      runId = run.runId;
      await anthropicMessage();
    });
    await flush();
    const calls = await queryViews(dir, 'SELECT * FROM llm_calls');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      operation: 'chat', provider: 'anthropic', model: 'mock-claude', response_model: 'mock-claude',
      input_tokens: 14, output_tokens: 7, cache_read_tokens: 3, cost_status: 'priced', run_id: runId,
    });
    expect(calls[0]!.cost_usd).toBeCloseTo(CLAUDE_USD, 12);
    const oi = (await readSpans(dir)).find((s) => s.name === 'Anthropic Messages')!;
    expect(oi.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 14, 'gen_ai.request.max_tokens': 100 });
    const runs = await queryViews(dir, 'SELECT * FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ run_id: runId, status: 'success', llm_calls: 1, input_tokens: 14, output_tokens: 7 });
    expect(runs[0]!.cost_usd).toBeCloseTo(CLAUDE_USD, 12);
  });

  it('without the SDK\'s own spans the OpenInference span is the call; a failed one carries error.type from its exception', async () => {
    const dir = register();
    // openTelemetry: false turns off the Anthropic SDK's own spans (OpenInference's stay).
    await new Anthropic({ apiKey: 'test', baseURL: server.url, openTelemetry: false }).messages.create({
      model: 'mock-claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }],
    });
    const down = new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:1', maxRetries: 0, openTelemetry: false });
    await expect(down.messages.create({ model: 'mock-claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow();
    await flush();
    const calls = await queryViews(dir, 'SELECT name, status_code, error_type, model, input_tokens, cache_read_tokens FROM llm_calls ORDER BY start_time');
    expect(calls).toEqual([
      { name: 'Anthropic Messages', status_code: 'OK', error_type: null, model: 'mock-claude', input_tokens: 14, cache_read_tokens: 3 },
      { name: 'Anthropic Messages', status_code: 'ERROR', error_type: 'APIConnectionError', model: 'mock-claude', input_tokens: null, cache_read_tokens: null },
    ]);
  });
});

describe('OpenInference AGENT spans', () => {
  const agent = traceAgent(async (question: string) => {
    await openai().chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: question }] });
    return 'done';
  }, { name: 'weather-agent' });
  const failing = traceAgent(async () => {
    await openai().chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] });
    throw new TypeError('no forecast');
  }, { name: 'failing-agent' });

  it('outside any run, an AGENT span is a run with its status, calls, tokens and cost (not abandoned)', async () => {
    const dir = register();
    await agent('hi');
    await expect(failing()).rejects.toThrow('no forecast');
    await flush();
    const runs = await queryViews(dir, 'SELECT * FROM agent_runs ORDER BY start_time');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ agent: 'weather-agent', status: 'success', llm_calls: 1, input_tokens: 11, output_tokens: 7 });
    expect(runs[0]!.cost_usd).toBeCloseTo(GPT_USD, 12);
    expect(runs[1]).toMatchObject({ agent: 'failing-agent', status: 'failed', error_type: 'TypeError', llm_calls: 1 });
    const calls = await queryViews(dir, 'SELECT agent, run_id FROM llm_calls ORDER BY start_time');
    expect(calls.map((c) => c.run_id)).toEqual([runs[0]!.run_id, runs[1]!.run_id]);
    expect(calls.map((c) => c.agent)).toEqual(['weather-agent', 'failing-agent']);
  });

  it('inside withAgentRun, an AGENT span adds no second run and does not double the totals', async () => {
    const dir = register();
    await withAgentRun({ agentName: 'outer' }, () => agent('hi'));
    await flush();
    const runs = await queryViews(dir, 'SELECT * FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ agent: 'outer', status: 'success', llm_calls: 1, input_tokens: 11, output_tokens: 7 });
    expect(runs[0]!.cost_usd).toBeCloseTo(GPT_USD, 12);
    const spans = await readSpans(dir);
    expect(spans.find((s) => s.name === 'weather-agent')!.attributes['gen_ai.operation.name']).toBe('invoke_agent');
    expect(spans.find((s) => s.name === 'invoke_agent outer')!.attributes['agent.run.input_tokens']).toBe(11);
  });
});

describe('OpenInference LangChain.js instrumentation', () => {
  it('one chat model call through @langchain/openai is one llm_calls row; CHAIN and PROMPT spans are not calls; the tool is a tool call', async () => {
    const dir = register();
    let runId = '';
    await withAgentRun({ agentName: 'lc-agent' }, async (run) => {
      runId = run.runId;
      await langchainTurn();
    });
    await flush();
    const calls = await queryViews(dir, 'SELECT * FROM llm_calls');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'ChatOpenAI', operation: 'chat', provider: 'openai', model: 'mock-gpt', input_tokens: 11, output_tokens: 7,
      cache_read_tokens: 3, cost_status: 'priced', run_id: runId,
    });
    expect(calls[0]!.cost_usd).toBeCloseTo(GPT_USD, 12);
    expect(await queryViews(dir, 'SELECT tool, outcome FROM tool_calls')).toEqual([{ tool: 'get_weather', outcome: 'success' }]);
    const runs = await queryViews(dir, 'SELECT * FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ run_id: runId, llm_calls: 1, tool_calls: 1, input_tokens: 11 });
    const chain = (await readSpans(dir)).find((s) => s.name === 'RunnableSequence')!;
    expect(chain.attributes['openinference.span.kind']).toBe('CHAIN');
    expect(chain.attributes['gen_ai.operation.name']).toBeUndefined();
  });
});

describe('privacy across OpenInference spans', () => {
  async function everything(): Promise<void> {
    await withAgentRun({ agentName: 'private' }, async () => {
      await openaiToolTurn();
      await anthropicMessage();
      await langchainTurn();
    });
  }

  it('at the default privacy level no prompt, system message, tool definition, argument or result reaches a file or DuckDB', async () => {
    const dir = register();
    await everything();
    await flush();
    for (const marker of [...Object.values(MARKERS), COMPLETION_MARKER]) expect(filesContaining(dir, marker), marker).toEqual([]);
    expect(await queryViews(dir, 'SELECT count(*) AS n FROM llm_calls')).toEqual([{ n: 4 }]); // the calls are there
  });

  it('at privacy full they are kept (positive control)', async () => {
    const dir = register({ privacy: 'full' });
    await everything();
    await flush();
    await catchUp(dir); // the database, as a first query brings it up to date
    for (const marker of [...Object.values(MARKERS), COMPLETION_MARKER]) {
      const files = filesContaining(dir, marker);
      expect(files.some((f) => f.includes('/spans/')), marker).toBe(true);
      expect(files.some((f) => f.endsWith('telemetry.duckdb')), marker).toBe(true);
    }
  });
});
