// helpers: CPU per call of withAgentRun / withLlmCall / withToolCall above a raw tracer.startActiveSpan
// that makes the same spans with the same attributes (what a user would otherwise write by hand), so
// the difference is the helper itself: its bookkeeping and the metrics it records.
//
// Both sides run on one registerTelemetry() pipeline whose span exporter is a no-op (jsonl: false,
// a no-op span exporter behind the usual export queue, and a metric reader with a no-op exporter so
// that the instruments really aggregate): file writing is left out because it is the same for both.
// withAgentRun makes 1 span (the run), as its raw counterpart does; its run-start row goes to the
// local files only, so it is not made here (jsonl: false): bench/iteration.js measures it.
// LLM and tool calls run inside an enclosing run on both sides, as they do in an agent.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import { alternate, fmt, noopMetricExporter, noopSpanExporter, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

const CALLS = 20_000;
const YIELD_EVERY = 500;
const ROUNDS = 5;
const TARGET_US = 5;

const dir = tmpDir('helpers');
const spanExporter = noopSpanExporter();
const handle = registerTelemetry(withoutDuckDb({
  dir, jsonl: false, handleSignals: false, spanExporters: [spanExporter],
  metricReaders: [new PeriodicExportingMetricReader({ exporter: noopMetricExporter(), exportIntervalMillis: 60_000 })],
}));
const tracer = handle.tracer;
const work = () => 42;

/** The hand-written equivalent of a helper: active span, error recording, end. */
function rawSpan(name, options, fn) {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (thrown) {
      const err = /** @type {Error} */ (thrown);
      span.recordException(err);
      span.setAttribute('error.type', err?.name ?? '_OTHER');
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err?.message ?? err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

const cases = {
  run: {
    helper: () => withAgentRun({ agentName: 'bench-agent', runKind: 'bench' }, work),
    raw: () => {
      const runId = randomUUID();
      return rawSpan('invoke_agent bench-agent', {
        kind: SpanKind.INTERNAL,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bench-agent', 'agent.run.id': runId, 'agent.run.kind': 'bench' },
      }, (span) => {
        const r = work();
        span.setAttribute('agent.run.status', 'success');
        return r;
      });
    },
  },
  llm: {
    helper: () => withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => {
      call.recordUsage({ inputTokens: 1200, outputTokens: 300 });
      return work();
    }),
    raw: () => rawSpan('chat gpt-4o-mini', {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' },
    }, (span) => {
      span.setAttribute('gen_ai.usage.input_tokens', 1200);
      span.setAttribute('gen_ai.usage.output_tokens', 300);
      return work();
    }),
  },
  tool: {
    helper: () => withToolCall({ name: 'read_file', callId: 'call_1' }, work),
    raw: () => rawSpan('execute_tool read_file', {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': 'call_1' },
    }, (span) => {
      const r = work();
      span.setAttribute('agent.tool.outcome', 'success');
      return r;
    }),
  },
};

async function loop(call) {
  for (let i = 0; i < CALLS; i++) {
    await call();
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
  }
}

const rows = [];
const data = {};
for (const [name, c] of Object.entries(cases)) {
  console.log(`${name}:`);
  // LLM and tool calls happen inside a run; the run helper itself is measured at the top level.
  const inRun = name === 'run' ? (fn) => fn() : (fn) => withAgentRun({ agentName: 'bench-agent', runKind: 'bench' }, fn);
  const res = await alternate({
    rounds: ROUNDS,
    baseline: async () => { await inRun(() => loop(c.raw)); await handle.forceFlush(); },
    candidate: async () => { await inRun(() => loop(c.helper)); await handle.forceFlush(); },
  });
  const raw = res.baselineMedian / CALLS;
  const helper = res.candidateMedian / CALLS;
  const above = helper - raw;
  rows.push({ label: `with${{ run: 'AgentRun', llm: 'LlmCall', tool: 'ToolCall' }[name]}`, baseline: `${fmt(raw)} µs`, candidate: `${fmt(helper)} µs`,
    result: `+${fmt(above)} µs/call`, target: `≤ +${TARGET_US} µs`, pass: above <= TARGET_US });
  data[name] = { rawUsPerCall: raw, helperUsPerCall: helper, aboveUs: above, roundsCpuUs: { raw: res.baseline, helper: res.candidate } };
}

const health = handle.health();
await handle.shutdown();
fs.rmSync(dir, { recursive: true, force: true });
if (health.dropped.spans !== 0) throw new Error(`dropped ${health.dropped.spans} spans`);

report({
  name: 'helpers',
  what: `CPU per call above a raw startActiveSpan making the same spans, ${CALLS} calls per round, no-op exporter pipeline`,
  rows,
  data: { calls: CALLS, rounds: ROUNDS, ...data, spansExported: spanExporter.exported },
  notes: ['baseline column = raw startActiveSpan, candidate column = helper; both on registerTelemetry() with no-op exporters'],
});
