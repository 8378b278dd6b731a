// burst: 1M spans from a tight synchronous loop (the event loop never turns, so nothing is exported
// while it runs) through the default pipeline, then a flush. The bounded queue must drop spans and
// count every one: dropped == spans ended − JSONL lines written. RSS is sampled in the loop (every
// 8192 spans) and during the flush (every 5 ms); growth = peak − RSS before the burst (after a warm-up
// and a GC). No baseline: the target is absolute (< 150 MB).
import fs from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { countSpanLines, fmt, llmAttributes, LLM_SPAN_NAME, pipelineName, report, tmpDir, yieldToLoop } from './lib.js';

const SPANS = 1_000_000;
const WARMUP = 20_000;
const MB = 1024 * 1024;

const dir = tmpDir('burst');
const handle = registerTelemetry({ dir, handleSignals: false });
const tracer = handle.tracer;
const end = (i) => tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();

// Warm-up with yields (nothing dropped), so that the JIT and the files are ready.
for (let i = 0; i < WARMUP; i++) { end(i); if (i % 1000 === 999) await yieldToLoop(); }
await handle.forceFlush();
const warmLines = countSpanLines(dir);
const warmDropped = handle.health().dropped.spans;
if (warmDropped !== 0 || warmLines !== WARMUP) throw new Error(`warm-up: ${warmLines} lines, ${warmDropped} dropped`);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 100));
globalThis.gc?.();

const rss0 = process.memoryUsage.rss();
let peak = rss0;
const sample = () => { const r = process.memoryUsage.rss(); if (r > peak) peak = r; };
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < SPANS; i++) {
  end(i);
  if ((i & 8191) === 0) sample();
}
sample();
const loopMs = performance.now() - t0;
const timer = setInterval(sample, 5);
await handle.forceFlush();
clearInterval(timer);
sample();
const totalMs = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const health = handle.health();
const pipeline = pipelineName(handle);
await handle.shutdown();
const written = countSpanLines(dir) - warmLines;
fs.rmSync(dir, { recursive: true, force: true });

const growthMb = (peak - rss0) / MB;
const dropped = health.dropped.spans;
const exact = dropped === SPANS - written;
report({
  name: 'burst',
  what: `${SPANS} spans in one synchronous loop through the default pipeline (${pipeline}), then flush`,
  rows: [
    { label: 'RSS growth', baseline: '-', candidate: `${fmt(growthMb, 1)} MB`, result: `peak ${fmt(peak / MB, 0)} MB`, target: '< 150 MB', pass: growthMb < 150 },
    { label: 'drops counted', baseline: '-', candidate: `${dropped} dropped`, result: `${written} written, ${SPANS - written - dropped} unaccounted`,
      target: 'dropped = 1M − written', pass: exact && dropped > 0 },
  ],
  data: { spans: SPANS, pipeline, rssBeforeMb: rss0 / MB, rssPeakMb: peak / MB, rssGrowthMb: growthMb, written, dropped,
    droppedByReason: health.dropped.byReason, loopMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000 },
  notes: [`loop ${fmt(loopMs, 0)} ms, loop + flush ${fmt(totalMs, 0)} ms wall, ${fmt((cpu.user + cpu.system) / 1000, 0)} ms CPU; queue default (${handle.config.spanQueue.maxQueueSize} spans)`],
});
