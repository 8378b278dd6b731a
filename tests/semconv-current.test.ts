// The GenAI semantic conventions as published now (open-telemetry/semantic-conventions-genai), through
// the real registerTelemetry and the files it writes: usage keys, gen_ai.agent.id, workflows, content
// in the spec's JSON shape, and the latest metric names behind OTEL_SEMCONV_STABILITY_OPT_IN.
import { afterEach, describe, expect, it } from 'vitest';
import {
  registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow, type TelemetryHandle, type TelemetryOptions,
} from '../dist/src/index.js';
import OpenAI from 'openai';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { startMockModelServer, USAGE } from './support/mockModelServer.js';
import { queryViews } from './support/store.js';
import { readMetrics, readSpans, sumMetric, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
});

async function run(options: TelemetryOptions, work: () => Promise<unknown>) {
  const dir = tmpDir();
  handle = registerTelemetry({ dir, logLevel: 'none', ...options });
  await work();
  await handle.forceFlush();
  return { dir, spans: await readSpans(dir), metrics: await readMetrics(dir) };
}
const attrsOf = (spans: Awaited<ReturnType<typeof readSpans>>, name: string) => {
  const s = spans.find((x) => x.name === name);
  expect(s, name).toBeDefined();
  return s!.attributes;
};
const json = (v: unknown) => JSON.parse(v as string);

describe('token usage', () => {
  it('cache writes under the spec name and the earlier one, reasoning tokens; llm_calls and cost read them', async () => {
    const { dir, spans } = await run({ pricing: { 'm-cache': { input: 1, output: 2, input_cache_read: 0.5, input_cache_write: 10 } } }, () =>
      withLlmCall({ provider: 'anthropic', model: 'm-cache' }, (call) => call.recordUsage({
        inputTokens: 1000, outputTokens: 50, cacheReadTokens: 100, cacheWriteTokens: 200, reasoningTokens: 30,
      })));
    expect(attrsOf(spans, 'chat m-cache')).toMatchObject({
      'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 50, 'gen_ai.usage.cache_read.input_tokens': 100,
      'gen_ai.usage.cache_write.input_tokens': 200, 'gen_ai.usage.cache_creation.input_tokens': 200,
      'gen_ai.usage.reasoning.output_tokens': 30,
    });
    const [row] = await queryViews(dir, 'SELECT cache_read_tokens, cache_creation_tokens, cost_usd FROM llm_calls');
    expect(Number(row!.cache_creation_tokens)).toBe(200);
    expect(Number(row!.cache_read_tokens)).toBe(100);
    // 700 plain input at 1, 100 cached at 0.5, 200 written at 10, 50 output at 2 (USD per million)
    expect(Number(row!.cost_usd)).toBeCloseTo(2850 / 1e6, 12);
  });

  it('cacheCreationTokens (the earlier option name) still records both keys', async () => {
    const { spans } = await run({}, () => withLlmCall({ provider: 'p', model: 'm' }, (c) => c.recordUsage({ cacheCreationTokens: 7 })));
    expect(attrsOf(spans, 'chat m')).toMatchObject({ 'gen_ai.usage.cache_write.input_tokens': 7, 'gen_ai.usage.cache_creation.input_tokens': 7 });
  });
});

describe('gen_ai.agent.id is the stable id of the agent, not of a run', () => {
  it('is the same on every run of the agent while agent.run.id differs, and is never set to the run id', async () => {
    const { spans } = await run({}, async () => {
      await withAgentRun({ agentName: 'helper', agentId: 'asst_abc', agentDescription: 'Answers questions' }, () => {});
      await withAgentRun({ agentName: 'helper', agentId: 'asst_abc' }, () => {});
      await withAgentRun({ agentName: 'confused', runId: 'run-1', agentId: 'run-1' }, () => {});
      await withAgentRun({ agentName: 'plain' }, () => {});
    });
    const helpers = spans.filter((s) => s.name === 'invoke_agent helper');
    expect(helpers.map((s) => s.attributes['gen_ai.agent.id'])).toEqual(['asst_abc', 'asst_abc']);
    expect(new Set(helpers.map((s) => s.attributes['agent.run.id'])).size).toBe(2);
    expect(helpers[0]!.attributes['gen_ai.agent.description']).toBe('Answers questions');
    expect(attrsOf(spans, 'invoke_agent confused')['gen_ai.agent.id']).toBeUndefined();
    expect(attrsOf(spans, 'invoke_agent confused')['agent.run.id']).toBe('run-1');
    expect(attrsOf(spans, 'invoke_agent plain')['gen_ai.agent.id']).toBeUndefined();
  });
});

describe('workflows follow the spec', () => {
  it('invoke_workflow {gen_ai.workflow.name} INTERNAL spans with gen_ai.invocation.is_nested', async () => {
    const { spans } = await run({}, () => withWorkflow({ name: 'triage', conversationId: 'conv-1' }, () =>
      withAgentRun({ agentName: 'router' }, () => withWorkflow({ name: 'sub_pipeline' }, () => withAgentRun({ agentName: 'worker' }, () => {})))));
    const outer = spans.find((s) => s.name === 'invoke_workflow triage')!;
    expect(outer).toMatchObject({ kind: 'INTERNAL', parent_span_id: null });
    expect(outer.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'triage', 'gen_ai.invocation.is_nested': false,
      'gen_ai.conversation.id': 'conv-1',
    });
    expect(outer.attributes['agent.workflow.name']).toBeUndefined();
    expect(attrsOf(spans, 'invoke_agent router')['gen_ai.invocation.is_nested']).toBe(true);
    expect(attrsOf(spans, 'invoke_workflow sub_pipeline')).toMatchObject({ 'gen_ai.workflow.name': 'sub_pipeline', 'gen_ai.invocation.is_nested': true });
    expect(attrsOf(spans, 'invoke_agent worker')['gen_ai.invocation.is_nested']).toBe(true);
  });

  it('a run on its own is not nested', async () => {
    const { spans } = await run({}, () => withAgentRun({ agentName: 'solo' }, () => {}));
    expect(attrsOf(spans, 'invoke_agent solo')['gen_ai.invocation.is_nested']).toBe(false);
  });
});

describe('captured content uses the spec JSON shape', () => {
  const SECRET = 'marker-7f3a';
  /** One agent iteration with OpenAI-style messages, a system prompt, a tool round trip and the tool itself. */
  const workload = () => withAgentRun({ agentName: 'a' }, async () => {
    await withLlmCall({
      provider: 'openai', model: 'gpt-x',
      input: [
        { role: 'system', content: `You are terse ${SECRET}` },
        { role: 'user', content: `Weather in Paris? ${SECRET}` },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy, 57°F' },
      ],
    }, (call) => {
      call.setOutput({ choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null,
        tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }] } }] });
    });
    await withToolCall({ name: 'get_weather', callId: 'call_2', arguments: '{"city":"Lyon"}' }, (tool) => tool.setResult({ conditions: `sunny ${SECRET}` }));
    await withLlmCall({ provider: 'anthropic', model: 'claude-x', system: 'Be brief.', input: 'Summarise.' }, (call) => {
      call.setResponse({ finishReasons: ['length'] });
      call.setOutput('Sunny in Lyon');
    });
  });

  it('at privacy full: messages with parts, system instructions apart, finish reasons, tool arguments as objects', async () => {
    const { spans } = await run({ privacy: 'full' }, workload);
    const chat = attrsOf(spans, 'chat gpt-x');
    expect(json(chat['gen_ai.input.messages'])).toEqual([
      { role: 'user', parts: [{ type: 'text', content: `Weather in Paris? ${SECRET}` }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
    ]);
    expect(json(chat['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: `You are terse ${SECRET}` }]);
    expect(json(chat['gen_ai.output.messages'])).toEqual([{
      role: 'assistant', finish_reason: 'tool_call',
      parts: [{ type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: { city: 'Lyon' } }],
    }]);
    const tool = attrsOf(spans, 'execute_tool get_weather');
    expect(json(tool['gen_ai.tool.call.arguments'])).toEqual({ city: 'Lyon' });
    expect(json(tool['gen_ai.tool.call.result'])).toEqual({ conditions: `sunny ${SECRET}` });
    const claude = attrsOf(spans, 'chat claude-x');
    expect(json(claude['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Summarise.' }] }]);
    expect(json(claude['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(json(claude['gen_ai.output.messages'])).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Sunny in Lyon' }], finish_reason: 'length' }]);
  });

  it('at the default metadata level none of it is written', async () => {
    const { spans } = await run({}, workload);
    expect(JSON.stringify(spans)).not.toContain(SECRET);
    expect(attrsOf(spans, 'chat gpt-x')['gen_ai.input.messages']).toBeUndefined();
    expect(attrsOf(spans, 'chat gpt-x')['gen_ai.system_instructions']).toBeUndefined();
  });

  it('Anthropic and AI SDK blocks, request bodies, and a failed call\'s partial output', async () => {
    const { spans } = await run({ privacy: 'full' }, async () => {
      await withLlmCall({
        provider: 'anthropic', model: 'm1',
        input: {
          model: 'm1', system: [{ type: 'text', text: 'sys' }], messages: [
            { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
            { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'tool_use', id: 'tu_1', name: 'calc', input: { x: 1 } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: '2' }] }, { type: 'citation_x', url: 'u' }] },
          ],
        },
      }, (call) => call.setOutput({ role: 'assistant', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' }));
      await withLlmCall({ provider: 'openai', model: 'm2', input: [{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 't9', toolName: 'x', output: { v: 1 } }] }] },
        (call) => call.setOutput(['a', 'b']));
      await withLlmCall({ provider: 'openai', model: 'm4', input: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, () => {});
      await expect(withLlmCall({ provider: 'openai', model: 'm3', input: 42 }, (call) => {
        call.setOutput('partial');
        throw new Error('stream cut');
      })).rejects.toThrow('stream cut');
    });
    const m1 = attrsOf(spans, 'chat m1');
    expect(json(m1['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: 'sys' }]);
    expect(json(m1['gen_ai.input.messages'])).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'hi' }, { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'AAAA' }] },
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'tool_call', id: 'tu_1', name: 'calc', arguments: { x: 1 } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'tu_1', response: '2' }, { type: 'generic', generic_type: 'citation_x', url: 'u' }] },
    ]);
    expect(json(m1['gen_ai.output.messages'])).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }], finish_reason: 'stop' }]);
    const m2 = attrsOf(spans, 'chat m2');
    expect(json(m2['gen_ai.input.messages'])).toEqual([{ role: 'tool', parts: [{ type: 'tool_call_response', id: 't9', response: { v: 1 } }] }]);
    expect(json(m2['gen_ai.output.messages']).map((m: { parts: unknown[]; finish_reason: string }) => [m.parts, m.finish_reason]))
      .toEqual([[[{ type: 'text', content: 'a' }], 'stop'], [[{ type: 'text', content: 'b' }], 'stop']]);
    expect(json(attrsOf(spans, 'chat m4')['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [
      { type: 'text', content: 'see' }, { type: 'uri', modality: 'image', mime_type: null, uri: 'https://x/y.png' }] }]);
    const m3 = attrsOf(spans, 'chat m3');
    expect(json(m3['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: '42' }] }]);
    expect(json(m3['gen_ai.output.messages'])).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'partial' }], finish_reason: 'error' }]);
  });
});

describe('metric names', () => {
  /** A workflow with one agent that makes two chat calls, one embeddings call and two tool calls (one failing). */
  const workload = () => withWorkflow({ name: 'wf' }, () => withAgentRun({ agentName: 'agent-x' }, async () => {
    await withLlmCall({ provider: 'openai', model: 'gpt-m' }, (c) => {
      c.recordUsage({ inputTokens: 1000, outputTokens: 100, cacheReadTokens: 400, cacheWriteTokens: 50, reasoningTokens: 60 });
      c.setResponse({ model: 'gpt-m-1' });
    });
    await withLlmCall({ provider: 'openai', model: 'gpt-m' }, (c) => c.recordUsage({ inputTokens: 10, outputTokens: 5 }));
    await withLlmCall({ provider: 'openai', model: 'emb', operation: 'embeddings' }, (c) => c.recordUsage({ inputTokens: 8 }));
    await withToolCall({ name: 'search' }, () => 'ok');
    await withToolCall({ name: 'search' }, (t) => t.fail('not_found'));
  }));
  const LATEST = [
    'gen_ai.client.inference.duration', 'gen_ai.client.inference.usage.input_tokens', 'gen_ai.client.inference.usage.output_tokens',
    'gen_ai.client.inference.usage.cache_read.input_tokens', 'gen_ai.client.inference.usage.cache_write.input_tokens',
    'gen_ai.client.inference.usage.reasoning.output_tokens', 'gen_ai.client.inference.operation.input_tokens',
    'gen_ai.client.inference.operation.output_tokens', 'gen_ai.invocation.duration', 'gen_ai.invoke_agent.inference_calls',
    'gen_ai.invoke_agent.tool_calls', 'gen_ai.execute_tool.duration',
  ];

  it('by default: gen_ai.client.token.usage and gen_ai.client.operation.duration, none of the latest names', async () => {
    const { metrics } = await run({}, workload);
    const names = new Set(metrics.map((m) => m.name));
    expect(names).toContain('gen_ai.client.token.usage');
    expect(names).toContain('gen_ai.client.operation.duration');
    for (const n of LATEST) expect(names, n).not.toContain(n);
    expect(handle!.config.genAiLatestExperimental).toBe(false);
  });

  it('with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: the latest names, values and attributes', async () => {
    process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http, gen_ai_latest_experimental';
    const { metrics } = await run({}, workload);
    expect(handle!.config.semconvOptIn).toEqual(['http', 'gen_ai_latest_experimental']);
    expect(handle!.config.genAiLatestExperimental).toBe(true);
    const names = new Set(metrics.map((m) => m.name));
    for (const n of LATEST) expect(names, n).toContain(n);
    expect(names).not.toContain('gen_ai.client.token.usage');
    const of = (name: string) => metrics.filter((m) => m.name === name);

    // inference duration for chat; embeddings stay on gen_ai.client.operation.duration
    expect(of('gen_ai.client.inference.duration').reduce((n, m) => n + (m.count ?? 0), 0)).toBe(2);
    expect(of('gen_ai.client.inference.duration')[0]).toMatchObject({ unit: 's', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' } });
    expect(of('gen_ai.client.inference.duration')[0]!.bounds).toEqual([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    expect(of('gen_ai.client.operation.duration').map((m) => m.attributes['gen_ai.operation.name'])).toEqual(['embeddings']);

    // usage counters: by modality, cache and reasoning as subsets
    const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-m', 'gen_ai.token.modality': 'unknown' };
    expect(sumMetric(metrics, 'gen_ai.client.inference.usage.input_tokens', chat)).toBe(1010);
    expect(sumMetric(metrics, 'gen_ai.client.inference.usage.output_tokens', chat)).toBe(105);
    expect(sumMetric(metrics, 'gen_ai.client.inference.usage.cache_read.input_tokens', chat)).toBe(400);
    expect(sumMetric(metrics, 'gen_ai.client.inference.usage.cache_write.input_tokens', chat)).toBe(50);
    expect(sumMetric(metrics, 'gen_ai.client.inference.usage.reasoning.output_tokens', chat)).toBe(60);
    expect(of('gen_ai.client.inference.usage.input_tokens')[0]).toMatchObject({ type: 'sum', monotonic: true, unit: '{token}' });
    const perOp = of('gen_ai.client.inference.operation.input_tokens').filter((m) => m.attributes['gen_ai.operation.name'] === 'chat');
    expect(perOp.reduce((n, m) => n + (m.count ?? 0), 0)).toBe(2);
    expect(perOp[0]!.bounds).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);

    // invocations: the workflow (not nested) and the agent (nested), with the spec's buckets
    const inv = of('gen_ai.invocation.duration');
    expect(inv.map((m) => [m.attributes['gen_ai.operation.name'], m.attributes['gen_ai.workflow.name'] ?? m.attributes['gen_ai.agent.name'],
      m.attributes['gen_ai.invocation.is_nested'], m.count]).sort()).toEqual([['invoke_agent', 'agent-x', true, 1], ['invoke_workflow', 'wf', false, 1]]);
    expect(inv[0]!.bounds).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6]);
    const calls = of('gen_ai.invoke_agent.inference_calls')[0]!;
    expect(calls).toMatchObject({ unit: '{inference_call}', count: 1, sum: 3, attributes: { 'gen_ai.agent.name': 'agent-x' } });
    expect(calls.bounds).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(of('gen_ai.invoke_agent.tool_calls')[0]).toMatchObject({ unit: '{tool_call}', count: 1, sum: 2 });

    // tool executions, the failed one with error.type
    const tools = of('gen_ai.execute_tool.duration');
    expect(tools.map((m) => [m.attributes['gen_ai.tool.name'], m.attributes['error.type'] ?? null, m.count]).sort())
      .toEqual([['search', null, 1], ['search', 'not_found', 1]]);
  });

  it('another library\'s model calls get the same names (OpenLLMetry\'s OpenAI instrumentation, mock model server)', async () => {
    const server = await startMockModelServer();
    try {
      process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'gen_ai_latest_experimental';
      const { metrics } = await run({}, async () => {
        // Instrumented after registering (its tracer binds to the provider registered then); once per process.
        new OpenAIInstrumentation().manuallyInstrument(OpenAI);
        const client = new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
        await withAgentRun({ agentName: 'ollm' }, () => client.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] }));
      });
      const where = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'mock-model' };
      expect(sumMetric(metrics, 'gen_ai.client.inference.usage.input_tokens', where)).toBe(USAGE.input);
      expect(sumMetric(metrics, 'gen_ai.client.inference.usage.output_tokens', where)).toBe(USAGE.output);
      // OpenLLMetry does not report cached tokens: the counter still gets its 0, as the spec asks.
      expect(metrics.filter((m) => m.name === 'gen_ai.client.inference.usage.cache_read.input_tokens').map((m) => m.value)).toEqual([0]);
      expect(metrics.filter((m) => m.name === 'gen_ai.client.inference.duration').map((m) => m.count)).toEqual([1]);
      expect(metrics.find((m) => m.name === 'gen_ai.invoke_agent.inference_calls')).toMatchObject({ sum: 1, attributes: { 'gen_ai.agent.name': 'ollm' } });
      expect(metrics.some((m) => m.name === 'gen_ai.client.token.usage')).toBe(false);
    } finally {
      await server.close();
    }
  });
});
