// protobuf: the package's own OTLP protobuf span encoder (src/otlp/ProtobufSpanSerializer.ts, behind
// `otlp: { protocol: 'http/protobuf' }`) vs the official one (@opentelemetry/otlp-transformer's
// ProtobufTraceSerializer.serializeRequest) on the same batches of 512 ended spans, in the same process.
// Both return the request's bytes (what the HTTP export delegate sends). Two fixtures: the typical LLM
// span of the other benchmarks (8 attributes, full resource) and a span with captured content (a ~1.5 kB
// JSON prompt with non-ASCII text, a completion, an event). Before measuring, every batch is encoded by
// both and the two requests are decoded with the official generated decoders and compared: the
// candidate must write the same message (it leaves out zero-valued fields, as proto3 allows, so the
// raw bytes differ; the decoded messages, defaults filled in, must not).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { registerTelemetry } from '../dist/src/index.js';
import { encodeTraceRequest } from '../dist/src/otlp/ProtobufSpanSerializer.js';
import { alternate, fmt, llmAttributes, LLM_SPAN_NAME, report, tmpDir, withoutDuckDb } from './lib.js';

const BATCH = 512;
const BATCHES = 8; // distinct batches, so that the spans are not all hot in cache
const REPS = Number(process.env.BENCH_REPS ?? 25); // passes over all batches per round
const ROUNDS = 5;

// The official schema's generated decoders (0.301 ships none; 0.216 is installed for the tests).
const require = createRequire(import.meta.url);
const root = /** @type {any} */ (require('otlp-transformer-0216/build/src/generated/root.js'));
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const decode = (bytes) => Request.toObject(Request.decode(bytes), { longs: String, bytes: String, enums: Number, defaults: true, arrays: true });

// registerTelemetry is used only for its resource (service, host, process attributes), as in serialize.js.
const dir = tmpDir('protobuf');
const handle = registerTelemetry(withoutDuckDb({ dir, handleSignals: false, jsonl: false }));
const memory = new InMemorySpanExporter();
const provider = new TracerProvider({ resource: handle.resource, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('agent-otel', '0.2.0');

const PROMPT = (i) => JSON.stringify([
  { role: 'system', parts: [{ type: 'text', content: 'You are a careful planner. Réponds en français si on te parle français — 東京 ok.' }] },
  { role: 'user', parts: [{ type: 'text', content: `Plan step ${i}: ${'read the files, summarise each one, list the open questions; '.repeat(20)}` }] },
]);
const COMPLETION = (i) => JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Step ${i} done: ${'a summary sentence. '.repeat(15)}` }], finish_reason: 'stop' }]);

/** 8 batches of 512 LLM spans, each under a parent (left out), made by `make(i)`. */
function batchesOf(make) {
  const out = [];
  for (let b = 0; b < BATCHES; b++) {
    for (let g = 0; g < BATCH / 8; g++) {
      tracer.startActiveSpan('invoke_agent bench', (parent) => {
        for (let j = 0; j < 8; j++) make(g * 8 + j);
        parent.end();
      });
    }
    out.push(memory.getFinishedSpans().filter((s) => s.name === LLM_SPAN_NAME));
    memory.reset();
  }
  if (out.some((x) => x.length !== BATCH)) throw new Error('a batch does not hold 512 spans');
  return out;
}

const fixtures = {
  'LLM span, 8 attributes': batchesOf((i) => tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end()),
  'LLM span with content (~2 kB prompt + completion, an event)': batchesOf((i) => {
    const s = tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: {
      ...llmAttributes(i), 'gen_ai.input.messages': PROMPT(i), 'gen_ai.output.messages': COMPLETION(i), 'gen_ai.response.id': `chatcmpl-${i.toString(36)}xyz`,
    } });
    s.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop' });
    if (i % 16 === 0) s.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    s.end();
  }),
};

// Same message: every batch of every fixture, decoded with the official schema.
const equal = {};
for (const [name, batches] of Object.entries(fixtures)) {
  equal[name] = batches.every((b) => isDeepStrictEqual(decode(encodeTraceRequest(b)), decode(ProtobufTraceSerializer.serializeRequest(b))));
  if (!equal[name]) console.error(`${name}: the two encoders wrote different messages`);
}

let sink = 0; // keeps results alive so the work cannot be optimised away
const rows = [];
const data = { batch: BATCH, reps: REPS, fixtures: {} };
for (const [name, batches] of Object.entries(fixtures)) {
  const official = () => { for (let r = 0; r < REPS; r++) for (const b of batches) sink += ProtobufTraceSerializer.serializeRequest(b)?.length ?? 0; };
  const ours = () => { for (let r = 0; r < REPS; r++) for (const b of batches) sink += encodeTraceRequest(b).length; };
  console.log(`${name}: official ProtobufTraceSerializer (baseline) vs encodeTraceRequest (candidate)`);
  const m = await alternate({ rounds: ROUNDS, baseline: official, candidate: ours });
  const spans = REPS * BATCHES * BATCH;
  const o = m.baselineMedian / spans;
  const c = m.candidateMedian / spans;
  const bytes = { official: (ProtobufTraceSerializer.serializeRequest(batches[0])?.length ?? 0) / BATCH, ours: encodeTraceRequest(batches[0]).length / BATCH };
  rows.push({ label: `${name}, CPU per span`, baseline: `${fmt(o)} µs`, candidate: `${fmt(c)} µs`, result: `${fmt(o / c)}× faster`, target: '≥ 1.5× faster', pass: o / c >= 1.5 });
  rows.push({ label: `${name}, same message (decoded)`, baseline: `${fmt(bytes.official, 0)} B/span`, candidate: `${fmt(bytes.ours, 0)} B/span`, result: equal[name] ? 'equal' : 'DIFFERENT', target: 'equal', pass: equal[name] });
  data.fixtures[name] = { officialUsPerSpan: o, oursUsPerSpan: c, speedup: o / c, bytesPerSpan: bytes, sameMessage: equal[name], roundsCpuUs: m };
}

await handle.shutdown();
fs.rmSync(dir, { recursive: true, force: true });

report({
  name: 'protobuf',
  what: `CPU per span, batches of ${BATCH} ended spans (full resource), own OTLP protobuf encoder vs @opentelemetry/otlp-transformer's ProtobufTraceSerializer`,
  rows,
  data: { ...data, sink },
  notes: ['bytes differ by the zero-valued fields the official serializer writes (dropped counts 0); decoded with defaults, the messages are compared'],
});
