// agent-otel in its own process, from the built package at the repository root (../../dist; run
// `npm run build` first), with the root's OpenTelemetry (SDK 3.x, API 1.10):
// `node --expose-gc agent-otel.js <duckdb-false|default|default-otlp|duckdb-live>`. The iteration is
// withAgentRun → withLlmCall (recordUsage) → withToolCall, as in ../iteration.js, against the root
// SDK's bare provider (../lib.js bareSdk(): BatchSpanProcessor + no-op exporter) in the same process.
import fs from 'node:fs';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../../dist/src/index.js';
import { bareSdk, pipelineName, tmpDir } from '../lib.js';
import { alternate, answer, bareIteration, ITERATIONS, loop, summarize } from './common.js';

const variant = process.argv[2];
const sink = process.env.ANCHORS_SINK;
const options = {
  'duckdb-false': { duckdb: false },
  default: {},
  'default-otlp': { otlp: { endpoint: sink, protocol: 'http/protobuf' } },
  // The DuckDB exporter in the agent process (the default before the database became a view of the files).
  'duckdb-live': { duckdb: 'live' },
}[variant];
if (!options) throw new Error(`unknown variant ${variant}`);
if (variant === 'default-otlp' && !sink) throw new Error('ANCHORS_SINK is not set (run.js starts the sink)');

const dir = tmpDir('anchors');
const handle = registerTelemetry({ dir, handleSignals: false, logLevel: 'error', ...options });
const bare = bareSdk();

const iteration = (i) => withAgentRun({ agentName: 'bench-agent', runKind: 'iteration' }, async () => {
  await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (call) => {
    call.recordUsage({ inputTokens: 1200 + (i % 300), outputTokens: 300 });
  });
  await withToolCall({ name: 'read_file', callId: `call_${i}` }, () => 'ok');
});

let bareIterations = 0;
const res = await alternate({
  baseline: async () => {
    const before = bareIterations;
    await loop((i) => bareIteration(bare.tracer, i), (i) => (before + i + 1) * 3 - bare.exporter.exported);
    bareIterations += ITERATIONS;
    await bare.provider.forceFlush();
  },
  candidate: async () => {
    await loop(iteration, () => handle.health().queueDepth);
    await handle.forceFlush();
  },
});
const health = handle.health();
const pipeline = pipelineName(handle) + (options.otlp ? '+otlp' : '');
await handle.shutdown();
await bare.provider.shutdown();
fs.rmSync(dir, { recursive: true, force: true });
const version = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
answer(summarize(res, { peer: 'agent-otel', variant, pipeline, versions: { 'agent-otel': version }, node: process.version,
  spans: { dropped: health.dropped.spans, byReason: health.dropped.byReason } }));
process.exit(0);
