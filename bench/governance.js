// governance: what cost enrichment + privacy/redaction add to the per-span cost of the default JSONL
// pipeline; audit append latency with durability on; sensors read time.
//
// 1. Per-span CPU of LLM spans (8 attributes, usage recorded so they are priced) through the JSONL
//    pipeline with the governance processors (the default) against the same pipeline with them off:
//    a registration whose processors are taken out. Target: ≤ 1.25×.
// 2. audit.record() wall time per entry (write + fdatasync), 500 entries. Target: median < 2 ms, p99 < 10 ms.
// 3. sensors(60) read time with a realistic recent window (20 keys, ~60 s of spans). Target: < 50 µs.
import fs from 'node:fs';
import { registerTelemetry } from '../dist/src/index.js';
import { AuditLog } from '../dist/src/governance/audit.js';
import { Sensors } from '../dist/src/governance/sensors.js';
import { alternate, fmt, llmAttributes, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

const SPANS = 100_000;
const CHUNK = 1000;

async function spansThrough(handle) {
  const tracer = handle.tracer;
  for (let i = 0; i < SPANS; i += CHUNK) {
    for (let j = 0; j < CHUNK; j++) {
      const attrs = llmAttributes(i + j);
      attrs['gen_ai.agent.name'] = 'bench';
      attrs['gen_ai.prompt.0.content'] = 'mail me at someone@example.com'; // content + PII: work for privacy/redaction
      tracer.startSpan('chat gpt-4o-mini', { attributes: attrs }).end();
    }
    await yieldToLoop();
  }
  await handle.forceFlush();
}

const onDir = tmpDir('gov-on');
const on = registerTelemetry(withoutDuckDb({ dir: onDir, handleSignals: false, metricIntervalMillis: 600_000 }));
// The "off" side is the same registration with the governance processors emptied out (their
// onEnding/onEnd become no-ops), so both sides share one provider, queue and file writer.
const { getGovernance } = await import('../dist/src/governance/setup.js');
const gov = getGovernance();
if (!gov) throw new Error('governance is not registered');
const saved = gov.stages.map(([, p]) => ({ p, onEnding: p.onEnding, onEnd: p.onEnd }));
const setGovernance = (enabled) => {
  for (const s of saved) {
    s.p.onEnding = enabled ? s.onEnding : () => {};
    s.p.onEnd = enabled ? s.onEnd : () => {};
  }
};
const r = await alternate({
  baseline: async () => { setGovernance(false); await spansThrough(on); },
  candidate: async () => { setGovernance(true); await spansThrough(on); },
});
setGovernance(true);
const ratio = r.candidateMedian / r.baselineMedian;

const auditDir = tmpDir('audit');
const auditLog = new AuditLog(auditDir);
const times = [];
for (let i = 0; i < 500; i++) {
  const t = performance.now();
  auditLog.record({ action: 'file.write', actor: 'bench', resource: `f${i}`, result: 'success', details: { i } });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];

const sensors = new Sensors();
const now = Date.now();
for (let s = 0; s < 60; s++) {
  for (let k = 0; k < 20; k++) for (let n = 0; n < 50; n++) sensors.record(`tool|t${k}`, now - s * 1000, 1 + ((n * 7) % 500), n % 10 === 0, 10, 5, 0.001);
}
for (let i = 0; i < 200; i++) sensors.snapshot(60); // warm up
const reads = [];
for (let i = 0; i < 2000; i++) {
  const t = performance.now();
  sensors.snapshot(60);
  reads.push((performance.now() - t) * 1000);
}
reads.sort((a, b) => a - b);
sensors.stop();
await on.shutdown();
// ~1.4 GB of spans: every run of the suite used to leave it behind
for (const d of [onDir, auditDir]) fs.rmSync(d, { recursive: true, force: true });

report({
  name: 'governance',
  what: `cost + privacy/redaction on ${SPANS} LLM spans per round (JSONL pipeline), audit append, sensors read`,
  rows: [
    { label: 'CPU per span, governance on vs off', baseline: `${fmt(r.baselineMedian / SPANS)} µs`, candidate: `${fmt(r.candidateMedian / SPANS)} µs`,
      result: `${fmt(ratio)}×`, target: '≤ 1.25×', pass: ratio <= 1.25 },
    { label: 'audit.record median (fdatasync)', baseline: '-', candidate: `${fmt(p(0.5), 3)} ms`, result: `p99 ${fmt(p(0.99), 3)} ms`, target: 'median < 2 ms, p99 < 10 ms', pass: p(0.5) < 2 && p(0.99) < 10 },
    { label: 'sensors(60) read, 20 keys × 60 s', baseline: '-', candidate: `${fmt(reads[1000], 1)} µs median`, result: `p99 ${fmt(reads[1980], 1)} µs`, target: '< 50 µs', pass: reads[1000] < 50 },
  ],
});
