// OTLP logs (/v1/logs) as a collector receives them: http/protobuf requests decoded by the official OTLP
// schema's generated decoders (@opentelemetry/otlp-proto-exporter-base 0.51.1, `otlp-proto-0051`, whose
// logs.proto predates LogRecord.event_name: that one field, number 12, is read by its field number). Plus OTLP JSON.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { withAgentRun } from '../dist/src/index.js';
import { logger } from '../dist/src/logs/logger.js';
import { resolveLogs } from '../dist/src/logs/config.js';
import { setupLogs } from '../dist/src/logs/setup.js';
import { resolveOtlpLogs } from '../dist/src/logs/otlp.js';
import { registerTelemetry } from '../dist/src/register.js';
import { tmpDir } from './support/harness.js';
import { decodeLogsRequest } from './support/otlpLogs.js';

describe('OTLP logs', () => {
  const requests: Array<{ path: string; type: string; body: Buffer }> = [];
  let server: http.Server;
  let base: string;
  const dir = tmpDir('agent-otel-logs-otlp-');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': String(req.headers['content-type']) });
        res.end(req.headers['content-type']?.includes('json') ? '{}' : Buffer.alloc(0));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    registerTelemetry({ dir, duckdb: false, serviceName: 'otlp-log-agent', handleSignals: false, logs: false }); // the tests set up their own logs pipeline
  });
  afterAll(async () => {
    await registerTelemetry().shutdown();
    await new Promise((r) => server.close(r));
  });

  const pipeline = (protocol: 'http/protobuf' | 'http/json') => {
    const h = registerTelemetry();
    return setupLogs({
      resource: h.resource, logs: resolveLogs(undefined, () => undefined)!, privacy: 'metadata', redactor: h.config.governance.redactor,
      otlp: resolveOtlpLogs({ endpoint: base, protocol }, () => undefined),
    });
  };

  it('sends records with their span ids to /v1/logs as http/protobuf, as the OTLP schema reads them', async () => {
    const p = pipeline('http/protobuf');
    const log = logger('exporter-test').with({ region: 'eu' });
    const ids = await withAgentRun({ agentName: 'otlp' }, async () => {
      log.warn('disk.low', { free_mb: 120, ratio: 0.05, ok: false, key: 'sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUV' });
      return trace.getActiveSpan()!.spanContext();
    });
    await p.shutdown();
    const req = requests.find((r) => r.type === 'application/x-protobuf')!;
    expect(req.path).toBe('/v1/logs');
    const logs = decodeLogsRequest(req.body);
    expect(logs).toHaveLength(1);
    const l = logs[0]!;
    expect(l).toMatchObject({
      severityNumber: 13, severityText: 'WARN', body: 'disk.low', eventName: 'disk.low', traceId: ids.traceId, spanId: ids.spanId, flags: 1,
      attributes: { region: 'eu', free_mb: 120, ratio: 0.05, ok: false, key: '[REDACTED:api_key]' },
      scope: { name: 'exporter-test' },
    });
    expect(l.resource['service.name']).toBe('otlp-log-agent');
    expect(Number(l.time / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    expect(p.health()).toMatchObject({ dropped: 0, otlp: { logs: `${base}/v1/logs`, protocol: 'http/protobuf' } });
  });

  it('sends OTLP JSON with http/json', async () => {
    const p = pipeline('http/json');
    logger('json-test').error('job.failed', { code: 7 });
    await p.shutdown();
    const req = requests.find((r) => r.type.includes('json'))!;
    expect(req.path).toBe('/v1/logs');
    const body = JSON.parse(req.body.toString()) as { resourceLogs: Array<{ scopeLogs: Array<{ scope: { name: string }; logRecords: Array<Record<string, unknown>> }> }> };
    const rec = body.resourceLogs[0]!.scopeLogs[0]!;
    expect(rec.scope.name).toBe('json-test');
    expect(rec.logRecords[0]).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'job.failed' }, eventName: 'job.failed' });
  });

  it('counts records a dead endpoint could not take, and never throws into the agent', async () => {
    const h = registerTelemetry();
    const p = setupLogs({
      resource: h.resource, logs: resolveLogs(undefined, () => undefined)!, privacy: 'metadata',
      otlp: { url: 'http://127.0.0.1:9/v1/logs', protocol: 'http/protobuf', timeoutMillis: 500 },
    });
    for (let i = 0; i < 3; i++) logger('dead').info('tick', { i });
    await p.forceFlush();
    await p.shutdown();
    expect(p.health().byReason['log_records.export_failed']).toBe(3);
  });

  it('resolves the endpoint like traces: _LOGS_ env first, then the base endpoint, otlp.logs: false and OTEL_LOGS_EXPORTER=none keep logs local', () => {
    const env = (vars: Record<string, string>) => (n: string) => vars[n];
    expect(resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }))).toEqual({ url: 'http://c:4318/v1/logs', protocol: 'http/protobuf' });
    expect(resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki:3100/otlp/v1/logs', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json' })))
      .toEqual({ url: 'http://loki:3100/otlp/v1/logs', protocol: 'http/json' });
    expect(resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }))).toBeUndefined();
    expect(resolveOtlpLogs(true, env({}))).toEqual({ url: 'http://localhost:4318/v1/logs', protocol: 'http/protobuf' });
    expect(resolveOtlpLogs({ logs: false }, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }))).toBeUndefined();
    expect(resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_LOGS_EXPORTER: 'none' }))).toBeUndefined();
    expect(() => resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'loki:3100' }))).toThrow(/env OTEL_EXPORTER_OTLP_LOGS_ENDPOINT must be an http/);
    expect(() => resolveOtlpLogs(undefined, env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc' }))).toThrow(/gRPC is not supported/);
  });
});
