// otlp: CPU per span with OTLP export on (local files + OTLP/HTTP to a collector) vs the local-only
// pipeline (batch → JSONL), both in this process; the collector is a stand-in OTLP/HTTP receiver in a
// child process (its CPU is not ours). Spans with 8 attributes, ended in chunks of 1000 with a yield to
// the event loop between chunks; a round ends after forceFlush, so serialization and sending count.
// Target: OTLP on adds ≤ 30% CPU per span (protobuf; JSON shown too). Nothing may be dropped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { cpuSince, fmt, llmAttributes, LLM_SPAN_NAME, median, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

const SPANS = Number(process.env.BENCH_SPANS ?? 100_000);
const CHUNK = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

/** A stand-in collector: reads each request, counts the bytes, answers 200 (an empty OTLP response). */
function startCollector() {
  const code = `
    import http from 'node:http';
    let requests = 0, bytes = 0;
    const server = http.createServer((req, res) => {
      req.on('data', (c) => { bytes += c.length; });
      req.on('end', () => {
        requests++;
        const json = String(req.headers['content-type']).includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      });
    });
    server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
    process.on('message', () => process.send({ requests, bytes }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.stdout?.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve({
        child, url: `http://127.0.0.1:${m[1]}`,
        stats: () => new Promise((r) => { child.once('message', r); child.send('stats'); }),
      });
    });
  });
}

/**
 * Ends `n` spans in chunks. Backpressure: while the export queues hold more than half their capacity
 * the emitter waits (idle time costs no CPU), so no variant drops spans and every span is measured
 * through to the collector. The local pipeline never waits here; OTLP, one request in flight at a
 * time, would otherwise drop at this offered rate (~100k+ spans/s), and dropped spans cost no CPU.
 */
async function emit(handle, n) {
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + CHUNK);
    for (; i < end; i++) handle.tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end();
    await yieldToLoop();
    while (handle.health().queueDepth > 8192) await new Promise((r) => setTimeout(r, 1));
  }
}

/** One round: register the variant, warm it up, measure the CPU of SPANS spans until flushed, shut down. */
async function round(options) {
  const dir = tmpDir('otlp');
  const handle = registerTelemetry(withoutDuckDb({ dir, handleSignals: false, logLevel: 'error', ...options }));
  await emit(handle, 5000);
  await handle.forceFlush();
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  await emit(handle, SPANS);
  await handle.forceFlush();
  const cpuUs = cpuSince(c0);
  const dropped = handle.health().dropped.spans;
  await handle.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
  return { cpuUs, dropped };
}

const collector = await startCollector();
const variants = {
  local: {},
  protobuf: { otlp: { endpoint: collector.url, protocol: 'http/protobuf', metrics: false } },
  json: { otlp: { endpoint: collector.url, protocol: 'http/json', metrics: false } },
};
const cpu = { local: [], protobuf: [], json: [] };
let dropped = 0;
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? ['json', 'protobuf', 'local'] : ['local', 'protobuf', 'json'];
  for (const v of order) {
    const res = await round(variants[v]);
    cpu[v].push(res.cpuUs / SPANS);
    dropped += res.dropped;
  }
  console.log(`  round ${r + 1}/${ROUNDS}: ${Object.entries(cpu).map(([k, xs]) => `${k} ${fmt(xs[r])} µs/span`).join(', ')}`);
}
const { requests, bytes } = await collector.stats();
collector.child.kill();

const local = median(cpu.local);
const proto = median(cpu.protobuf);
const json = median(cpu.json);
// Rounds run the variants back to back: the ratio within a round is less disturbed by machine load.
const protoRatio = median(cpu.protobuf.map((c, i) => c / cpu.local[i]));
const jsonRatio = median(cpu.json.map((c, i) => c / cpu.local[i]));
const protoAdded = median(cpu.protobuf.map((c, i) => c - cpu.local[i]));
const jsonAdded = median(cpu.json.map((c, i) => c - cpu.local[i]));
report({
  name: 'otlp',
  what: `CPU per span, ${SPANS} spans (8 attributes) per round, local-only (JSONL) vs + OTLP/HTTP to a collector in another process`,
  rows: [
    { label: 'OTLP http/protobuf on', baseline: `${fmt(local)} µs`, candidate: `${fmt(proto)} µs`, result: `+${fmt((protoRatio - 1) * 100, 0)}% (+${fmt(protoAdded)} µs)`, target: '≤ +30%', pass: protoRatio <= 1.3 },
    { label: 'OTLP http/json on', baseline: `${fmt(local)} µs`, candidate: `${fmt(json)} µs`, result: `+${fmt((jsonRatio - 1) * 100, 0)}% (+${fmt(jsonAdded)} µs)`, target: 'info', info: true },
    { label: 'spans dropped', baseline: '0', candidate: String(dropped), result: '', target: '0', pass: dropped === 0 },
  ],
  data: { spansPerRound: SPANS, rounds: ROUNDS, usPerSpan: cpu, medians: { local, protobuf: proto, json }, ratios: { protobuf: protoRatio, json: jsonRatio }, addedUsPerSpan: { protobuf: protoAdded, json: jsonAdded }, collector: { requests, bytes } },
  notes: ['result: median over rounds of (candidate ÷ local) within the round; baseline/candidate: medians of µs CPU per span',
    `the collector received ${requests} requests, ${(bytes / 1e6).toFixed(0)} MB (${fmt(bytes / requests / 1024, 0)} KiB each)`],
});
