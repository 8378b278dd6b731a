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

/** The side's tracer and flush; `finish` shuts it down and says what it wrote (and, ours, dropped). */
function setup(side, dir) {
  if (side === 'ours') {
    const handle = registerTelemetry({ dir, handleSignals: false, logLevel: 'none' });
    return {
      tracer: handle.tracer,
      flush: () => handle.forceFlush(),
      dropped: () => handle.health().dropped.spans,
      written: () => countSpanLines(dir),
      async finish() {
        const { dropped } = handle.health();
        await handle.shutdown();
        return { pipeline: pipelineName(handle), maxQueueSize: handle.config.spanQueue.maxQueueSize, dropped: dropped.spans, droppedByReason: dropped.byReason };
      },
    };
  }
  const bare = bareSdk();
  return {
    tracer: bare.tracer,
    flush: () => bare.provider.forceFlush(),
    dropped: () => 0, // the SDK drops without counting
    written: () => bare.exporter.exported,
    async finish() {
      await bare.provider.shutdown();
      return {};
    },
  };
}

/** One side's burst, in this process: what it grew, wrote and (ours) dropped. */
async function burst(side) {
  const dir = tmpDir('burst');
  const sut = setup(side, dir);
  const end = (i) => sut.tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();

  // Warm-up with yields (nothing dropped), so that the JIT and the files are ready.
  for (let i = 0; i < WARMUP; i++) { end(i); if (i % 1000 === 999) await yieldToLoop(); }
  await sut.flush();
  const warmWritten = sut.written();
  if (sut.dropped() !== 0 || warmWritten !== WARMUP) throw new Error(`warm-up: ${warmWritten} written, ${sut.dropped()} dropped`);
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
  await sut.flush();
  clearInterval(timer);
  sample();
  const cpu = process.cpuUsage(c0);
  const finished = await sut.finish();
  const written = sut.written() - warmWritten;
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    side, rssBeforeMb: m0.rss / MB, rssGrowthMb: (peak - m0.rss) / MB, heapGrowthMb: (heapPeak - m0.heapUsed) / MB,
    loopMs, cpuMs: (cpu.user + cpu.system) / 1000, written, ...finished,
  };
}

const side = process.argv[2];
if (side === 'ours' || side === 'bare') {
  process.stdout.write(`${JSON.stringify(await burst(side))}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  /** @type {{ bare: any[], ours: any[] }} */
  const runs = { bare: [], ours: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']) {
      const child = spawnSync(process.execPath, ['--expose-gc', self, s], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`burst ${s}: exit ${child.status}`);
      const res = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
      runs[s].push(res);
      console.log(`  round ${r + 1}/${ROUNDS} ${s}: RSS +${fmt(res.rssGrowthMb, 1)} MB, heap +${fmt(res.heapGrowthMb, 1)} MB, ` +
        `${res.written} written${s === 'ours' ? `, ${res.dropped} dropped` : ''}, loop ${fmt(res.loopMs, 0)} ms`);
    }
  }
  const med = (s, k) => median(runs[s].map((x) => x[k]));
  const range = (s, k) => `${fmt(Math.min(...runs[s].map((x) => x[k])), 1)}–${fmt(Math.max(...runs[s].map((x) => x[k])), 1)}`;
  const growth = med('ours', 'rssGrowthMb');
  const exact = runs.ours.every((x) => x.dropped === SPANS - x.written && x.dropped > 0);
  /** @type {any} */
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
