// serialize: JSONL rows (SpanRowSerializer.toBuffer, what the JSONL exporter writes) vs the OTLP
// JSON serializer (JsonTraceSerializer.serializeRequest from @opentelemetry/otlp-transformer) on the
// same batches of 512 ended spans. Both sides end in UTF-8 bytes (what gets written or sent): the JSONL
// rows are encoded straight into the exporter's reused buffer (a file write needs the bytes only until
// it completes); serializeRequest returns a fresh Uint8Array itself.
import fs from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { registerTelemetry } from '../dist/src/index.js';
import { JsonlSpanExporter } from '../dist/exporters/jsonl/index.js';
import { alternate, fmt, llmAttributes, LLM_SPAN_NAME, report, tmpDir, withoutDuckDb } from './lib.js';

const BATCH = 512;
const BATCHES = 8; // distinct batches, so that the spans are not all hot in cache
const REPS = 25; // passes over all batches per round
const ROUNDS = 5;

// registerTelemetry is used only for its resource (service, host, process attributes), so that the
// rows carry the same resource as in production; no span goes through its pipeline.
const dir = tmpDir('serialize');
const handle = registerTelemetry(withoutDuckDb({ dir, handleSignals: false, jsonl: false }));
const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ resource: handle.resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('agent-otel', '0.1.0');

// An LLM call span with 8 attributes under a parent, like most spans of an agent trace.
const batches = [];
for (let b = 0; b < BATCHES; b++) { // 64 parents × 8 children = one batch of 512
  for (let g = 0; g < BATCH / 8; g++) {
    tracer.startActiveSpan('invoke_agent bench', (parent) => {
      for (let j = 0; j < 8; j++) tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(g * 8 + j) }).end();
      parent.end();
    });
  }
  batches.push(memory.getFinishedSpans().filter((s) => s.name === LLM_SPAN_NAME)); // the parents are left out
  memory.reset();
}
if (batches.some((b) => b.length !== BATCH)) throw new Error('a batch does not hold 512 spans');

const exporter = new JsonlSpanExporter({ root: dir, maxFileBytes: 64 << 20, maxAgeMs: 86400e3, maxTotalBytes: 1 << 30 });
let sink = 0; // keeps results alive so the work cannot be optimised away

const jsonlBytes = () => { for (let r = 0; r < REPS; r++) for (const b of batches) sink += exporter.rows.toBuffer(b).length; };
const otlp = () => { for (let r = 0; r < REPS; r++) for (const b of batches) sink += JsonTraceSerializer.serializeRequest(b)?.length ?? 0; };

const spansPerRound = REPS * BATCHES * BATCH;
console.log('JSONL bytes vs OTLP JSON:');
const main = await alternate({ rounds: ROUNDS, baseline: otlp, candidate: jsonlBytes });

const bytesPerSpan = { jsonl: exporter.rows.toBuffer(batches[0]).length / BATCH, otlp: (JsonTraceSerializer.serializeRequest(batches[0])?.length ?? 0) / BATCH };
await handle.shutdown();
fs.rmSync(dir, { recursive: true, force: true });

const o = main.baselineMedian / spansPerRound;
const j = main.candidateMedian / spansPerRound;
report({
  name: 'serialize',
  what: `CPU per span, batches of ${BATCH} ended spans (8 attributes, the agent's resource), JSONL vs OTLP JSON serializer`,
  rows: [
    { label: 'to UTF-8 bytes', baseline: `${fmt(o)} µs`, candidate: `${fmt(j)} µs`, result: `${fmt(o / j)}× faster`, target: '≥ 2× faster', pass: o / j >= 2 },
  ],
  data: { batch: BATCH, spansPerRound, otlpUsPerSpan: o, jsonlUsPerSpan: j, speedup: o / j,
    bytesPerSpan, roundsCpuUs: main, sink },
  notes: [`bytes per span: JSONL ${fmt(bytesPerSpan.jsonl, 0)} (the resource named by its id; written once to resources/), OTLP JSON ${fmt(bytesPerSpan.otlp, 0)}`],
});
