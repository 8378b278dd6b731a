// Shared pieces of the benchmarks: CPU measurement, alternating rounds, span fixtures, a bare SDK
// baseline and result reporting. Benchmarks are not tests: they compare ratios measured in one run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { resolveConfig } from '../dist/src/config.js';

/** CPU time (user + system, all threads of the process) in µs since `start` (a process.cpuUsage()). */
export function cpuSince(start) {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Lets timers and I/O callbacks run (the export queues drain there). */
export const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } };

/** Runs `fn` once after a GC and returns the CPU µs and wall ms it took (including async work it awaits). */
export async function measure(fn) {
  gc();
  await yieldToLoop();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  return { cpuUs: cpuSince(c0), wallMs: performance.now() - t0 };
}

/**
 * Baseline and candidate alternately, `rounds` times each after one warm-up of each; the order swaps
 * every round so neither always runs first. Returns per-round CPU µs and their medians.
 */
export async function alternate({ baseline, candidate, rounds = 5, warmup = 1, log = true }) {
  for (let i = 0; i < warmup; i++) { await baseline(); await candidate(); }
  const b = [];
  const c = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['b', 'c'] : ['c', 'b'];
    for (const which of order) {
      const m = await measure(which === 'b' ? baseline : candidate);
      (which === 'b' ? b : c).push(m.cpuUs);
    }
    if (log) console.log(`  round ${r + 1}/${rounds}: baseline ${(b[r] / 1000).toFixed(1)} ms CPU, candidate ${(c[r] / 1000).toFixed(1)} ms CPU`);
  }
  return { baseline: b, candidate: c, baselineMedian: median(b), candidateMedian: median(c) };
}

/**
 * Paired rounds for a ratio on a noisy machine: each round runs baseline and candidate back to back
 * (the order swaps every round), and candidate/baseline of that round is one sample, so a slow minute
 * (other processes, CPU frequency) weighs on both sides of its pair alike. Short rounds keep a pair
 * close in time; many of them make the median steady. CPU time of the whole process (every thread:
 * the GC's helper threads too), and no forced GC between the sides: each side pays the collections
 * its allocations trigger, as in a long-running agent. A major GC landing in one round is an outlier
 * the median leaves out on either side; `totalRatio` (sum over sum, every GC counted) shows it.
 * Returns per-round CPU µs, the paired ratios, their median and range, and the totals' ratio.
 */
export async function paired({ baseline, candidate, rounds = 21, warmup = 4, log = false }) {
  for (let i = 0; i < warmup; i++) {
    if (i % 2 === 0) { await baseline(); await candidate(); } else { await candidate(); await baseline(); }
  }
  const b = [];
  const c = [];
  const ratios = [];
  const cpuOf = async (fn) => {
    await yieldToLoop();
    const c0 = process.cpuUsage();
    await fn();
    return cpuSince(c0);
  };
  for (let r = 0; r < rounds; r++) {
    let bu;
    let cu;
    if (r % 2 === 0) { bu = await cpuOf(baseline); cu = await cpuOf(candidate); } else { cu = await cpuOf(candidate); bu = await cpuOf(baseline); }
    b.push(bu);
    c.push(cu);
    ratios.push(cu / bu);
    if (log) console.log(`  round ${r + 1}/${rounds}: baseline ${(bu / 1000).toFixed(1)} ms CPU, candidate ${(cu / 1000).toFixed(1)} ms CPU, ${(cu / bu).toFixed(2)}×`);
  }
  const sum = (xs) => xs.reduce((s, x) => s + x, 0);
  return {
    baseline: b, candidate: c, ratios, ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios),
    baselineMedian: median(b), candidateMedian: median(c), totalRatio: sum(c) / sum(b),
  };
}

// --- fixtures --------------------------------------------------------------------------------------

export const LLM_SPAN_NAME = 'chat gpt-4o-mini';

/** 8 attributes of a typical LLM call span: strings, ints and a boolean, with GenAI keys. */
export function llmAttributes(i) {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.request.max_tokens': 1024,
    'gen_ai.usage.input_tokens': 1200 + (i % 500),
    'gen_ai.usage.output_tokens': 180 + (i % 97),
    'gen_ai.request.stream': (i & 1) === 0,
  };
}

/** A SpanExporter that accepts everything at once and only counts. */
export function noopSpanExporter() {
  return {
    exported: 0,
    export(spans, cb) { this.exported += spans.length; cb({ code: ExportResultCode.SUCCESS }); },
    shutdown() { return Promise.resolve(); },
    forceFlush() { return Promise.resolve(); },
  };
}

/** A PushMetricExporter that accepts everything at once. */
export function noopMetricExporter() {
  return {
    export(_metrics, cb) { cb({ code: ExportResultCode.SUCCESS }); },
    shutdown() { return Promise.resolve(); },
    forceFlush() { return Promise.resolve(); },
  };
}

/**
 * The baseline everybody compares against: the bare SDK, i.e. a TracerProvider with the SDK's
 * BatchSpanProcessor (default settings) and an exporter that does nothing. Not registered globally;
 * it uses whatever context manager is registered (registerTelemetry's AsyncLocalStorage one).
 */
export function bareSdk() {
  const exporter = noopSpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  return { provider, exporter, tracer: provider.getTracer('bench-bare-sdk', '1.0.0') };
}

/** `options` plus `duckdb: false` when this build has a DuckDB exporter (it is on by default). */
export function withoutDuckDb(options) {
  try {
    resolveConfig({ duckdb: false });
    return { ...options, duckdb: false };
  } catch {
    return options;
  }
}

/** Which exporters a registered handle writes with, e.g. `jsonl+duckdb`. */
export const pipelineName = (handle) => Object.entries({ jsonl: handle.exporters.spans, duckdb: handle.exporters.duckdb })
  .filter(([, e]) => e).map(([k]) => k).join('+') || 'none';

/**
 * Makes (or adds to) a store of `spans` spans in `dir` through the public API (tests/fixtures/gen-spans.mjs:
 * registerTelemetry + the helpers, JSONL only), then has the kernel write it out (`sync`), so that a load
 * timed next does not share the machine with the writeback of the ~600 MB the generator just wrote.
 */
export function makeStore(dir, spans) {
  const gen = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'gen-spans.mjs');
  const r = spawnSync(process.execPath, [gen, dir, String(spans)], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`tests/fixtures/gen-spans.mjs exited ${r.status} making ${spans} spans in ${dir}`);
  spawnSync('sync');
}

/**
 * The store a store benchmark runs on: the directory given (kept), or a new temporary one (`own`: the
 * benchmark deletes it at its end); made through the public API (`makeStore`) unless it holds spans.
 */
export function benchStore(name, given, spans) {
  const dir = given || tmpDir(name);
  if (!fs.existsSync(path.join(dir, 'spans'))) {
    console.log(`making a store of ${spans} spans in ${dir} through the public API …`);
    const t0 = performance.now();
    try {
      makeStore(dir, spans);
    } catch (err) {
      if (!given) fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    console.log(`  made in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  }
  return { dir, own: !given };
}

/** Deletes a DuckDB database file and its WAL, if there. */
export function rmDatabase(file) {
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
}

export function tmpDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `agent-otel-bench-${name}-`));
}

/**
 * How fast this disk takes appends right now: 64 writes of 1 MiB to a new file in `dir` (like the
 * JSONL writer's), in MB/s of wall time and µs of CPU (mostly kernel) per MB. For context only.
 */
export function diskAppendProbe(dir) {
  const file = path.join(dir, 'probe.tmp');
  const buf = Buffer.alloc(1 << 20, 0x61);
  const fd = fs.openSync(file, 'a', 0o600);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < 64; i++) fs.writeSync(fd, buf);
  const wallS = (performance.now() - t0) / 1000;
  const cpuUs = cpuSince(c0);
  fs.closeSync(fd);
  fs.rmSync(file);
  const mb = 64 * (1 << 20) / 1e6;
  return { mbPerS: mb / wallS, cpuUsPerMb: cpuUs / mb };
}

/** Lines in `<dir>/spans/*.jsonl` (one span per line). */
export function countSpanLines(dir, sub = 'spans') {
  const spansDir = path.join(dir, sub);
  let lines = 0;
  for (const name of fs.existsSync(spansDir) ? fs.readdirSync(spansDir) : []) {
    if (!name.endsWith('.jsonl')) continue;
    const buf = fs.readFileSync(path.join(spansDir, name));
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

// --- reporting -------------------------------------------------------------------------------------

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/**
 * Prints a benchmark's rows and, when run by bench/run.js, hands the result over as JSON.
 * A row: { label, baseline, candidate, result, target, pass } (display strings, pass a boolean).
 */
export function report(result) {
  // Load average: other processes on the machine make CPU figures noisier (not biased: rounds alternate).
  const full = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), ...result };
  console.log(`\n${result.name}: ${result.what}`);
  for (const r of result.rows) {
    console.log(`  ${r.label}: baseline ${r.baseline} | candidate ${r.candidate} | ${r.result} | target ${r.target} → ${r.info ? 'info' : r.pass ? 'PASS' : 'FAIL'}`);
  }
  for (const n of result.notes ?? []) console.log(`  note: ${n}`);
  if (process.env.BENCH_RESULT_FILE) fs.writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(full, null, 2));
}
