import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import { noopMetricExporter, noopSpanExporter, tmpDir, yieldToLoop } from './lib.js';
const e = noopSpanExporter();
const handle = registerTelemetry({ dir: tmpDir('dbg'), jsonl: false, handleSignals: false, spanExporters: [e],
  metricReaders: [new PeriodicExportingMetricReader({ exporter: noopMetricExporter(), exportIntervalMillis: 60_000 })] });
const t0 = performance.now();
await withAgentRun({agentName: 'a'}, async () => {
for (let i = 0; i < 20000; i++) {
  await withToolCall({ name: 'x' }, () => 42);
  if (i % 500 === 499) { await yieldToLoop(); if (i % 5000 === 4999) console.log(i, performance.now()-t0, handle.health().queueDepth, e.exported, handle.health().dropped.spans); }
}});
