// burst: 1M spans from a tight synchronous loop (the event loop never turns, so nothing is exported
// while it runs), then a flush. Candidate: the default pipeline (registerTelemetry). Its bounded
// queue must drop spans and count every one: dropped == spans ended − JSONL lines written. Baseline:
// the bare SDK (BatchSpanProcessor, default settings, a no-op exporter), which tells how much of the
// growth is the SDK's own. Each side runs in a fresh `node --expose-gc` child process (a V8 heap
// sized by one side must not be measured by the other), alternating, BENCH_ROUNDS (3) each. In a
// child: a warm-up of 20,000 spans with yields (nothing dropped), two GCs, a reading of RSS; RSS and
// heapUsed are sampled in the loop (every 8,192 spans) and during the flush (every 5 ms); growth =
// peak − the reading before the burst. The target is absolute (< 150 MB); the median is judged.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { bareSdk, countSpanLines, fmt, llmAttributes, LLM_SPAN_NAME, median, pipelineName, report, tmpDir, yieldToLoop } from './lib.js';

const SPANS = 1_000_000;
const WARMUP = 20_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MB = 1024 * 1024;

/** One side's burst, in this process: what it grew and (ours) what it wrote and dropped. */
async function burst(side) {
  const dir = tmpDir('burst');
  const handle = side === 'ours' ? registerTelemetry({ dir, handleSignals: false, logLevel: 'none' }) : undefined;
  const bare = side === 'bare' ? bareSdk() : undefined;
  const tracer = handle?.tracer ?? bare.tracer;
  const flush = () => (handle ? handle.forceFlush() : bare.provider.forceFlush());
  const end = (i) => tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();

  // Warm-up with yields (nothing dropped), so that the JIT and the files are ready.
  for (let i = 0; i < WARMUP; i++) { end(i); if (i % 1000 === 999) await yieldToLoop(); }
  await flush();
  const warmLines = handle ? countSpanLines(dir) : WARMUP;
  const warmExported = bare?.exporter.exported;
  if (handle && (handle.health().dropped.spans !== 0 || warmLines !== WARMUP)) throw new Error(`warm-up: ${warmLines} lines, ${handle.health().dropped.spans} dropped`);
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  globalThis.gc?.();

  const m0 = process.memoryUsage();
  let peak = m0.rss;
  let heapPeak = m0.heapUsed;
  const sample = () => {
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
    const h = process.memoryUsage().heapUsed;
    if (h > heapPeak) heapPeak = h;
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < SPANS; i++) {
    end(i);
    if ((i & 8191) === 0) sample();
  }
  sample();
  const loopMs = performance.now() - t0;
  const timer = setInterval(sample, 5);
  await flush();
  clearInterval(timer);
  sample();
  const cpu = process.cpuUsage(c0);
  const health = handle?.health();
  const result = {
    side, rssBeforeMb: m0.rss / MB, rssGrowthMb: (peak - m0.rss) / MB, heapGrowthMb: (heapPeak - m0.heapUsed) / MB,
    loopMs, cpuMs: (cpu.user + cpu.system) / 1000,
  };
  if (handle) {
    result.pipeline = pipelineName(handle);
    result.maxQueueSize = handle.config.spanQueue.maxQueueSize;
    await handle.shutdown();
    result.written = countSpanLines(dir) - warmLines;
    result.dropped = health.dropped.spans;
    result.droppedByReason = health.dropped.byReason;
  } else {
    result.written = bare.exporter.exported - warmExported; // the SDK drops without counting
    await bare.provider.shutdown();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

const side = process.argv[2];
if (side === 'ours' || side === 'bare') {
  process.stdout.write(`${JSON.stringify(await burst(side))}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const runs = { bare: [], ours: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']) {
      const child = spawnSync(process.execPath, ['--expose-gc', self, s], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`burst ${s}: exit ${child.status}`);
      const res = JSON.parse(child.stdout.trim().split('\n').pop());
      runs[s].push(res);
      console.log(`  round ${r + 1}/${ROUNDS} ${s}: RSS +${fmt(res.rssGrowthMb, 1)} MB, heap +${fmt(res.heapGrowthMb, 1)} MB, ` +
        `${res.written} written${s === 'ours' ? `, ${res.dropped} dropped` : ''}, loop ${fmt(res.loopMs, 0)} ms`);
    }
  }
  const med = (s, k) => median(runs[s].map((x) => x[k]));
  const range = (s, k) => `${fmt(Math.min(...runs[s].map((x) => x[k])), 1)}–${fmt(Math.max(...runs[s].map((x) => x[k])), 1)}`;
  const growth = med('ours', 'rssGrowthMb');
  const exact = runs.ours.every((x) => x.dropped === SPANS - x.written && x.dropped > 0);
  const last = runs.ours.at(-1);
  report({
    name: 'burst',
    what: `${SPANS} spans in one synchronous loop through the default pipeline (${last.pipeline}) vs the bare SDK + no-op exporter, then flush; median of ${ROUNDS} child processes per side`,
    rows: [
      { label: 'RSS growth', baseline: `${fmt(med('bare', 'rssGrowthMb'), 1)} MB`, candidate: `${fmt(growth, 1)} MB`,
        result: `ours ${range('ours', 'rssGrowthMb')} MB, bare ${range('bare', 'rssGrowthMb')} MB`, target: '< 150 MB', pass: growth < 150 },
      { label: 'heapUsed growth', baseline: `${fmt(med('bare', 'heapGrowthMb'), 1)} MB`, candidate: `${fmt(med('ours', 'heapGrowthMb'), 1)} MB`,
        result: `ours ${range('ours', 'heapGrowthMb')} MB`, target: '-', info: true },
      { label: 'drops counted', baseline: '-', candidate: `${last.dropped} dropped`, result: `${last.written} written, ${SPANS - last.written - last.dropped} unaccounted (every run exact: ${exact})`,
        target: 'dropped = 1M − written', pass: exact },
    ],
    data: { spans: SPANS, rounds: ROUNDS, runs },
    notes: [`loop median ${fmt(med('ours', 'loopMs'), 0)} ms ours, ${fmt(med('bare', 'loopMs'), 0)} ms bare; ` +
      `queues: ours ${last.maxQueueSize} spans, the SDK's 2048 (it drops without counting: ${median(runs.bare.map((x) => x.written))} exported)`],
  });
}
