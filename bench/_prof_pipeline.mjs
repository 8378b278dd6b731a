import { SpanKind } from '@opentelemetry/api';
import { registerTelemetry } from '../dist/src/index.js';
import { llmAttributes, LLM_SPAN_NAME, tmpDir, yieldToLoop, cpuSince } from './lib.js';
const dir = tmpDir('prof');
const handle = registerTelemetry({ dir, handleSignals: false });
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < 200000;) { const end = i + 1000; for (; i < end; i++) handle.tracer.startSpan(LLM_SPAN_NAME, { kind: SpanKind.CLIENT, attributes: llmAttributes(i) }).end(); await yieldToLoop(); }
  await handle.forceFlush();
  console.log('cpu ms', cpuSince(c0) / 1000, handle.health().dropped.spans);
}
await handle.shutdown();
