// One peer, one variant, in its own process: `node --expose-gc peer.js <peer> <noop|otlp|...>`.
// Every peer runs on the OpenTelemetry SDK 2.x / API 1.9 from bench/anchors/node_modules (the
// versions these packages are published against) and is measured against the bare SDK of that
// same copy in the same process: BasicTracerProvider + BatchSpanProcessor + an exporter that
// accepts everything, running common.js bareIteration().
//   bare          the bare SDK itself (noop: a second bare provider, a sanity check of ~1.00;
//                 otlp: BatchSpanProcessor + OTLP http/protobuf exporter to the sink)
//   openinference @arizeai/openinference-core traceAgent / traceLLM / traceTool (OITracer) on the
//                 bare SDK (it has no span processor of its own)
//   langfuse      @langfuse/tracing startActiveObservation (agent / generation / tool) behind
//                 @langfuse/otel's LangfuseSpanProcessor (its own pipeline); variant `bsp`: the same
//                 helpers on the bare SDK's BatchSpanProcessor
//   openllmetry   @traceloop/node-server-sdk initialize() (its NodeSDK and span processor), then
//                 withAgent / withLLMCall (reportResponse with usage) / withTool; variant
//                 `workflow`: withWorkflow instead of withAgent (exports nothing)
// Variants: noop = "exports nothing" (no-op exporter); otlp = the peer's own OTLP/HTTP exporter
// to the loopback sink in ANCHORS_SINK (run.js starts it).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { alternate, answer, bareIteration, countingExporter, ITERATIONS, loop, summarize } from './common.js';

const [peer, variant] = process.argv.slice(2);
const sink = process.env.ANCHORS_SINK;
const SPANS_PER_ITERATION = 3;
if ((variant === 'otlp') && !sink) throw new Error('ANCHORS_SINK is not set (run.js starts the sink)');

/** An installed package's version (bench/anchors/node_modules; some packages do not export package.json). */
const versionOf = (name) => JSON.parse(fs.readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

// The baseline: its own provider, never registered; it nests through the global context manager
// that the candidate's setup registers (AsyncLocalStorage in every case).
const bareExporter = countingExporter(null, ExportResultCode.SUCCESS);
const bareProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(bareExporter)] });
const bareTracer = bareProvider.getTracer('bench-bare-sdk', '1.0.0');

/** OTLP http/protobuf to the sink, the exporter the bare SDK and OpenInference users add. */
async function otlpProto(path = '/v1/traces', from = import.meta.url) {
  const { OTLPTraceExporter } = createRequire(from)('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: `${sink}${path}` });
}

/** Sets up the candidate; returns { iteration(i), flush(), exporter, versions }. */
async function setup() {
  if (peer === 'bare' || peer === 'openinference') {
    const exporter = countingExporter(variant === 'otlp' ? await otlpProto() : null, ExportResultCode.SUCCESS);
    const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.register();
    const flush = () => provider.forceFlush();
    if (peer === 'bare') {
      const tracer = provider.getTracer('bench-bare-sdk', '1.0.0');
      return { iteration: (i) => bareIteration(tracer, i), flush, exporter, versions: { '@opentelemetry/sdk-trace-base': versionOf('@opentelemetry/sdk-trace-base') } };
    }
    const oi = await import('@arizeai/openinference-core');
    const llm = oi.traceLLM(async (i) => ({ text: 'ok', usage: { prompt: 1200 + (i % 300), completion: 300, total: 1500 + (i % 300) } }), {
      name: 'chat gpt-4o-mini',
      processInput: () => oi.getLLMAttributes({ provider: 'openai', modelName: 'gpt-4o-mini' }),
      processOutput: (r) => oi.getLLMAttributes({ tokenCount: r.usage }),
    });
    const tool = oi.traceTool(async (_callId) => 'ok', {
      name: 'read_file',
      attributes: oi.getToolAttributes({ name: 'read_file', parameters: {} }),
    });
    const agent = oi.traceAgent(async (i) => { await llm(i); await tool(`call_${i}`); return 'done'; }, { name: 'bench-agent' });
    return { iteration: agent, flush, exporter, versions: { '@arizeai/openinference-core': versionOf('@arizeai/openinference-core') } };
  }

  if (peer === 'langfuse') {
    const { LangfuseSpanProcessor } = await import('@langfuse/otel');
    const lf = await import('@langfuse/tracing');
    let inner = null;
    if (variant === 'otlp') {
      // LangfuseSpanProcessor's default exporter, built the same way (same class, URL and headers)
      // so its spans can be counted: OTLP/HTTP JSON to <baseUrl>/api/public/otel/v1/traces.
      const { OTLPTraceExporter } = createRequire(import.meta.resolve('@langfuse/otel'))('@opentelemetry/exporter-trace-otlp-http');
      const publicKey = 'pk-lf-bench';
      inner = new OTLPTraceExporter({
        url: `${sink}/api/public/otel/v1/traces`,
        headers: { Authorization: `Basic ${Buffer.from(`${publicKey}:sk-lf-bench`).toString('base64')}`, 'x-langfuse-sdk-name': 'javascript', 'x-langfuse-public-key': publicKey },
        timeoutMillis: 5000,
      });
    }
    const exporter = countingExporter(inner, ExportResultCode.SUCCESS);
    const processor = variant === 'bsp' ? new BatchSpanProcessor(exporter) : new LangfuseSpanProcessor({ exporter, baseUrl: sink ?? 'http://127.0.0.1:9' });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    provider.register();
    const iteration = (i) => lf.startActiveObservation('bench-agent', async () => {
      await lf.startActiveObservation('chat gpt-4o-mini', async (gen) => {
        gen.update({ model: 'gpt-4o-mini', usageDetails: { input: 1200 + (i % 300), output: 300 } });
      }, { asType: 'generation' });
      await lf.startActiveObservation('read_file', async () => 'ok', { asType: 'tool' });
    }, { asType: 'agent' });
    return { iteration, flush: () => provider.forceFlush(), exporter,
      versions: { '@langfuse/tracing': versionOf('@langfuse/tracing'), '@langfuse/otel': versionOf('@langfuse/otel') } };
  }

  if (peer === 'openllmetry') {
    const traceloop = await import('@traceloop/node-server-sdk');
    let inner = null;
    if (variant === 'otlp') {
      // Traceloop's default exporter (its own copy of exporter-trace-otlp-proto, <baseUrl>/v1/traces
      // with a bearer header), built here so its spans can be counted.
      const { OTLPTraceExporter } = createRequire(import.meta.resolve('@traceloop/node-server-sdk'))('@opentelemetry/exporter-trace-otlp-proto');
      inner = new OTLPTraceExporter({ url: `${sink}/v1/traces`, headers: { Authorization: 'Bearer bench' } });
    }
    const exporter = countingExporter(inner, ExportResultCode.SUCCESS);
    traceloop.initialize({
      appName: 'bench-agent', exporter, baseUrl: sink ?? 'http://127.0.0.1:9',
      traceloopSyncEnabled: false, silenceInitializationMessage: true,
    });
    // withAgent tags every span below it with the agent's name, which Traceloop's span processor keeps
    // in a Map for 5 minutes and sweeps whole on 1% of span ends: the cost grows with the spans of the
    // last 5 minutes. Variant `workflow` (withWorkflow, no agent name, exports nothing) shows the rest.
    const entity = variant === 'workflow' ? traceloop.withWorkflow : traceloop.withAgent;
    const iteration = (i) => entity({ name: 'bench-agent' }, async () => {
      await traceloop.withLLMCall({ vendor: 'openai', type: 'chat' }, async ({ span }) => {
        span.reportRequest({ model: 'gpt-4o-mini', messages: [] });
        span.reportResponse({ model: 'gpt-4o-mini', usage: { prompt_tokens: 1200 + (i % 300), completion_tokens: 300, total_tokens: 1500 + (i % 300) } });
      });
      await traceloop.withTool({ name: 'read_file' }, async (_callId) => 'ok', `call_${i}`);
    }, i);
    // forceFlush goes through the registered provider (NodeSDK's) to traceloop's processor.
    return { iteration, flush: () => trace.getTracerProvider().getDelegate?.().forceFlush?.() ?? traceloop.forceFlush(), exporter,
      versions: { '@traceloop/node-server-sdk': versionOf('@traceloop/node-server-sdk') } };
  }
  throw new Error(`unknown peer ${peer}`);
}

const cand = await setup();
const made = { bare: 0, candidate: 0 }; // iterations run, for the spans still queued
const pending = (side, exporter) => (i) => (made[side] + i + 1) * SPANS_PER_ITERATION - exporter.exported;
const res = await alternate({
  baseline: async () => {
    await loop((i) => bareIteration(bareTracer, i), pending('bare', bareExporter));
    made.bare += ITERATIONS;
    await bareProvider.forceFlush();
  },
  candidate: async () => {
    await loop(cand.iteration, pending('candidate', cand.exporter));
    made.candidate += ITERATIONS;
    await cand.flush();
  },
});
// Every span made must have reached the exporter: a drop would be CPU not spent.
const expected = made.candidate * SPANS_PER_ITERATION;
answer(summarize(res, {
  peer, variant, versions: cand.versions, node: process.version,
  spans: { expected, exported: cand.exporter.exported, failed: cand.exporter.failed },
  bareSpans: { expected: made.bare * SPANS_PER_ITERATION, exported: bareExporter.exported },
}));
await bareProvider.shutdown();
process.exit(0); // the peers' SDKs keep timers (Traceloop's NodeSDK, Langfuse's media service)
