// iteration: one agent iteration (run → LLM call with recordUsage → tool call) through the helpers on
// the full default pipeline (registerTelemetry({ dir }) as shipped: JSONL files, DuckDB if this build
// has it, metrics), vs the same 3 spans with the same attributes made with the bare SDK and a no-op
// exporter. The helper side also writes the run-start row (runs/, not a span) and records
// the run/LLM/tool metrics; that is part of what is measured. Each round ends with a flush (for DuckDB:
// until the rows are loaded). Variants: the default pipeline, `duckdb: false` (when the build has
// DuckDB), and the default pipeline + OTLP/HTTP protobuf to a stand-in collector in a child process
// (its CPU is not ours). BENCH_VARIANTS=default,nodb,otlp picks some; BENCH_ITERATIONS sets the
// iterations per round, BENCH_ROUNDS the rounds. The ratio is the median of the rounds' paired ratios
// (lib.js `paired`: many short rounds, bare and helpers back to back, the order swapped every round),
// printed with their range and the ratio of the totals.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import { bareSdk, countSpanLines, fmt, pipelineName, paired, report, tmpDir, withoutDuckDb, yieldToLoop } from './lib.js';

// A round ends with the helpers' full flush, which costs ~0.9 ms even with nothing queued (a metric
// collection and export, every 10 s in an agent): 5,000 iterations keep it under 1% of a round.
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const YIELD_EVERY = 250; // iterations (750 spans on the helper side)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);

const bare = bareSdk();
const t = bare.tracer;

// Every callback async on both sides, as an agent's are (the bare side's would hold its model and tool calls):
// the same user code around each span.
function helperIteration(i) {
  return withAgentRun({ agentName: 'bench-agent', runKind: 'iteration' }, async () => {
    await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, async (call) => {
      call.recordUsage({ inputTokens: 1200 + (i % 300), outputTokens: 300 });
    });
    await withToolCall({ name: 'read_file', callId: `call_${i}` }, async () => 'ok');
  });
}

/** The same spans by hand with the bare SDK: the attributes the helpers would set. */
function bareIteration(i) {
  return t.startActiveSpan('invoke_agent bench-agent', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bench-agent', 'agent.run.id': randomUUID(), 'agent.run.kind': 'iteration' },
  }, async (run) => {
    try {
      await t.startActiveSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' },
      }, async (span) => {
        try {
          span.setAttribute('gen_ai.usage.input_tokens', 1200 + (i % 300));
          span.setAttribute('gen_ai.usage.output_tokens', 300);
        } finally { span.end(); }
      });
      await t.startActiveSpan('execute_tool read_file', {
        kind: SpanKind.INTERNAL,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': `call_${i}` },
      }, async (span) => {
        try { span.setAttribute('agent.tool.outcome', 'success'); } finally { span.end(); }
      });
      run.setAttribute('agent.run.status', 'success');
    } finally { run.end(); }
  });
}

let maxQueueDepth = 0;
async function loop(iteration, queueDepth) {
  for (let i = 0; i < ITERATIONS; i++) {
    await iteration(i);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) {
      if (queueDepth) maxQueueDepth = Math.max(maxQueueDepth, queueDepth());
      await yieldToLoop();
    }
  }
}

/** A stand-in OTLP/HTTP collector in a child process: reads each request, answers 200 (an empty OTLP response). */
function startCollector() {
  const code = `
    import http from 'node:http';
    let requests = 0;
    http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { requests++; res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(''); });
    }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });
    process.on('message', () => process.send({ requests }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.stdout?.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}`, stats: () => new Promise((r) => { child.once('message', r); child.send('stats'); }) });
    });
  });
}

// The default pipeline as shipped, then (when this build has DuckDB) the same without DuckDB, then the
// default + OTLP (traces and metrics), each registered in turn and alternated with the bare SDK.
const wanted = new Set((process.env.BENCH_VARIANTS ?? 'default,nodb,otlp,nodb-otlp').split(','));
const hasDuckDb = withoutDuckDb({}).duckdb === false;
const collector = wanted.has('otlp') || wanted.has('nodb-otlp') ? await startCollector() : undefined;
const variants = [];
if (wanted.has('default')) variants.push({ label: 'default', options: {}, target: 3.0 });
if (wanted.has('nodb') && hasDuckDb) variants.push({ label: 'without DuckDB', options: { duckdb: false }, target: 2.5 });
const otlp = collector && { endpoint: collector.url, protocol: 'http/protobuf' };
if (wanted.has('otlp')) variants.push({ label: 'default + OTLP', options: { otlp }, target: 4.5 });
// While the DuckDB exporter is still on the agent's hot path by default: the OTLP figure without it.
if (wanted.has('nodb-otlp') && hasDuckDb) variants.push({ label: 'without DuckDB + OTLP', options: { duckdb: false, otlp }, target: 4.5 });

const rows = [];
const data = { iterations: ITERATIONS, rounds: ROUNDS };
const notes = [];
for (const variant of variants) {
  const dir = tmpDir('iteration');
  const handle = registerTelemetry({ dir, handleSignals: false, logLevel: 'error', ...variant.options });
  const pipeline = pipelineName(handle);
  console.log(`${variant.label} pipeline (${pipeline}):`);
  maxQueueDepth = 0;
  let helperIterations = 0;
  const res = await paired({
    rounds: ROUNDS,
    log: process.env.BENCH_LOG === '1',
    baseline: async () => { await loop(bareIteration); await bare.provider.forceFlush(); },
    candidate: async () => {
      await loop(helperIteration, () => handle.health().queueDepth);
      await handle.forceFlush();
      helperIterations += ITERATIONS;
    },
  });
  const health = handle.health();
  await handle.shutdown();
  const written = countSpanLines(dir);
  const runStarts = countSpanLines(dir, 'runs');
  fs.rmSync(dir, { recursive: true, force: true });
  // Drops fail the benchmark (reported, not thrown), but every span must be written or counted.
  const dropped = health.dropped.spans;
  if (written + dropped !== helperIterations * 3 || runStarts !== helperIterations) {
    throw new Error(`wrote ${written} JSONL lines and dropped ${dropped} for ${helperIterations} iterations (3 spans each), ${runStarts} run starts`);
  }

  const b = res.baselineMedian / ITERATIONS;
  const c = res.candidateMedian / ITERATIONS;
  console.log(`  ${ROUNDS} paired rounds of ${ITERATIONS} iterations: ratio median ${fmt(res.ratio)}×, range ${fmt(res.min)}–${fmt(res.max)}×, totals ${fmt(res.totalRatio)}×`);
  rows.push({ label: `CPU per iteration, ${variant.label} (${pipeline})`, baseline: `${fmt(b)} µs`, candidate: `${fmt(c)} µs`,
    result: `${fmt(res.ratio)}× (rounds ${fmt(res.min)}–${fmt(res.max)}×, totals ${fmt(res.totalRatio)}×)`, target: `≤ ${fmt(variant.target, 1)}×`,
    pass: res.ratio <= variant.target });
  rows.push({ label: `spans dropped, ${variant.label}`, baseline: '0', candidate: String(dropped), result: `of ${helperIterations * 3}, max queue ${maxQueueDepth}`,
    target: '0', pass: dropped === 0 });
  data[variant.label] = { pipeline, baselineUsPerIteration: b, candidateUsPerIteration: c, ratio: res.ratio,
    ratioRange: [res.min, res.max], totalRatio: res.totalRatio, roundRatios: res.ratios,
    roundsCpuUs: { baseline: res.baseline, candidate: res.candidate }, linesWritten: written, dropped, maxQueueDepth, duckdb: health.duckdb };
  notes.push(`${variant.label}: ${written} JSONL lines written (3 spans per iteration: run, LLM call, tool call) and ${runStarts} run starts, ${dropped} dropped` +
    (health.duckdb ? `; DuckDB loaded ${health.duckdb.loaded.spans} span rows${health.duckdb.lagging ? ', LAGGING behind the files' : ''}` : ''));
}
await bare.provider.shutdown();
if (collector) notes.push(`the OTLP collector received ${(await collector.stats()).requests} requests`);
collector?.child.kill();

report({
  name: 'iteration',
  what: `CPU per agent iteration (run → LLM call → tool call), ${ROUNDS} paired rounds of ${ITERATIONS}, helpers on the registered pipeline vs bare SDK + no-op exporter`,
  rows,
  data,
  notes,
});
