import { afterEach, describe, expect, it } from 'vitest';
import { context, diag, DiagLogLevel, trace, type Span as ApiSpan } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow, type TelemetryHandle,
} from '../dist/src/index.js';
import { GuardedSpanProcessor, SpanPipeline } from '../dist/src/pipeline/SpanPipeline.js';
import { NO_HOOK } from '../dist/src/noHook.js';
import { errorCounts } from '../dist/src/errorCounts.js';
import { newReadStats } from '../dist/exporters/jsonl/readJsonl.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
const warnings: string[] = [];
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  warnings.length = 0;
  diag.disable();
});
function register(options: Parameters<typeof registerTelemetry>[0]) {
  handle = registerTelemetry({ logLevel: 'none', ...options });
  diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  return handle;
}
const flushedSpans = async (dir: string) => { await handle!.forceFlush(); return readSpans(dir); };

describe('finding 1: telemetry never throws into the agent', () => {
  it('setResponse({ model: 42 }) inside withLlmCall: the agent gets its value, the span is written and priced', async () => {
    const dir = tmpDir();
    register({ dir });
    const value = await withLlmCall({ provider: 'openai', model: 'gpt-4o' }, (call) => {
      call.recordUsage({ inputTokens: 1000, outputTokens: 100 });
      call.setResponse({ model: 42 as unknown as string, id: 7 as unknown as string });
      return 'the answer';
    });
    expect(value).toBe('the answer');
    const span = (await flushedSpans(dir)).find((s) => s.name === 'chat gpt-4o')!;
    expect(span).toBeDefined();
    expect(span.attributes['gen_ai.response.model']).toBe('42'); // coerced, not thrown
    expect(span.attributes['agent.cost.usd']).toBeGreaterThan(0); // priced by the request model
    expect(warnings.filter((w) => w.includes('setResponse model'))).toHaveLength(1);
  });

  it('a third-party span whose gen_ai.request.model is a number ends without throwing and is written', async () => {
    const dir = tmpDir();
    register({ dir });
    const span = trace.getTracer('third-party').startSpan('chat 42', {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 42, 'gen_ai.response.model': 43, 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 },
    });
    expect(() => span.end()).not.toThrow();
    const row = (await flushedSpans(dir)).find((s) => s.name === 'chat 42')!;
    expect(row.attributes).toMatchObject({ 'gen_ai.request.model': 42, 'agent.cost.status': 'unpriced' });
  });

  it('a span processor that throws: startSpan() and span.end() do not throw, the span is still written, counted and logged once by cause', async () => {
    const dir = tmpDir();
    register({ dir });
    // A library's wrapper span as the active span (as OpenInference's OISpan is), whose inner `span` getter throws.
    const wrapper = {
      spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
      get span(): never { throw new Error('wrapper getter'); },
      isRecording: () => true,
    };
    const ctx = trace.setSpan(context.active(), wrapper as unknown as ApiSpan);
    for (const i of [1, 2]) {
      let span: ApiSpan | undefined;
      expect(() => { span = trace.getTracer('third-party').startSpan(`inside a wrapper ${i}`, { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx); }).not.toThrow();
      expect(() => span!.end()).not.toThrow();
    }
    const rows = (await flushedSpans(dir)).filter((s) => s.name.startsWith('inside a wrapper'));
    expect(rows.map((r) => r.parent_span_id)).toEqual(['b'.repeat(16), 'b'.repeat(16)]);
    expect(handle!.health().errors).toEqual({ 'processor.run_context': 2 });
    expect(warnings.filter((w) => w.includes('processor.run_context'))).toHaveLength(1);
  });

  it('values written straight into SDK spans past the API (bigint, symbol, circular, Proxy, throwing getter, NaN times): every span is one valid row', async () => {
    const dir = tmpDir();
    register({ dir });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const proxy = new Proxy({}, { get() { throw new Error('get'); }, ownKeys() { throw new Error('ownKeys'); } });
    const values: Array<[string, unknown]> = [['bigint', 10n], ['symbol', Symbol('v')], ['circular', circular], ['proxy', proxy], ['nested', { a: [1] }], ['mixed array', [1, {}]]];
    const tracer = trace.getTracer('third-party');
    for (const [what, value] of values) {
      const span = tracer.startSpan(`injected ${what}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' } });
      (span as unknown as Span).attributes['gen_ai.request.model'] = value as never;
      expect(() => span.end()).not.toThrow();
    }
    const getter = tracer.startSpan('injected getter');
    Object.defineProperty((getter as unknown as Span).attributes, 'k', { enumerable: true, get() { throw new Error('getter'); } });
    getter.end();
    const badName = tracer.startSpan(Symbol('name') as unknown as string, { kind: 99 as never, startTime: NaN });
    badName.addEvent(Symbol('event') as unknown as string, NaN);
    badName.end(Infinity);
    const stats = newReadStats();
    await handle!.forceFlush();
    const rows = await readSpans(dir, stats);
    expect(stats.badLines).toEqual([]);
    expect(rows.filter((r) => r.name.startsWith('injected '))).toHaveLength(values.length + 1);
    for (const r of rows.filter((x) => x.name.startsWith('injected ') && x.name !== 'injected getter')) expect(r.attributes['gen_ai.request.model']).toBeUndefined();
    const unnamed = rows.find((r) => r.name === '(unnamed)')!;
    expect(unnamed).toMatchObject({ kind: 'INTERNAL', duration_ms: 0, events: [{ name: '(unnamed)' }] });
    expect(handle!.health().dropped.spans).toBe(0);
  });

  it('GuardedSpanProcessor: a throwing hook is counted; the processors after it still see every span', async () => {
    const seen: string[] = [];
    const boom = (): never => { throw new Error('boom'); };
    const broken: SpanProcessor = { onStart: boom, onEnding: boom, onEnd: boom, forceFlush: async () => boom(), shutdown: boom };
    const recorder: SpanProcessor = {
      onStart: (s) => seen.push(`start ${s.name}`), onEnding: (s: Span) => seen.push(`ending ${s.name}`), onEnd: (s: ReadableSpan) => seen.push(`end ${s.name}`),
      forceFlush: async () => {}, shutdown: async () => {},
    };
    const provider = new TracerProvider({ spanProcessors: [new GuardedSpanProcessor('test_broken', broken), new GuardedSpanProcessor('test_recorder', recorder)] });
    let span: ApiSpan | undefined;
    expect(() => { span = provider.getTracer('t').startSpan('s1'); }).not.toThrow();
    expect(() => span!.end()).not.toThrow();
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    await expect(provider.shutdown()).resolves.toBeUndefined();
    expect(seen).toEqual(['start s1', 'ending s1', 'end s1']);
    expect(errorCounts()).toMatchObject({ 'processor.test_broken': 5 });
  });

  it('SpanPipeline: stages run in order, a throwing stage is counted by name, fails closed, and the stages after it still see every span', async () => {
    const seen: string[] = [];
    const boom = (): never => { throw new Error('boom'); };
    const broken: SpanProcessor = { onStart: boom, onEnding: boom, onEnd: boom, forceFlush: async () => boom(), shutdown: boom };
    const stage = (label: string): SpanProcessor => ({
      onStart: (s) => seen.push(`${label} start ${s.name}`), onEnding: (s: Span) => seen.push(`${label} ending ${s.name} ${s.attributes.secret ?? '-'}`),
      onEnd: NO_HOOK, forceFlush: async () => { seen.push(`${label} flush`); }, shutdown: async () => {},
    });
    const provider = new TracerProvider({ spanProcessors: [new SpanPipeline([
      ['test_a', stage('a')],
      ['test_stage_broken', broken, { onEndingFailed: (s) => { delete (s.attributes as Record<string, unknown>).secret; } }],
      ['test_b', stage('b')],
    ])] });
    let span: ApiSpan | undefined;
    expect(() => { span = provider.getTracer('t').startSpan('s1', { attributes: { secret: 'x' } }); }).not.toThrow();
    expect(() => span!.end()).not.toThrow();
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    await expect(provider.shutdown()).resolves.toBeUndefined();
    // b sees the span after the broken stage failed closed (its onEndingFailed removed the secret)
    expect(seen).toEqual(['a start s1', 'b start s1', 'a ending s1 x', 'b ending s1 -', 'a flush', 'b flush']);
    expect(errorCounts()).toMatchObject({ 'processor.test_stage_broken': 5 });
  });
});

describe('finding 2: a user callback or a background task never kills the agent', () => {
  for (const mode of ['reject', 'throw'] as const) {
    it(`an onExceeded that ${mode === 'reject' ? 'returns a rejected promise' : 'throws'}: exit 0, every call returns its value, counted`, async () => {
      const r = await runFixture('guards-budget.mjs', {}, [tmpDir(), mode]);
      expect(r.stderr).not.toMatch(/Unhandled|callback rejected\n\s+at/);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.results).toEqual(['answer 0', 'answer 1', 'answer 2']);
      expect(out.errors).toEqual({ 'callback.onExceeded': 3 }); // crossed once per run, three runs
    });
  }

  for (const mode of ['exit', 'shutdown'] as const) {
    it(`a metric reader whose flush and shutdown reject, at ${mode === 'exit' ? 'the natural end of the process' : 'handle.shutdown()'}: exit 0, counted`, async () => {
      const r = await runFixture('guards-reader.mjs', {}, [tmpDir(), mode]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.value).toBe('done');
      expect(Object.keys(out.errors)).toEqual([expect.stringMatching(/^reader\.user_\d+$/)]);
    });
  }

  it("today's spend cannot be read back at startup: exit 0, hard-budget calls still run, counted", async () => {
    const r = await runFixture('guards-budget.mjs', {}, [tmpDir(), 'restore']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results).toEqual(['answer 0', 'answer 1', 'answer 2']);
    expect(out.errors).toEqual({ 'background.budget_restore': 1 });
  });
});

// ---- item 3: whatever the agent passes or throws, its own value or error comes back and the span is written

class HostileName extends Error {
  override get name(): string { throw new Error('name getter'); }
}
const throwingToString = { toString() { throw new Error('toString'); } };
const thrownValues: Array<[string, () => unknown]> = [
  ['null', () => null], ['42', () => 42], ['undefined', () => undefined], ['a string', () => 'plain'],
  ['a symbol', () => Symbol('thrown')], ['a bigint', () => 10n], ['an Error subclass whose name getter throws', () => new HostileName('hostile')],
  ['an object whose toString throws', () => throwingToString],
];
// The callbacks here ignore their handle, so any helper takes them.
type Helper = (fn: () => unknown) => Promise<unknown>;
const helpers: Array<[string, string, Helper]> = [
  ['withAgentRun', 'invoke_agent a', (fn) => withAgentRun({ agentName: 'a' }, fn)],
  ['withLlmCall', 'chat m', (fn) => withLlmCall({ provider: 'p', model: 'm' }, fn)],
  ['withToolCall', 'execute_tool t', (fn) => withToolCall({ name: 't' }, fn)],
  ['withWorkflow', 'invoke_workflow w', (fn) => withWorkflow({ name: 'w' }, fn)],
];

describe('helpers: the agent gets its own value or error back, unchanged, and the span is written', () => {
  for (const [helperName, spanName, helper] of helpers) {
    it(`${helperName}: every kind of thrown value comes back as it was thrown`, async () => {
      const dir = tmpDir();
      register({ dir });
      for (const [, make] of thrownValues) {
        const thrown = make();
        const outcome = await helper(() => { throw thrown; }).then(() => ({ resolved: true }), (err: unknown) => ({ err }));
        expect(outcome).toEqual({ err: thrown });
        expect((outcome as { err: unknown }).err).toBe(thrown);
        // async callbacks too
        const asyncOutcome = await helper(async () => { throw thrown; }).then(() => ({ resolved: true }), (err: unknown) => ({ err }));
        expect((asyncOutcome as { err: unknown }).err).toBe(thrown);
      }
      const spans = (await flushedSpans(dir)).filter((s) => s.name === spanName);
      expect(spans).toHaveLength(thrownValues.length * 2);
      for (const s of spans) expect(s.status_code).toBe('ERROR');
    });
  }

  it('content that cannot be serialised (throwing toJSON, circular, bigint, symbol, 1 MB) at privacy full', async () => {
    const dir = tmpDir();
    register({ dir, privacy: 'full' });
    const circular: Record<string, unknown> = { type: 'custom_block', data: 'loop' };
    circular.self = circular;
    const huge = 'x'.repeat(1 << 20);
    const contents: unknown[] = [
      { toJSON() { throw new Error('toJSON'); } }, [{ role: 'user', content: { toJSON() { throw new Error('nested toJSON'); } } }],
      circular, [{ role: 'user', content: [circular] }], { big: 10n }, Symbol('content'), huge, [{ role: 'user', content: huge }], throwingToString,
    ];
    let i = 0;
    for (const content of contents) {
      const marker = `value ${i++}`;
      await expect(withLlmCall({ provider: 'p', model: 'content', input: content, system: content }, (call) => {
        call.setOutput(content);
        return marker;
      })).resolves.toBe(marker);
      await expect(withToolCall({ name: 'content', arguments: content }, (tool) => { tool.setResult(content); return marker; })).resolves.toBe(marker);
    }
    const spans = await flushedSpans(dir);
    expect(spans.filter((s) => s.name === 'chat content')).toHaveLength(contents.length);
    expect(spans.filter((s) => s.name === 'execute_tool content')).toHaveLength(contents.length);
    const hugeCall = spans.find((s) => s.name === 'chat content' && String(s.attributes['gen_ai.input.messages']).length > 1 << 20);
    expect(hugeCall).toBeDefined(); // 1 MB of content is written, not dropped
    expect(spans.some((s) => String(s.attributes['gen_ai.input.messages']).includes('[Circular]'))).toBe(true);
    expect(spans.some((s) => String(s.attributes['gen_ai.tool.call.arguments']).includes('[Circular]'))).toBe(true);
  });

  it('options and handle arguments of any type (throwing getters, null, numbers, NaN, bigint, symbols): value returned, span written', async () => {
    const dir = tmpDir();
    register({ dir, privacy: 'full' });
    const getterThrows = new Proxy({}, { get() { throw new Error('getter'); }, ownKeys() { throw new Error('ownKeys'); } });
    const weird: unknown[] = [undefined, null, 42, 'str', Symbol('opt'), 10n, getterThrows,
      { get model() { throw new Error('model getter'); }, get agentName() { throw new Error('name getter'); }, get name() { throw new Error('name getter'); } },
      { provider: 7, model: Symbol('m'), agentName: 9n, name: { x: 1 }, runId: 5, temperature: 'hot', maxTokens: NaN, attributes: { ok: 1, bad: { nested: true }, sym: Symbol('s'), big: 1n, get boom() { throw new Error('attr getter'); } } },
    ];
    let n = 0;
    for (const options of weird) {
      const o = options as never;
      await expect(withAgentRun(o, async (run) => {
        run.setItems(getterThrows as never); run.addItems({ discovered: NaN, succeeded: 10n as never, failed: -1 });
        run.fail(Symbol('why') as never); run.setAttribute(Symbol('k') as never, {} as never); run.addEvent(42 as never, getterThrows as never);
        run.recordArtifact(null as never); run.associateCommit(Symbol('c') as never, getterThrows as never);
        await expect(withLlmCall(o, (call) => {
          call.recordUsage(getterThrows as never); call.recordUsage({ inputTokens: NaN, outputTokens: Infinity, cacheReadTokens: 3n as never, reasoningTokens: -1 });
          call.recordUsage(null as never); call.setResponse(getterThrows as never); call.setResponse({ model: Symbol('m') as never, finishReasons: 'stop' as never });
          call.setResponse(undefined as never); call.setAttribute(null as never, Symbol('v') as never); call.setOutput(getterThrows);
          return 'llm';
        })).resolves.toBe('llm');
        await expect(withToolCall(o, (tool) => { tool.fail(null as never, 42 as never); tool.setResult(getterThrows); tool.setAttribute('k', [1, 'mixed'] as never); return 'tool'; })).resolves.toBe('tool');
        await expect(withWorkflow(o, (span) => { span.setAttribute('k', 1); return 'wf'; })).resolves.toBe('wf');
        return n++;
      })).resolves.toBe(n);
    }
    const spans = await flushedSpans(dir);
    for (const op of ['invoke_agent', 'chat', 'execute_tool', 'invoke_workflow']) {
      expect(spans.filter((s) => s.attributes['gen_ai.operation.name'] === op), op).toHaveLength(weird.length);
    }
    expect(handle!.health().errors['helper.options']).toBeGreaterThan(0);
    expect(Object.keys(handle!.health().errors).every((k) => !k.startsWith('processor.'))).toBe(true);
  });
});
