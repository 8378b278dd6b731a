import { execFileSync, spawnSync } from 'node:child_process';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { AgentOtelConfigError, registerTelemetry, withAgentRun, withLlmCall, withToolCall, type TelemetryHandle } from '../../dist/src/index.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { PrometheusReader, prometheusName, prometheusUnit, RENDER_SLICE_LINES } from '../../dist/src/serve/PrometheusReader.js';
import { RESOURCE_LABELS } from '../../dist/src/serve/metricsServer.js';
import { tmpDir, waitFor } from '../support/harness.js';

const ENV = ['AGENT_OTEL_PROMETHEUS', 'OTEL_EXPORTER_PROMETHEUS_PORT', 'OTEL_EXPORTER_PROMETHEUS_HOST', 'OTEL_METRICS_EXPORTER'];
let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  for (const k of ENV) delete process.env[k];
  diag.disable();
});

/** Collects diag messages (registerTelemetry with logLevel 'none' leaves the logger set here in place). */
function captureDiag(): { errors: string[]; warnings: string[] } {
  const c = { errors: [] as string[], warnings: [] as string[] };
  const text = (a: unknown[]) => a.map(String).join(' ');
  diag.setLogger({
    error: (...a: unknown[]) => { c.errors.push(text(a)); }, warn: (...a: unknown[]) => { c.warnings.push(text(a)); },
    info: () => {}, debug: () => {}, verbose: () => {},
  }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return c;
}

async function serving(h: TelemetryHandle): Promise<string> {
  await waitFor(() => !!h.health().prometheus?.listening || !!h.health().prometheus?.error, 5000, 'the /metrics server');
  return h.health().prometheus!.url;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(url);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

/** `promtool check metrics` (Debian package prometheus): exit 0 and no lint output. */
function promtoolCheck(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is needed (apt-get install prometheus): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

async function workload(): Promise<void> {
  await withAgentRun({ agentName: 'planner', runKind: 'plan' }, async (run) => {
    await withLlmCall({ provider: 'openai', model: 'gpt-4o' }, (call) => {
      call.recordUsage({ inputTokens: 100, outputTokens: 20 });
      call.setResponse({ model: 'gpt-4o-2024-08-06' });
    });
    await withToolCall({ name: 'web_search' }, () => 'ok');
    await withToolCall({ name: 'fetch_page' }, () => { throw new Error('timeout'); }).catch(() => {});
    run.setItems({ discovered: 3, succeeded: 2, failed: 1 });
  });
}

describe('Prometheus /metrics', () => {
  it('is off by default', () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.health().prometheus).toBeUndefined();
    expect(handle.config.prometheus).toBeUndefined();
  });

  it('serves on 127.0.0.1:9464 by default', () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, prometheus: true });
    expect(handle.config.prometheus).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(handle.health().prometheus?.url).toBe('http://127.0.0.1:9464/metrics');
  });

  it('passes promtool check metrics before any value is recorded', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, serviceName: 'prom-agent', prometheus: { port: 0 } });
    metrics.getMeter('lib').createCounter('lib.unused', { unit: '{request}' }); // an instrument with no value yet
    const r = await get(await serving(handle));
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body).toContain('target_info{');
    expect(r.body).toMatch(/^agent_otel_spans_dropped_total\{.*service_name="prom-agent".*\} 0$/m);
    expect(promtoolCheck(r.body)).toEqual({ code: 0, out: '' });
  });

  it('names follow Prometheus conventions, every series carries service_name, and promtool accepts it', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, serviceName: 'prom-agent', prometheus: { port: 0 } });
    await workload();
    await workload();
    const { body } = await get(await serving(handle));
    const names = new Set([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`));
    for (const expected of [
      'agent_runs_total counter', 'agent_run_duration_seconds histogram', 'agent_runs_active gauge', 'agent_items_total counter',
      'agent_tool_calls_total counter', 'agent_tool_duration_seconds histogram', 'agent_errors_total counter',
      'gen_ai_client_operation_duration_seconds histogram', 'gen_ai_client_token_usage histogram',
      'agent_otel_spans_dropped_total counter', 'process_memory_usage_bytes gauge', 'process_cpu_time_seconds_total counter',
      'agent_cost_usd_total counter', 'target_info gauge',
    ]) expect(names).toContain(expected);
    expect(body).toMatch(/^agent_runs_total\{gen_ai_agent_name="planner",agent_run_kind="plan",agent_run_status="success",.*service_name="prom-agent"\} 2$/m);
    expect(body).toMatch(/^gen_ai_client_operation_duration_seconds_bucket\{.*gen_ai_request_model="gpt-4o".*le="0\.01"\} 2$/m);
    expect(body).toMatch(/^gen_ai_client_token_usage_sum\{.*gen_ai_token_type="input".*\} 200$/m);
    // agent.cost.usd ({USD}), recorded by the cost processor for a priced model.
    expect(body).toMatch(/^agent_cost_usd_total\{gen_ai_agent_name="planner",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",.*\} \d/m);
    // Every sample line has service_name (and service_instance_id), so dashboards can group by service.
    const samples = body.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(50);
    for (const line of samples) expect(line).toMatch(/service_name="prom-agent"/);
    for (const line of samples) expect(line).toMatch(/service_instance_id="[0-9a-f-]{36}"/);
    expect(promtoolCheck(body)).toEqual({ code: 0, out: '' });
  });

  it('/healthz answers health() as JSON: 200 while running', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, prometheus: { port: 0 } });
    const url = await serving(handle);
    const r = await get(url.replace('/metrics', '/healthz'));
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ status: 'ok', dropped: { spans: 0 }, prometheus: { url, listening: true } });
    expect((await get(url.replace('/metrics', '/other'))).status).toBe(404);
    await handle.shutdown();
    await expect(fetch(url)).rejects.toThrow(); // closed with the handle
    handle = undefined;
  });

  it('a port in use is a clear diag error and a degraded health, not a crash', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const { errors } = captureDiag();
    try {
      handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', prometheus: { port } }); // synchronous, does not throw
      await serving(handle);
      const h = handle.health();
      expect(h.status).toBe('degraded');
      expect(h.prometheus).toMatchObject({ listening: false, error: expect.stringContaining(`port ${port} on 127.0.0.1 is already in use`) });
      expect(h.prometheus!.error).toMatch(/OTEL_EXPORTER_PROMETHEUS_PORT/);
      expect(errors.join('\n')).toMatch(new RegExp(`Prometheus /metrics is not served: port ${port} .*already in use; set prometheus.port`));
      // The agent keeps running and recording.
      await workload();
      await handle.forceFlush();
    } finally {
      blocker.close();
    }
  });

  it('a non-loopback host warns that metrics are exposed to the network', async () => {
    const { warnings } = captureDiag();
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', prometheus: { port: 0, host: '0.0.0.0' } });
    await serving(handle);
    expect(warnings.join('\n')).toMatch(/Prometheus metrics are served on 0\.0\.0\.0:0, reachable from the network/);
  });

  it('is switched on and configured by env vars', async () => {
    process.env.AGENT_OTEL_PROMETHEUS = 'true';
    process.env.OTEL_EXPORTER_PROMETHEUS_PORT = '0';
    process.env.OTEL_EXPORTER_PROMETHEUS_HOST = '127.0.0.1';
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.config.prometheus).toEqual({ port: 0, host: '127.0.0.1' });
    expect((await get(await serving(handle))).status).toBe(200);
    await handle.shutdown();
    delete process.env.AGENT_OTEL_PROMETHEUS;
    process.env.OTEL_METRICS_EXPORTER = 'prometheus';
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.config.prometheus).toEqual({ port: 0, host: '127.0.0.1' });
    await handle.shutdown();
    process.env.AGENT_OTEL_PROMETHEUS = 'false';
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false });
    expect(handle.config.prometheus).toBeUndefined();
  });

  it('bad values name the option or env var and what is accepted', () => {
    const bad = (options: object, message: RegExp) => {
      expect(() => registerTelemetry({ dir: tmpDir(), ...options })).toThrowError(AgentOtelConfigError);
      expect(() => registerTelemetry({ dir: tmpDir(), ...options })).toThrowError(message);
    };
    bad({ prometheus: { port: 70000 } }, /option prometheus.port must be a port number from 0 to 65535 .*; got 70000/);
    bad({ prometheus: { prot: 1 } }, /unknown option 'prometheus.prot'; accepted: port, host/);
    bad({ prometheus: 'on' }, /option prometheus must be true, false or \{ port, host \}; got "on"/);
    process.env.AGENT_OTEL_PROMETHEUS = 'yes';
    bad({}, /env AGENT_OTEL_PROMETHEUS must be one of true, false, 1, 0; got "yes"/);
    process.env.AGENT_OTEL_PROMETHEUS = 'true';
    process.env.OTEL_EXPORTER_PROMETHEUS_PORT = 'ninety';
    bad({}, /env OTEL_EXPORTER_PROMETHEUS_PORT must be a port number from 0 to 65535 .*; got "ninety"/);
    delete process.env.OTEL_EXPORTER_PROMETHEUS_PORT;
    process.env.OTEL_METRICS_EXPORTER = 'statsd';
    bad({}, /env OTEL_METRICS_EXPORTER must be a comma-separated list of otlp, prometheus, none; got "statsd"/);
  });
});

describe('Prometheus names from OpenTelemetry names and units', () => {
  const counter = { isCounter: true, isGauge: false };
  const gauge = { isCounter: false, isGauge: true };
  const histogram = { isCounter: false, isGauge: false };
  it.each([
    ['gen_ai.client.operation.duration', 's', histogram, 'gen_ai_client_operation_duration_seconds'],
    ['gen_ai.client.token.usage', '{token}', histogram, 'gen_ai_client_token_usage'],
    ['agent.runs', '{run}', counter, 'agent_runs'],
    ['agent.cost.usd', 'USD', counter, 'agent_cost_usd'],
    ['process.memory.usage', 'By', gauge, 'process_memory_usage_bytes'],
    ['queue.fill', '1', gauge, 'queue_fill_ratio'],
    ['http.requests', '{request}/s', gauge, 'http_requests_per_second'],
    ['already_seconds', 's', histogram, 'already_seconds'],
    ['jobs_total', 's', counter, 'jobs_seconds'],
  ])('%s [%s] → %s', (name, unit, kind, expected) => {
    expect(prometheusName(name, unit, kind)).toBe(expected);
  });
  it('units', () => {
    expect(prometheusUnit('ms', false)).toBe('milliseconds');
    expect(prometheusUnit('1', false)).toBe('');
    expect(prometheusUnit('{call}', false)).toBe('');
  });
});

describe('rendering /metrics in slices', () => {
  it('gives exactly what the exporter\'s serializer gives in one piece, for thousands of series', async () => {
    const reader = new PrometheusReader({ withResourceConstantLabels: RESOURCE_LABELS });
    const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({ 'service.name': 'big', 'service.instance.id': 'i-1', 'host.name': 'h' }) });
    const meter = provider.getMeter('scope-a', '1.0.0');
    const counter = meter.createCounter('tool.calls', { unit: '{call}', description: 'calls' });
    for (let i = 0; i < 1900; i++) counter.add(i + 1, { tool: `t${i}`, agent: `a${i % 7}` });
    const hist = provider.getMeter('scope-b').createHistogram('llm.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1, 10] } });
    for (let i = 0; i < 600; i++) hist.record(i / 100, { model: `m${i}` });
    provider.getMeter('scope-c').createUpDownCounter('queue.depth').add(3);
    const sliced = await reader.renderText();
    const { resourceMetrics } = await reader.collect();
    const whole = new PrometheusSerializer('', false, RESOURCE_LABELS).serialize(resourceMetrics);
    expect(sliced.split('\n').length).toBeGreaterThan(3 * RENDER_SLICE_LINES);
    expect(sliced).toBe(whole.trimEnd() + '\n');
    expect(sliced).toMatch(/^tool_calls_total\{tool="t0",agent="a0",otel_scope_name="scope-a",otel_scope_version="1.0.0",service_name="big",service_instance_id="i-1"\} 1$/m);
    expect(sliced).toMatch(/^llm_duration_seconds_bucket\{model="m0",otel_scope_name="scope-b",service_name="big",service_instance_id="i-1",le="0.1"\} 1$/m);
    expect(sliced.match(/^# TYPE tool_calls_total counter$/gm)).toHaveLength(1);
    expect(promtoolCheck(sliced)).toEqual({ code: 0, out: '' });
    await provider.shutdown();
  });
});

describe('promtool is installed (Debian package prometheus)', () => {
  it('runs', () => {
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version 2\./);
  });
});
