// pipeline: CPU per span of the default pipeline (batch → JSONL spans, plus the metrics reader; DuckDB
// left out: the target is for batch → JSONL) vs the
// bare SDK with a no-op exporter. Spans with 8 attributes, ended in chunks of 1000 with a yield to the
// event loop between chunks so the export queues drain (nothing may be dropped). The measured region
// ends after forceFlush, so serialization and writing count.
import fs from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { alternate, bareSdk, countSpanLines, fmt, llmAttributes, LLM_SPAN_NAME, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const CHUNK = 1000;
const ROUNDS = 5;

async function emit(tracer, n) {
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + CHUNK);
    for (; i < end; i++) tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();
    await yieldToLoop();
  }
}

const dir = tmpDir('pipeline');
const handle = registerTelemetry(withoutDuckDb({ dir, handleSignals: false }));
const bare = bareSdk();
let candidateSpans = 0;

const res = await alternate({
  rounds: ROUNDS,
  baseline: async () => { await emit(bare.tracer, SPANS); await bare.provider.forceFlush(); },
  candidate: async () => { await emit(handle.tracer, SPANS); await handle.forceFlush(); candidateSpans += SPANS; },
});

const health = handle.health();
await handle.shutdown();
await bare.provider.shutdown();
const written = countSpanLines(dir);
fs.rmSync(dir, { recursive: true, force: true });
const baselineSpans = SPANS * (ROUNDS + 1);
if (health.dropped.spans !== 0) throw new Error(`candidate dropped ${health.dropped.spans} spans: ${JSON.stringify(health.dropped)}`);
if (written !== candidateSpans) throw new Error(`candidate wrote ${written} JSONL lines for ${candidateSpans} spans`);
if (bare.exporter.exported !== baselineSpans) throw new Error(`baseline exported ${bare.exporter.exported} of ${baselineSpans} spans`);

const b = res.baselineMedian / SPANS;
const c = res.candidateMedian / SPANS;
report({
  name: 'pipeline',
  what: `CPU per span, ${SPANS} spans (8 attributes) per round, default pipeline (JSONL) vs bare SDK + no-op exporter`,
  rows: [{
    label: 'CPU per span',
    baseline: `${fmt(b)} µs`, candidate: `${fmt(c)} µs`, result: `${fmt(c / b)}×`,
    target: '≤ 1.6×', pass: c / b <= 1.6,
  }],
  data: { spansPerRound: SPANS, rounds: ROUNDS, baselineUsPerSpan: b, candidateUsPerSpan: c, ratio: c / b,
    roundsCpuUs: { baseline: res.baseline, candidate: res.candidate }, dropped: health.dropped.spans, linesWritten: written },
  notes: [`${written} JSONL lines written for ${candidateSpans} candidate spans, 0 dropped`],
});
