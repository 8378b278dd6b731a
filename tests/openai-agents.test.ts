// The OpenAI Agents SDK (@openai/agents) recorded through agent-otel's trace processor: a real Agent with
// a function tool run by the real runner against the local mock model server (Chat Completions: a tool
// call first, then the completion), read back through the DuckDB views and the files.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { z } from 'zod';
import {
  Agent, run, Runner, setDefaultOpenAIClient, setOpenAIAPI, setTraceProcessors, setTracingDisabled, tool,
} from '@openai/agents';
import { registerTelemetry, withAgentRun, type TelemetryHandle } from '../dist/src/index.js';
import { openAIAgentsProcessor } from '../dist/src/integrations/openaiAgents.js';
import { COMPLETION_MARKER, startMockModelServer, USAGE, type MockModelServer } from './support/mockModelServer.js';
import { filesContaining, queryViews } from './support/store.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';

const USER_MARKER = 'USER-MARKER-agents-31';
/** The mock model's tool-call arguments, echoed by the tool in its result. */
const ARGS_MARKER = 'ARGS-MARKER-77';
const MODEL = 'gpt-4o-mini';
/** USD per million tokens; per call: 8 plain input, 3 cached, 7 output tokens. */
const PRICE = { input: 1000, output: 2000, input_cache_read: 100 };
const CALL_USD = ((USAGE.input - USAGE.cacheRead) * PRICE.input + USAGE.cacheRead * PRICE.input_cache_read + USAGE.output * PRICE.output) / 1e6;

let mock: MockModelServer;
let handle: TelemetryHandle | undefined;

beforeAll(async () => {
  mock = await startMockModelServer();
  setDefaultOpenAIClient(new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test-key' }) as never);
  setOpenAIAPI('chat_completions');
  setTraceProcessors([openAIAgentsProcessor()]);
  setTracingDisabled(false);
});
afterAll(() => mock.close());
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  setOpenAIAPI('chat_completions');
  setTraceProcessors([openAIAgentsProcessor()]);
});

function register(privacy?: 'full') {
  const dir = tmpDir('agent-otel-agents-');
  handle = registerTelemetry({ dir, logLevel: 'none', git: false, privacy, pricing: { [MODEL]: PRICE } });
  return dir;
}

const weather = tool({
  name: 'get_weather', description: 'Weather in a city', parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});
const weatherAgent = () => new Agent({ name: 'weather-agent', instructions: 'Answer briefly.', model: MODEL, tools: [weather] });

describe('OpenAI Agents SDK runs become runs, LLM calls and tool calls', () => {
  it('a run() outside any withAgentRun is a run with its calls, tokens and cost; the SDK spans keep their structure', async () => {
    const dir = register();
    // Content recorded (as the GenAI content keys), then dropped by the default privacy level.
    setTraceProcessors([openAIAgentsProcessor({ captureContent: true })]);
    const result = await run(weatherAgent(), `What is the weather? ${USER_MARKER}`);
    expect(result.finalOutput).toBe(COMPLETION_MARKER);
    await handle!.forceFlush();

    const runs = await queryViews(dir, 'SELECT agent, status, llm_calls::INT AS llm_calls, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cost_usd FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ agent: 'weather-agent', status: 'success', llm_calls: 2, input_tokens: 22, output_tokens: 14 });
    expect(Number(runs[0]!.cost_usd)).toBeCloseTo(2 * CALL_USD, 10);

    const llm = await queryViews(dir, 'SELECT name, provider, model, response_model, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cache_read_tokens::INT AS cache_read_tokens, cost_usd, agent FROM llm_calls');
    expect(llm).toHaveLength(2);
    for (const row of llm) {
      expect(row).toMatchObject({
        name: `chat ${MODEL}`, provider: 'openai', model: MODEL, response_model: MODEL, agent: 'weather-agent',
        input_tokens: USAGE.input, output_tokens: USAGE.output, cache_read_tokens: USAGE.cacheRead,
      });
      expect(Number(row.cost_usd)).toBeCloseTo(CALL_USD, 10);
    }
    const tools = await queryViews(dir, 'SELECT tool, call_id, status_code FROM tool_calls');
    expect(tools).toEqual([{ tool: 'get_weather', call_id: 'call_mock_1', status_code: 'UNSET' }]);

    // One OTel trace: workflow → task → agent (the run) → turns → model and tool calls.
    const spans = await readSpans(dir);
    const by = (name: string) => spans.filter((s) => s.name === name);
    const [workflow] = by('invoke_workflow Agent workflow');
    const [task] = by('openai_agents.task');
    const [agent] = by('invoke_agent weather-agent');
    const turns = by('openai_agents.turn');
    const [toolSpan] = by('execute_tool get_weather');
    expect(new Set(spans.map((s) => s.trace_id)).size).toBe(1);
    expect(workflow!.parent_span_id ?? null).toBeNull();
    expect(task!.parent_span_id).toBe(workflow!.span_id);
    expect(agent!.parent_span_id).toBe(task!.span_id);
    expect(turns.map((t) => t.parent_span_id)).toEqual([agent!.span_id, agent!.span_id]);
    expect(by(`chat ${MODEL}`).map((s) => s.parent_span_id).sort()).toEqual(turns.map((t) => t.span_id).sort());
    expect(toolSpan!.parent_span_id).toBe(turns.find((t) => t.attributes['openai_agents.turn'] === 1)!.span_id);
    expect(agent!.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather-agent', 'agent.run.status': 'success' });
    // Real times: every child within its parent.
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    for (const s of spans) {
      const parent = s.parent_span_id ? byId.get(s.parent_span_id) : undefined;
      if (!parent) continue;
      expect(s.start_time >= parent.start_time && s.end_time <= parent.end_time, `${s.name} ${s.start_time}-${s.end_time} inside ${parent.name} ${parent.start_time}-${parent.end_time}`).toBe(true);
    }

    // Content stays out at the default privacy level, in every file (JSONL, DuckDB).
    for (const marker of [USER_MARKER, ARGS_MARKER, COMPLETION_MARKER]) expect(filesContaining(dir, marker), marker).toEqual([]);
  });

  it('inside withAgentRun the SDK agent is part of that run: one run with the totals', async () => {
    const dir = register();
    await withAgentRun({ agentName: 'outer' }, () => run(weatherAgent(), 'What is the weather?'));
    await handle!.forceFlush();
    const runs = await queryViews(dir, 'SELECT agent, status, llm_calls::INT AS llm_calls, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cost_usd FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ agent: 'outer', status: 'success', llm_calls: 2, input_tokens: 22, output_tokens: 14 });
    expect(Number(runs[0]!.cost_usd)).toBeCloseTo(2 * CALL_USD, 10);
    const tools = await queryViews(dir, 'SELECT tool, agent FROM tool_calls');
    expect(tools).toEqual([{ tool: 'get_weather', agent: 'outer' }]);
  });

  it('at privacy full the content is kept, under the GenAI content keys in their JSON shape', async () => {
    const dir = register('full');
    await run(weatherAgent(), `What is the weather? ${USER_MARKER}`);
    await handle!.forceFlush();
    for (const marker of [USER_MARKER, ARGS_MARKER, COMPLETION_MARKER]) expect(filesContaining(dir, marker), marker).not.toEqual([]);
    const spans = await readSpans(dir);
    const calls = spans.filter((s) => s.name === `chat ${MODEL}`).sort((a, b) => a.start_time.localeCompare(b.start_time));
    expect(JSON.parse(calls[0]!.attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'Answer briefly.' }]);
    expect(JSON.parse(calls[0]!.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: `What is the weather? ${USER_MARKER}` }] },
    ]);
    expect(JSON.parse(calls[0]!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_mock_1', name: 'get_weather', arguments: { city: ARGS_MARKER } }], finish_reason: 'tool_call' },
    ]);
    expect(JSON.parse(calls[1]!.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: COMPLETION_MARKER }], finish_reason: 'stop' },
    ]);
    const toolSpan = spans.find((s) => s.name === 'execute_tool get_weather')!;
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.tool.call.arguments': JSON.stringify({ city: ARGS_MARKER }), 'gen_ai.tool.call.result': `sunny in ${ARGS_MARKER}`,
    });
  });
});

describe('handoffs, guardrails, errors and the Responses API', () => {
  it('a handoff is an agent.handoff span; each agent is a run; a triggered guardrail fails its run', async () => {
    const dir = register();
    const specialist = new Agent({ name: 'specialist', instructions: 'Answer.', model: MODEL });
    const triage = new Agent({ name: 'triage', instructions: 'Route.', model: MODEL, handoffs: [specialist] });
    expect((await run(triage, 'route me')).finalOutput).toBe(COMPLETION_MARKER);

    const guarded = new Agent({
      name: 'guarded', model: MODEL,
      inputGuardrails: [{ name: 'no_secrets', execute: async () => ({ tripwireTriggered: true, outputInfo: {} }) }],
    });
    await expect(run(guarded, 'a secret')).rejects.toThrow(/guardrail triggered/i);
    await handle!.forceFlush();

    const spans = await readSpans(dir);
    const handoff = spans.find((s) => s.name === 'agent.handoff')!;
    expect(handoff.attributes).toMatchObject({ 'agent.handoff.from_agent': 'triage', 'agent.handoff.to_agent': 'specialist' });
    const guardrail = spans.find((s) => s.name === 'agent.guardrail no_secrets')!;
    expect(guardrail.attributes).toMatchObject({ 'agent.guardrail.name': 'no_secrets', 'agent.guardrail.triggered': true });

    const runs = await queryViews(dir, 'SELECT agent, status, error_type, llm_calls::INT AS llm_calls FROM agent_runs ORDER BY start_time');
    expect(runs).toEqual([
      { agent: 'triage', status: 'success', error_type: null, llm_calls: 1 },
      { agent: 'specialist', status: 'success', error_type: null, llm_calls: 1 },
      { agent: 'guarded', status: 'failed', error_type: 'agent_run_error', llm_calls: expect.any(Number) },
    ]);
  });

  it('a tool that throws is a failed tool call with error.type', async () => {
    const dir = register();
    const broken = tool({
      name: 'get_weather', description: 'Weather', parameters: z.object({ city: z.string() }),
      execute: async () => { throw new Error('weather service down'); },
    });
    await run(new Agent({ name: 'unlucky', model: MODEL, tools: [broken] }), 'weather?');
    await handle!.forceFlush();
    const tools = await queryViews(dir, 'SELECT tool, status_code, error_type FROM tool_calls');
    expect(tools).toEqual([{ tool: 'get_weather', status_code: 'ERROR', error_type: 'tool_error' }]);
  });

  it('Responses API calls (response spans) are LLM calls with the model, tokens and cost', async () => {
    const dir = register();
    setOpenAIAPI('responses');
    expect((await run(new Agent({ name: 'responder', model: MODEL }), 'hello')).finalOutput).toBe(COMPLETION_MARKER);
    await handle!.forceFlush();
    const llm = await queryViews(dir, 'SELECT name, provider, response_model, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cache_read_tokens::INT AS cache_read_tokens, cost_usd, agent FROM llm_calls');
    expect(llm).toEqual([{
      name: `chat ${MODEL}`, provider: 'openai', response_model: MODEL, input_tokens: 11, output_tokens: 7, cache_read_tokens: 3,
      cost_usd: expect.closeTo(CALL_USD, 10), agent: 'responder',
    }]);
  });
});

describe('events out of order', () => {
  it('a slower processor before ours delays some span ends: parents still end after their children, run totals are whole', async () => {
    const dir = register();
    const slow = {
      onTraceStart: async () => {}, onTraceEnd: async () => {}, onSpanStart: async () => {},
      onSpanEnd: async (span: { spanData: { type: string } }) => {
        if (span.spanData.type === 'generation') await new Promise((r) => setTimeout(r, 30));
      },
      shutdown: async () => {}, forceFlush: async () => {},
    };
    setTraceProcessors([slow, openAIAgentsProcessor()]);
    await run(weatherAgent(), 'weather?');
    await new Promise((r) => setTimeout(r, 100));
    await handle!.forceFlush();
    const spans = await readSpans(dir);
    const agent = spans.find((s) => s.name === 'invoke_agent weather-agent')!;
    expect(agent.attributes).toMatchObject({ 'agent.run.status': 'success', 'agent.run.input_tokens': 22, 'agent.run.output_tokens': 14 });
    expect(agent.attributes['agent.run.cost.usd']).toBeCloseTo(2 * CALL_USD, 10);
    expect(spans.filter((s) => s.name === `chat ${MODEL}`)).toHaveLength(2);
  });
});

describe('without the SDK\'s sensitive data', () => {
  it('the model calls still get their tokens (from the turn spans) and nothing of the content is recorded', async () => {
    const dir = register('full');
    await new Runner({ traceIncludeSensitiveData: false }).run(weatherAgent(), `weather? ${USER_MARKER}`);
    await handle!.forceFlush();
    const runs = await queryViews(dir, 'SELECT llm_calls::INT AS llm_calls, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cost_usd FROM agent_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ llm_calls: 2, input_tokens: 22, output_tokens: 14 });
    expect(Number(runs[0]!.cost_usd)).toBeCloseTo(2 * CALL_USD, 10);
    expect(filesContaining(dir, USER_MARKER)).toEqual([]);
  });
});

describe('the README example', () => {
  it('runs as shown and leaves the run in the files', async () => {
    const dir = tmpDir('agent-otel-agents-readme-');
    const child = await runFixture('openai-agents-app.mjs', {
      AGENT_OTEL_DIR: dir, MOCK_MODEL_URL: mock.url, AGENT_OTEL_GIT: 'false',
      NODE_ENV: 'production', // vitest's NODE_ENV=test turns the SDK's tracing off
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(COMPLETION_MARKER);
    const runs = await queryViews(dir, 'SELECT agent, status, llm_calls::INT AS llm_calls, input_tokens::INT AS input_tokens, output_tokens::INT AS output_tokens, cost_usd FROM agent_runs');
    expect(runs).toEqual([{ agent: 'weather-agent', status: 'success', llm_calls: 2, input_tokens: 22, output_tokens: 14, cost_usd: expect.any(Number) }]);
    expect(Number(runs[0]!.cost_usd)).toBeGreaterThan(0);
  });
});
