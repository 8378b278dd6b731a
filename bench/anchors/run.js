// The peers' table: runs every anchor (one child process each, so the peers' OpenTelemetry copies
// never meet) against a loopback OTLP sink, then prints the table and writes bench/out/anchors.json.
// `npm run bench:anchors` at the root builds, installs this package (npm ci) and runs this file;
// `node bench/anchors/run.js [filter ...]` runs only the anchors whose name contains a filter.
// Each row: CPU per iteration (median of ANCHORS_ROUNDS rounds, default 3, of ANCHORS_ITERATIONS
// iterations, default 30,000, including the final flush) and its ratio to the bare SDK measured
// in the same child, alternating with it (see ../README.md, "Anchors: the peers").
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, report } from '../lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ANCHORS = [
  { name: 'bare-noop', label: 'bare SDK, no-op exporter', file: 'peer.js', args: ['bare', 'noop'] },
  { name: 'openinference-noop', label: 'OpenInference (exports nothing)', file: 'peer.js', args: ['openinference', 'noop'] },
  { name: 'bare-otlp', label: 'bare SDK + OTLP/HTTP export (protobuf)', file: 'peer.js', args: ['bare', 'otlp'] },
  { name: 'langfuse-bsp', label: 'Langfuse 5 helpers on the bare SDK (exports nothing)', file: 'peer.js', args: ['langfuse', 'bsp'] },
  { name: 'langfuse-noop', label: 'Langfuse 5, LangfuseSpanProcessor (exports nothing)', file: 'peer.js', args: ['langfuse', 'noop'] },
  { name: 'openllmetry-noop', label: 'OpenLLMetry (exports nothing)', file: 'peer.js', args: ['openllmetry', 'noop'] },
  { name: 'openllmetry-workflow', label: 'OpenLLMetry, withWorkflow instead of withAgent (exports nothing)', file: 'peer.js', args: ['openllmetry', 'workflow'] },
  { name: 'openinference-otlp', label: 'OpenInference + OTLP export (protobuf)', file: 'peer.js', args: ['openinference', 'otlp'] },
  { name: 'langfuse-otlp', label: 'Langfuse 5 + OTLP export (its JSON exporter)', file: 'peer.js', args: ['langfuse', 'otlp'] },
  { name: 'openllmetry-otlp', label: 'OpenLLMetry + OTLP export (protobuf)', file: 'peer.js', args: ['openllmetry', 'otlp'] },
  { name: 'agent-otel-duckdb-false', label: '**agent-otel, `duckdb: false`**', file: 'agent-otel.js', args: ['duckdb-false'] },
  { name: 'agent-otel-default', label: '**agent-otel, default**', file: 'agent-otel.js', args: ['default'] },
  { name: 'agent-otel-default-otlp', label: '**agent-otel, default + OTLP**', file: 'agent-otel.js', args: ['default-otlp'] },
  { name: 'agent-otel-duckdb-live', label: 'agent-otel, `duckdb: \'live\'` (DuckDB exporter in the agent)', file: 'agent-otel.js', args: ['duckdb-live'] },
];

function startSink() {
  const child = spawn(process.execPath, [path.join(here, 'sink.js')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
    child.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}`, stats: () => new Promise((r) => { child.once('message', r); child.send('stats'); }) });
    });
  });
}

function runChild(anchor, sinkUrl) {
  const resultFile = path.join(os.tmpdir(), `agent-otel-anchors-${process.pid}-${anchor.name}.json`);
  fs.rmSync(resultFile, { force: true });
  const child = spawn(process.execPath, ['--expose-gc', path.join(here, anchor.file), ...anchor.args], {
    cwd: here, stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ANCHORS_SINK: sinkUrl, ANCHORS_RESULT_FILE: resultFile },
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      let result = null;
      try { result = JSON.parse(fs.readFileSync(resultFile, 'utf8')); } catch { /* reported as an error below */ }
      fs.rmSync(resultFile, { force: true });
      resolve(code === 0 && result ? result : { error: `exit code ${code}` });
    });
  });
}

const filters = process.argv.slice(2);
const selected = ANCHORS.filter((a) => !filters.length || filters.some((f) => a.name.includes(f)));
const sink = await startSink();
const results = [];
for (const anchor of selected) {
  console.log(`${anchor.name}:`);
  results.push({ ...anchor, result: await runChild(anchor, sink.url) });
}
const sinkStats = await sink.stats();
sink.child.kill();

/** Spans lost on the way (each variant waits rather than drop, so this must be 0). */
const lost = (r) => (r.spans?.dropped ?? (r.spans ? r.spans.expected - r.spans.exported : 0));
const rows = results.map(({ label, result: r }) => (r.error
  ? { label, baseline: '–', candidate: 'ERROR', result: r.error, target: 'info', info: true }
  : { label, baseline: `${fmt(r.baselineUs)} µs`, candidate: `${fmt(r.candidateUs, 1)} µs`, result: `${fmt(r.ratio)}×`,
    target: 'no span lost', pass: lost(r) === 0 && !(r.spans?.failed > 0), info: lost(r) === 0 && !(r.spans?.failed > 0) }));

console.log('\n| pipeline | µs / iteration | × bare SDK (same process) | bare SDK µs in that process | versions |\n|---|---|---|---|---|');
for (const { label, result: r } of results) {
  if (r.error) { console.log(`| ${label} | ERROR (${r.error}) | | | |`); continue; }
  const versions = Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ') + (r.pipeline ? ` (${r.pipeline})` : '');
  console.log(`| ${label} | ${fmt(r.candidateUs, 1)} | ${fmt(r.ratio)} | ${fmt(r.baselineUs, 1)} | ${versions} |`);
}
const full = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), sink: sinkStats,
  anchors: results.map(({ name, label, result }) => ({ name, label, ...result })) };
const outDir = path.join(here, '..', 'out');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'anchors.json'), JSON.stringify(full, null, 2));
report({
  name: 'anchors',
  what: 'CPU per agent iteration (run → LLM call → tool call) of each peer and agent-otel, × the bare SDK in the same child process',
  rows,
  data: full,
  notes: [`the OTLP sink received ${sinkStats.requests} requests, ${(sinkStats.bytes / 1e6).toFixed(1)} MB`, 'full figures: bench/out/anchors.json'],
});
if (results.some((r) => r.result.error)) process.exitCode = 1;
