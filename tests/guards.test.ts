import { afterEach, describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, trace, type Span as ApiSpan } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow, type TelemetryHandle,
} from '../dist/src/index.js';
import { GuardedSpanProcessor } from '../dist/src/pipeline/GuardedSpanProcessor.js';
import { errorCounts } from '../dist/src/pipeline/errorCounts.js';
import { readSpans, runFixture, tmpDir } from './util.js';

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
    expect(span.attributes['agent.cost.status']).toBe('priced'); // priced by the request model
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

  it('a span processor that throws: span.end() does not throw, the export queue still gets the span, counted and logged once by cause', async () => {
    const dir = tmpDir();
    register({ dir });
    const end = (i: number) => {
      const span = trace.getTracer('third-party').startSpan(`hostile ${i}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' } });
      // A library writing straight into the SDK span's attributes, past the API's checks: a symbol breaks string conversion.
      (span as unknown as Span).attributes['gen_ai.request.model'] = Symbol('model') as never;
      expect(() => span.end()).not.toThrow();
    };
    end(1);
    end(2);
    const names = (await flushedSpans(dir)).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['hostile 1', 'hostile 2']));
    const errors = handle!.health().errors;
    const processorCauses = Object.keys(errors).filter((k) => k.startsWith('processor.'));
    expect(processorCauses.length).toBeGreaterThan(0);
    for (const cause of processorCauses) {
      expect(errors[cause]).toBe(2);
      expect(warnings.filter((w) => w.includes(cause))).toHaveLength(1);
    }
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

  it("today's spend cannot be read back at startup: exit 0, hard-budget calls still run, counted", async () => {
    const r = await runFixture('guards-budget.mjs', {}, [tmpDir(), 'restore']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results).toEqual(['answer 0', 'answer 1', 'answer 2']);
    expect(out.errors).toEqual({ 'background.budget_restore': 1 });
  });
});
