import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import {
  currentRunId, registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow, type TelemetryHandle,
} from '../dist/src/index.js';
import { readMetrics, readRunStarts, readSpans, sumMetric, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
});

class RateLimitError extends Error { override name = 'RateLimitError'; }

/** The example workload, plus a failing tool, plain OTel span and a workflow around it. */
async function workload(): Promise<string> {
  let runId = '';
  await withWorkflow({ name: 'research' }, () => withAgentRun({ agentName: 'planner', runKind: 'process_files' }, async (run) => {
    runId = run.runId;
    expect(currentRunId()).toBe(run.runId);
    const reply = await withLlmCall({ provider: 'openai', model: 'gpt-4o', input: [{ role: 'user', content: 'secret prompt' }] }, async (call) => {
      call.recordUsage({ inputTokens: 1200, outputTokens: 300, cacheReadTokens: 100 });
      call.setResponse({ model: 'gpt-4o-2024-08-06', id: 'chatcmpl-1', finishReasons: ['stop'] });
      call.setOutput('secret completion');
      return { text: 'search for x' };
    });
    await withToolCall({ name: 'web_search', callId: 'call_1', arguments: { q: 'secret args' } }, (tool) => {
      tool.setResult('secret result');
      return reply.text;
    });
    await expect(withToolCall({ name: 'fetch_page', callId: 'call_2' }, async () => { throw new RateLimitError('429 from server'); }))
      .rejects.toThrow('429 from server');
    trace.getTracer('plain').startSpan('plain child').end();
    run.setItems({ discovered: 10, succeeded: 9, failed: 1 });
  }));
  return runId;
}

describe('helpers make GenAI-conformant spans', () => {
  it('names, kinds, attributes at start, parents and agent.run.id on every span in the run', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, serviceName: 'planner-agent' });
    const runId = await workload();
    await handle.forceFlush();
    const spans = await readSpans(dir);
    const by = (name: string) => spans.find((s) => s.name === name)!;
    const wf = by('invoke_workflow research');
    const run = by('invoke_agent planner');
    const llm = by('chat gpt-4o');
    const tool = by('execute_tool web_search');
    const failed = by('execute_tool fetch_page');
    expect(wf).toMatchObject({ kind: 'INTERNAL', parent_span_id: null });
    expect(wf.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'research', 'gen_ai.invocation.is_nested': false });
    expect(run).toMatchObject({ kind: 'INTERNAL', parent_span_id: wf.span_id, status_code: 'UNSET' });
    expect(run.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'agent.run.id': runId,
      'agent.run.kind': 'process_files', 'agent.run.status': 'success', 'agent.items.discovered': 10,
      'agent.items.succeeded': 9, 'agent.items.failed': 1, 'agent.run.input_tokens': 1200, 'agent.run.output_tokens': 300,
      'gen_ai.invocation.is_nested': true,
    });
    expect(llm).toMatchObject({ kind: 'CLIENT', parent_span_id: run.span_id });
    expect(llm.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06', 'gen_ai.response.id': 'chatcmpl-1', 'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 100,
    });
    expect(tool).toMatchObject({ kind: 'INTERNAL', parent_span_id: run.span_id, status_code: 'UNSET' });
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.call.id': 'call_1', 'agent.tool.outcome': 'success' });
    expect(failed).toMatchObject({ status_code: 'ERROR', status_message: '429 from server' });
    expect(failed.attributes).toMatchObject({ 'error.type': 'RateLimitError', 'agent.tool.outcome': 'error' });
    expect(failed.events).toHaveLength(1);
    expect(failed.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'RateLimitError', 'exception.message': '429 from server' } });
    // every span inside the run carries the run id and agent, plain OTel ones included
    for (const s of spans.filter((x) => x.name !== 'invoke_workflow research')) {
      expect(s.attributes['agent.run.id'], s.name).toBe(runId);
      expect(s.attributes['gen_ai.agent.name'], s.name).toBe('planner');
    }
    expect(wf.attributes['agent.run.id']).toBeUndefined();
    // The run's start is a row of its own in runs/ (the run span's ids and start), not a span.
    expect(spans.map((s) => s.name)).not.toContain('agent.run.start');
    expect(await readRunStarts(dir)).toEqual([{
      run_id: runId, trace_id: run.trace_id, span_id: run.span_id, start_time: run.start_time, agent: 'planner', kind: 'process_files',
      service_name: 'planner-agent', host: os.hostname(), pid: process.pid,
    }]);
  });

  it('a run that throws ends failed with error.type and rethrows to the caller', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    await expect(withAgentRun({ agentName: 'w' }, async () => { throw new TypeError('bad input'); })).rejects.toThrow(TypeError);
    await withAgentRun({ agentName: 'w' }, (run) => run.fail('gave up after 3 retries', 'retries_exhausted'));
    await handle.forceFlush();
    const runs = (await readSpans(dir)).filter((s) => s.name === 'invoke_agent w');
    expect(runs.map((r) => [r.status_code, r.attributes['agent.run.status'], r.attributes['error.type']])).toEqual([
      ['ERROR', 'failed', 'TypeError'], ['ERROR', 'failed', 'retries_exhausted']]);
    expect(runs[1]!.status_message).toBe('gave up after 3 retries');
  });

  it('helpers return the callback value and accept synchronous callbacks', async () => {
    handle = registerTelemetry({ dir: tmpDir() });
    expect(await withToolCall({ name: 't' }, () => 42)).toBe(42);
    expect(await withAgentRun({ agentName: 'a', runId: 'fixed-id' }, (run) => run.runId)).toBe('fixed-id');
  });

  it('gives each run a new 16-character id that redaction leaves as it is', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) ids.push(await withAgentRun({ agentName: 'a' }, (run) => run.runId));
    await handle.forceFlush();
    // base 32, the 9th a letter: never 13 digits in a row, which the card-number rule would redact
    for (const id of ids) expect(id).toMatch(/^[0-9a-v]{8}[a-p][0-9a-v]{7}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const written = (await readSpans(dir)).map((s) => s.attributes['agent.run.id']);
    expect(written.sort()).toEqual([...ids].sort());
  });

  it('bad usage numbers are ignored with a warning, never thrown into the agent', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, logLevel: 'none' });
    await withLlmCall({ provider: 'p', model: 'm' }, (call) => call.recordUsage({ inputTokens: -5, outputTokens: Number.NaN }));
    await withAgentRun({ agentName: 'a' }, (run) => run.setItems({ discovered: -1 }));
    await handle.forceFlush();
    const spans = await readSpans(dir);
    expect(spans.find((s) => s.name === 'chat m')!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});

describe('content capture', () => {
  const secret = /secret (prompt|completion|args|result)/;
  it('is off by default: prompts, completions and tool arguments are not recorded', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    await workload();
    await handle.forceFlush();
    expect(JSON.stringify(await readSpans(dir))).not.toMatch(secret);
  });

  it('is on with the option', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, captureContent: true });
    await workload();
    await handle.forceFlush();
    const spans = await readSpans(dir);
    // the spec's JSON shape (tests/semconv-current.test.ts covers the conversions)
    expect(spans.find((s) => s.name === 'chat gpt-4o')!.attributes).toMatchObject({
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"secret prompt"}]}]',
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"secret completion"}],"finish_reason":"stop"}]',
    });
    expect(spans.find((s) => s.name === 'execute_tool web_search')!.attributes).toMatchObject({
      'gen_ai.tool.call.arguments': '{"q":"secret args"}', 'gen_ai.tool.call.result': 'secret result',
    });
  });

  it('is on with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true', async () => {
    const dir = tmpDir();
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    handle = registerTelemetry({ dir });
    await workload();
    await handle.forceFlush();
    expect(JSON.stringify(await readSpans(dir))).toMatch(secret);
  });
});

describe('helper metrics', () => {
  it('records GenAI token usage and duration, runs, run duration, tool calls, errors, items and active runs', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    await workload();
    let release!: () => void;
    const running = withAgentRun({ agentName: 'long' }, () => new Promise<void>((r) => { release = r; }));
    await handle.forceFlush();
    const m1 = await readMetrics(dir);
    const active = (rows: typeof m1, agent: string) => rows.filter((r) => r.name === 'agent.runs.active' && r.attributes['gen_ai.agent.name'] === agent).at(-1)?.value;
    expect(active(m1, 'long')).toBe(1);
    expect(active(m1, 'planner')).toBe(0);
    release();
    await running;
    await handle.forceFlush();
    const m = await readMetrics(dir);
    expect(active(m, 'long')).toBe(0);

    const tokens = m.filter((r) => r.name === 'gen_ai.client.token.usage');
    expect(tokens.map((r) => [r.attributes['gen_ai.token.type'], r.sum, r.unit])).toEqual(expect.arrayContaining([['input', 1200, '{token}'], ['output', 300, '{token}']]));
    expect(tokens[0]).toMatchObject({ type: 'histogram', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' } });
    expect(tokens[0]!.bounds).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    const duration = m.find((r) => r.name === 'gen_ai.client.operation.duration')!;
    expect(duration).toMatchObject({ unit: 's', count: 1 });
    expect(duration.bounds).toEqual([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    expect(sumMetric(m, 'agent.runs', { 'gen_ai.agent.name': 'planner', 'agent.run.status': 'success', 'agent.run.kind': 'process_files' })).toBe(1);
    expect(m.find((r) => r.name === 'agent.run.duration' && r.attributes['gen_ai.agent.name'] === 'planner')).toMatchObject({ unit: 's', count: 1 });
    expect(sumMetric(m, 'agent.tool.calls', { 'gen_ai.tool.name': 'web_search', 'agent.tool.outcome': 'success' })).toBe(1);
    expect(sumMetric(m, 'agent.tool.calls', { 'gen_ai.tool.name': 'fetch_page', 'agent.tool.outcome': 'error' })).toBe(1);
    expect(m.find((r) => r.name === 'agent.tool.duration' && r.attributes['gen_ai.tool.name'] === 'web_search')).toMatchObject({ count: 1 });
    expect(sumMetric(m, 'agent.errors', { 'agent.operation': 'tool', 'error.type': 'RateLimitError', 'gen_ai.agent.name': 'planner' })).toBe(1);
    expect(sumMetric(m, 'agent.items', { 'gen_ai.agent.name': 'planner', 'agent.item.outcome': 'succeeded' })).toBe(9);
    // low cardinality: no run ids on metrics
    expect(m.some((r) => 'agent.run.id' in r.attributes)).toBe(false);
  });
});
