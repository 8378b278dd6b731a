import { afterEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { AgentOtelConfigError, registerTelemetry, withAgentRun, withLlmCall, withToolCall, type TelemetryHandle } from '../dist/src/index.js';
import { resolveConfig } from '../dist/src/config.js';
import { closedPort, startReceiver, type Receiver } from './support/otlpReceiver.js';
import { readRunStarts, readSpans, tmpDir, waitFor } from './support/harness.js';

const ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER', 'OTEL_LOG_LEVEL'];
let handle: TelemetryHandle | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await receiver?.close();
  receiver = undefined;
  for (const k of ENV) delete process.env[k];
});

/** One agent iteration: run → LLM call → tool call (failing), plus a span link and an event. */
async function iteration(): Promise<void> {
  await withAgentRun({ agentName: 'planner', runKind: 'plan' }, async (run) => {
    run.addEvent('plan.ready', { 'plan.steps': 3 });
    await withLlmCall({ provider: 'openai', model: 'gpt-4o', operation: 'chat' }, (call) => {
      call.recordUsage({ inputTokens: 120, outputTokens: 30 });
      call.setResponse({ model: 'gpt-4o-2024-08-06', id: 'resp_1', finishReasons: ['stop'] });
    });
    await withToolCall({ name: 'web_search', callId: 'call_1' }, () => { throw new TypeError('bad query'); }).catch(() => {});
  });
}

describe('OTLP export', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`sends spans with their parents, attributes, events, status, resource and scope (${protocol})`, async () => {
      receiver = await startReceiver();
      handle = registerTelemetry({
        dir: tmpDir(), duckdb: false, serviceName: 'otlp-agent', serviceVersion: '2.0.0',
        otlp: { endpoint: receiver.url, protocol, headers: { 'x-api-key': 'secret-1' } },
      });
      expect(handle.health().otlp).toEqual({
        traces: `${receiver.url}/v1/traces`, metrics: `${receiver.url}/v1/metrics`, protocol: { traces: protocol, metrics: protocol },
      });
      await iteration();
      await handle.forceFlush();
      await waitFor(() => receiver!.spans.length >= 3, 5000, 'spans at the receiver');

      const byName = (n: string) => receiver!.spans.find((s) => s.name === n)!;
      const run = byName('invoke_agent planner');
      const llm = byName('chat gpt-4o');
      const tool = byName('execute_tool web_search');
      // The run's start is a local row (runs/), never a span: the collector gets the 3 spans only.
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(['chat gpt-4o', 'execute_tool web_search', 'invoke_agent planner']);
      expect((await readRunStarts(handle.config.dir)).map((r) => r.span_id)).toEqual([run.spanId]);
      expect(run.parentSpanId).toBe('');
      for (const child of [llm, tool]) {
        expect(child.traceId).toBe(run.traceId);
        expect(child.parentSpanId).toBe(run.spanId);
      }
      expect(llm.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(run.kind).toBe(1); // SPAN_KIND_INTERNAL
      expect(llm.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30, 'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.agent.name': 'planner', 'agent.run.id': run.attributes['agent.run.id'],
      });
      expect(tool.status).toEqual({ code: 2, message: 'bad query' }); // STATUS_CODE_ERROR
      expect(tool.attributes['error.type']).toBe('TypeError');
      expect(tool.events.map((e) => e.name)).toEqual(['exception']);
      expect(run.events[0]).toMatchObject({ name: 'plan.ready', attributes: { 'plan.steps': 3 } });
      expect(BigInt(run.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(run.startTimeUnixNano));
      expect(run.resource).toMatchObject({ 'service.name': 'otlp-agent', 'service.version': '2.0.0', 'process.pid': process.pid });
      expect(run.scope.name).toBe('agent-otel');

      const traceReq = receiver.requests.find((r) => r.path === '/v1/traces')!;
      expect(traceReq.contentType).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(traceReq.headers['x-api-key']).toBe('secret-1');
      expect(handle.health().dropped.spans).toBe(0);
      // The files get everything too.
      expect((await readSpans(handle.config.dir)).length).toBe(receiver.spans.length);
    });
  }

  it('sends metrics with cumulative temporality and the resource', async () => {
    receiver = await startReceiver();
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, serviceName: 'otlp-agent', otlp: { endpoint: receiver.url } });
    await iteration();
    await iteration();
    await handle.forceFlush();
    await waitFor(() => receiver!.metrics.some((m) => m.name === 'agent.runs'), 5000, 'metrics at the receiver');
    const runs = receiver.metrics.find((m) => m.name === 'agent.runs')!;
    expect(runs).toMatchObject({ type: 'sum', isMonotonic: true, aggregationTemporality: 2, unit: '{run}' });
    expect(runs.dataPoints[0]).toMatchObject({ attributes: { 'gen_ai.agent.name': 'planner', 'agent.run.status': 'success' } });
    expect(Number(runs.dataPoints[0]!.asInt ?? runs.dataPoints[0]!.asDouble)).toBe(2);
    expect(runs.resource['service.name']).toBe('otlp-agent');
    const tokens = receiver.metrics.find((m) => m.name === 'gen_ai.client.token.usage')!;
    expect(tokens).toMatchObject({ type: 'histogram', aggregationTemporality: 2 });
    expect(receiver.metrics.some((m) => m.name === 'process.memory.usage')).toBe(true);
  });

  it('takes the endpoint, headers and protocol from the standard OTEL_EXPORTER_OTLP_* env vars', async () => {
    receiver = await startReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer%20t0ken,x-team=ml';
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    trace.getTracer('plain').startSpan('plain span').end();
    await handle.forceFlush();
    await waitFor(() => receiver!.spans.length >= 1, 5000, 'spans');
    const req = receiver.requests.find((r) => r.path === '/v1/traces')!;
    expect(req.headers.authorization).toBe('Bearer t0ken');
    expect(req.headers['x-team']).toBe('ml');
    expect(req.contentType).toBe('application/json');
    expect(receiver.spans[0]!.name).toBe('plain span');
  });

  it('a traces-only endpoint env var sends traces only; OTEL_METRICS_EXPORTER=none keeps metrics home', async () => {
    receiver = await startReceiver();
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`;
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.config.otlp).toMatchObject({ tracesUrl: `${receiver.url}/v1/traces`, metricsUrl: undefined });
    await handle.shutdown();
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    process.env.OTEL_METRICS_EXPORTER = 'none';
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, otlp: { endpoint: receiver.url } });
    expect(handle.config.otlp).toMatchObject({ tracesUrl: `${receiver.url}/v1/traces`, metricsUrl: undefined });
    await handle.shutdown();
    delete process.env.OTEL_METRICS_EXPORTER;
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, otlp: { endpoint: receiver.url, metrics: false } });
    expect(handle.config.otlp?.metricsUrl).toBeUndefined();
  });

  it('is off unless configured: nothing leaves the machine', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.config.otlp).toBeUndefined();
    expect(handle.health().otlp).toBeUndefined();
    await handle.shutdown();
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, otlp: false });
    expect(handle.config.otlp).toBeUndefined();
    await handle.shutdown();
    handle = undefined;
    // `otlp: true` without an endpoint: the local collector's default address (resolved, not contacted here).
    expect(resolveConfig({ otlp: true }).otlp).toMatchObject({
      tracesUrl: 'http://localhost:4318/v1/traces', metricsUrl: 'http://localhost:4318/v1/metrics',
      protocol: { traces: 'http/protobuf', metrics: 'http/protobuf' },
    });
  });

  it('retries a collector that answers 503, then delivers everything', async () => {
    receiver = await startReceiver();
    receiver.failNext(1, 503);
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, otlp: { endpoint: receiver.url, metrics: false } });
    await iteration();
    await waitFor(() => receiver!.spans.length >= 3, 10_000, 'spans after a retry');
    expect(receiver.requests.filter((r) => r.path === '/v1/traces').length).toBeGreaterThanOrEqual(2);
    expect(handle.health().dropped.spans).toBe(0);
  });

  it('an unreachable endpoint never slows the agent, counts the drops once retries give up, and does not hold shutdown', async () => {
    const port = await closedPort();
    const dir = tmpDir();
    handle = registerTelemetry({
      dir, duckdb: false, metricIntervalMillis: 500, logLevel: 'none',
      otlp: { endpoint: `http://127.0.0.1:${port}`, timeoutMillis: 1500 },
    });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await iteration();
      times.push(performance.now() - t0);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5)); // let the exporter run meanwhile
    }
    times.sort((a, b) => a - b);
    // An iteration is 3 spans through the helpers: well under a millisecond, never a network wait (a
    // connection attempt, a retry backoff of ≥ 1 s or the 1.5 s timeout). Generous bounds: CI machines are noisy.
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(5);
    expect(times[times.length - 1]).toBeLessThan(250);
    await waitFor(() => (handle!.health().dropped.byReason['spans.export_failed'] ?? 0) > 0, 10_000, 'counted span drops');
    await waitFor(() => (handle!.health().dropped.byReason['metric_points.export_failed'] ?? 0) > 0, 10_000, 'counted metric point drops');
    expect(handle.health().status).toBe('degraded');
    const t0 = performance.now();
    await handle.shutdown();
    expect(performance.now() - t0).toBeLessThan(3000);
    // The local files are untouched by the collector being down.
    expect((await readSpans(dir)).length).toBe(600);
  });
});

describe('OTLP configuration errors name the option or env var and what is accepted', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['grpc', { otlp: { protocol: 'grpc' } }, /option otlp.protocol must be one of http\/protobuf, http\/json \(gRPC is not supported.*\); got "grpc"/],
    ['bad endpoint', { otlp: { endpoint: 'localhost:4318' } }, /option otlp.endpoint must be an http:\/\/ or https:\/\/ URL .*got "localhost:4318"/],
    ['unknown key', { otlp: { url: 'http://x' } }, /unknown option 'otlp.url'; accepted: endpoint, headers, protocol/],
    ['bad headers', { otlp: { headers: { a: 1 } } }, /option otlp.headers must be an object of string values/],
    ['bad type', { otlp: 'yes' }, /option otlp must be true, false or \{ endpoint/],
  ];
  for (const [what, options, message] of cases) {
    it(what, () => {
      expect(() => registerTelemetry({ dir: tmpDir(), ...(options as object) })).toThrowError(AgentOtelConfigError);
      expect(() => registerTelemetry({ dir: tmpDir(), ...(options as object) })).toThrowError(message);
    });
  }
  it('bad env values', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://localhost:4318';
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    expect(() => registerTelemetry({ dir: tmpDir() })).toThrowError(/env OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json/);
    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'not a url';
    expect(() => registerTelemetry({ dir: tmpDir() })).toThrowError(/env OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_TRACES_EXPORTER = 'zipkin';
    expect(() => registerTelemetry({ dir: tmpDir() })).toThrowError(/env OTEL_TRACES_EXPORTER must be a comma-separated list of otlp, none; got "zipkin"/);
  });
});
