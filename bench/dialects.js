// dialects: what the dialect normalisation costs a span that is not a GenAI span (an HTTP client span
// of another library, 8 attributes): the same TracerProvider with and without the processors that
// look at other libraries' spans (RunContextProcessor's kind detection and DialectProcessor), both
// exporting nothing. Target: < 0.5 µs per span. A Vercel-, OpenInference- or OpenLLMetry-style model
// call span is measured too, for information.
import { SpanKind } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { DialectProcessor } from '../dist/src/dialects/DialectProcessor.js';
import { RunContextProcessor } from '../dist/src/pipeline/RunContextProcessor.js';
import { alternate, fmt, report } from './lib.js';

const SPANS = 200_000;
const TARGET_US = 0.5;

const httpAttributes = (i) => ({
  'http.request.method': 'GET', 'url.full': `https://api.example.com/items/${i % 100}`, 'server.address': 'api.example.com',
  'server.port': 443, 'http.response.status_code': 200, 'network.protocol.version': '1.1', 'user_agent.original': 'bench',
  'http.request.resend_count': 0,
});
const vercelAttributes = (i) => ({
  'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat',
  'ai.usage.inputTokens': 1200 + (i % 500), 'ai.usage.outputTokens': 180 + (i % 97), 'ai.response.model': 'gpt-4o-mini',
  'ai.telemetry.functionId': 'bench', 'ai.response.finishReason': 'stop',
});

// No exporter on either side: the span's own cost is the baseline, so the difference stands out of the noise.
function provider(withDialects) {
  const processors = withDialects ? [new RunContextProcessor(), new DialectProcessor()] : [];
  return new TracerProvider({ spanProcessors: processors }).getTracer('other-library', '1.0.0');
}

async function perSpanUs(attributes) {
  const bare = provider(false);
  const withDialects = provider(true);
  const emit = (tracer) => async () => {
    for (let i = 0; i < SPANS; i++) tracer.startSpan('GET /items', { kind: SpanKind.CLIENT, attributes: attributes(i) }).end();
  };
  const res = await alternate({ rounds: 9, baseline: emit(bare), candidate: emit(withDialects) });
  return { res, us: (res.candidateMedian - res.baselineMedian) / SPANS };
}

const http = await perSpanUs(httpAttributes);
const vercel = await perSpanUs(vercelAttributes);
report({
  name: 'dialects',
  what: `CPU per span added by the dialect processors (${SPANS} spans per round, no export)`,
  rows: [
    {
      label: 'non-GenAI span (HTTP, 8 attributes)', baseline: `${fmt(http.res.baselineMedian / SPANS, 3)} µs`,
      candidate: `${fmt(http.res.candidateMedian / SPANS, 3)} µs`, result: `+${fmt(http.us, 3)} µs/span`,
      target: `< ${TARGET_US} µs`, pass: http.us < TARGET_US,
    },
    {
      label: 'Vercel model-call span (normalised)', baseline: `${fmt(vercel.res.baselineMedian / SPANS, 3)} µs`,
      candidate: `${fmt(vercel.res.candidateMedian / SPANS, 3)} µs`, result: `+${fmt(vercel.us, 3)} µs/span`,
      target: '-', info: true,
    },
  ],
});
