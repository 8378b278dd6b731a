// pipeline: CPU per span of the default pipeline (batch → JSONL spans, plus the metrics reader; DuckDB
// is left out, the target being for batch → JSONL) vs the bare SDK with a no-op exporter. Spans with 8
// attributes, ended in chunks of 1000 with a yield to the event loop between chunks so the export
// queues can drain (nothing may be dropped). The measured region ends after forceFlush, so
// serialization and writing count. Drops, the rate offered and a probe of the disk's append speed are
// reported too: at this rate the files take ~350 MB/s, which a slow disk cannot always sustain.
// For diagnosis: BENCH_SPANS (spans per round) and BENCH_CHUNK (spans per event-loop turn).
import fs from 'node:fs';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { alternate, bareSdk, countSpanLines, diskAppendProbe, fmt, llmAttributes, LLM_SPAN_NAME, median, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 1000); // spans per event-loop turn
const ROUNDS = 5;

let maxQueueDepth = 0;
async function emit(tracer, n, queueDepth) {
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + CHUNK);
    for (; i < end; i++) tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();
    if (queueDepth) maxQueueDepth = Math.max(maxQueueDepth, queueDepth());
    await yieldToLoop();
  }
}

const dir = tmpDir('pipeline');
const diskBefore = diskAppendProbe(dir);
const handle = registerTelemetry(withoutDuckDb({ dir, handleSignals: false }));
const bare = bareSdk();
let candidateSpans = 0;
const emitSeconds = []; // wall time of the candidate's loop, without the final flush

const res = await alternate({
  rounds: ROUNDS,
  baseline: async () => { await emit(bare.tracer, SPANS); await bare.provider.forceFlush(); },
  candidate: async () => {
    const t0 = performance.now();
    await emit(handle.tracer, SPANS, () => handle.health().queueDepth);
    emitSeconds.push((performance.now() - t0) / 1000);
    await handle.forceFlush();
    candidateSpans += SPANS;
  },
});

const health = handle.health();
const diskAfter = diskAppendProbe(dir);
await handle.shutdown();
await bare.provider.shutdown();
const written = countSpanLines(dir);
const spansDir = path.join(dir, 'spans');
const bytesPerSpan = fs.readdirSync(spansDir).reduce((n, f) => n + fs.statSync(path.join(spansDir, f)).size, 0) / written;
const offeredSpansPerS = SPANS / median(emitSeconds);
fs.rmSync(dir, { recursive: true, force: true });
const baselineSpans = SPANS * (ROUNDS + 1);
// Drops are a failure of this benchmark (the queue must keep up at this rate), reported, not thrown,
// so the CPU figures are still seen; but the lines written must match what was not dropped.
const dropped = health.dropped.spans;
if (written + dropped !== candidateSpans) throw new Error(`candidate wrote ${written} JSONL lines and dropped ${dropped} of ${candidateSpans} spans`);
if (bare.exporter.exported !== baselineSpans) throw new Error(`baseline exported ${bare.exporter.exported} of ${baselineSpans} spans`);

const b = res.baselineMedian / SPANS;
const c = res.candidateMedian / SPANS;
report({
  name: 'pipeline',
  what: `CPU per span, ${SPANS} spans (8 attributes) per round, default pipeline (JSONL) vs bare SDK + no-op exporter`,
  rows: [
    { label: 'CPU per span', baseline: `${fmt(b)} µs`, candidate: `${fmt(c)} µs`, result: `${fmt(c / b)}×`, target: '≤ 1.6×', pass: c / b <= 1.6 },
    { label: 'spans dropped', baseline: '0', candidate: String(dropped), result: `max queue ${maxQueueDepth}`, target: '0', pass: dropped === 0 },
  ],
  data: { spansPerRound: SPANS, chunk: CHUNK, rounds: ROUNDS, baselineUsPerSpan: b, candidateUsPerSpan: c, ratio: c / b,
    roundsCpuUs: { baseline: res.baseline, candidate: res.candidate }, dropped, linesWritten: written, maxQueueDepth,
    offeredSpansPerS, offeredMbPerS: offeredSpansPerS * bytesPerSpan / 1e6, diskAppend: { before: diskBefore, after: diskAfter } },
  notes: [`${written} JSONL lines written for ${candidateSpans} candidate spans, ${dropped} dropped` +
    (dropped ? ' (the CPU figure then leaves out the export of the dropped spans)' : ''),
  `offered ~${fmt(offeredSpansPerS / 1000, 0)}k spans/s ≈ ${fmt(offeredSpansPerS * bytesPerSpan / 1e6, 0)} MB/s of JSONL; ` +
    `disk append probe before/after: ${fmt(diskBefore.mbPerS, 0)}/${fmt(diskAfter.mbPerS, 0)} MB/s, ` +
    `${fmt(diskBefore.cpuUsPerMb, 0)}/${fmt(diskAfter.cpuUsPerMb, 0)} µs CPU per MB`],
});
