// Pieces every anchors child shares. No OpenTelemetry import here: each child brings its own copy
// (the peers' SDK 2.x on API 1.9 from bench/anchors/node_modules, agent-otel's SDK 3.x on API 1.10
// from the repository root), so nothing here may pin one of them. The measuring conventions are
// those of ../lib.js (CPU via process.cpuUsage, double gc before a round, alternating rounds, medians);
// the functions are repeated because ../lib.js imports the root's OpenTelemetry packages.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

export const ITERATIONS = Number(process.env.ANCHORS_ITERATIONS ?? 30_000);
export const ROUNDS = Number(process.env.ANCHORS_ROUNDS ?? 3);
const YIELD_EVERY = 250; // iterations between event-loop turns, as in ../iteration.js
const MAX_PENDING = 1024; // spans ended but not yet exported before the loop waits (idle, no CPU)

// SpanKind values (stable across API versions), so this file needs no API import.
const INTERNAL = 0;
const CLIENT = 2;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } };
const cpuSince = (start) => { const d = process.cpuUsage(start); return d.user + d.system; };

/**
 * An exporter that hands spans to `inner` (or accepts them at once when there is none) and counts
 * what was exported: the loop waits on it so an OTLP exporter, one request in flight, never makes
 * the queue drop spans (a dropped span costs no CPU and would flatter the variant).
 */
export function countingExporter(inner, successCode = 0) {
  return {
    exported: 0,
    failed: 0,
    export(spans, cb) {
      if (!inner) { this.exported += spans.length; cb({ code: successCode }); return; }
      inner.export(spans, (res) => {
        if (res.code === successCode) this.exported += spans.length; else this.failed += spans.length;
        cb(res);
      });
    },
    shutdown() { return inner ? inner.shutdown() : Promise.resolve(); },
    forceFlush() { return inner?.forceFlush ? inner.forceFlush() : Promise.resolve(); },
  };
}

/**
 * `n` iterations of `iteration(i)`, a turn of the event loop every 250, and a wait while more than
 * MAX_PENDING spans are queued (`pending(i)`, i the iteration just run), so no variant drops spans at this offered rate.
 */
export async function loop(iteration, pending, n = ITERATIONS) {
  for (let i = 0; i < n; i++) {
    await iteration(i);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) {
      await yieldToLoop();
      while (pending && pending(i) > MAX_PENDING) await sleep(1);
    }
  }
}

/** CPU µs of `fn` after a double gc and one event-loop turn (../lib.js measure()). */
async function measure(fn) {
  gc();
  await yieldToLoop();
  const c0 = process.cpuUsage();
  await fn();
  return cpuSince(c0);
}

/** One warm-up of each side, then ROUNDS measured rounds of each, the order swapped every round. */
export async function alternate({ baseline, candidate, rounds = ROUNDS }) {
  await baseline();
  await candidate();
  const b = [];
  const c = [];
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 === 0 ? ['b', 'c'] : ['c', 'b']) {
      const us = await measure(which === 'b' ? baseline : candidate);
      (which === 'b' ? b : c).push(us);
    }
    console.error(`    round ${r + 1}/${rounds}: bare ${(b[r] / ITERATIONS).toFixed(2)} µs/it, candidate ${(c[r] / ITERATIONS).toFixed(2)} µs/it`);
  }
  return { baseline: b, candidate: c };
}

/**
 * The baseline of every child: run → LLM call → tool call as 3 hand-made spans with the attributes
 * agent-otel's helpers set (as in ../iteration.js), on that child's own bare SDK.
 */
export function bareIteration(tracer, i) {
  return tracer.startActiveSpan('invoke_agent bench-agent', {
    kind: INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bench-agent', 'agent.run.id': randomUUID(), 'agent.run.kind': 'iteration' },
  }, async (run) => {
    try {
      await tracer.startActiveSpan('chat gpt-4o-mini', {
        kind: CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' },
      }, async (span) => {
        try {
          span.setAttribute('gen_ai.usage.input_tokens', 1200 + (i % 300));
          span.setAttribute('gen_ai.usage.output_tokens', 300);
        } finally { span.end(); }
      });
      await tracer.startActiveSpan('execute_tool read_file', {
        kind: INTERNAL,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': `call_${i}` },
      }, async (span) => {
        try { span.setAttribute('agent.tool.outcome', 'success'); } finally { span.end(); }
      });
      run.setAttribute('agent.run.status', 'success');
    } finally { run.end(); }
  });
}

/** A child's answer to run.js: one JSON file named by ANCHORS_RESULT_FILE. */
export function answer(result) {
  const file = process.env.ANCHORS_RESULT_FILE;
  if (file) fs.writeFileSync(file, JSON.stringify(result));
  else console.log(JSON.stringify(result, null, 2));
}

/** Per-iteration medians and the ratio of medians, from alternate()'s rounds. */
export function summarize(res, extra = {}) {
  const b = median(res.baseline) / ITERATIONS;
  const c = median(res.candidate) / ITERATIONS;
  return { iterations: ITERATIONS, rounds: res.baseline.length, baselineUs: b, candidateUs: c, ratio: c / b,
    roundsCpuUs: res, ...extra };
}
