import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { context, metrics, trace } from '@opentelemetry/api';
import { AgentOtelConfigError, getTelemetry, registerTelemetry, type TelemetryHandle } from '../dist/src/index.js';
import { readMetrics, readSpans, runFixture, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  for (const k of ['AGENT_OTEL_DIR', 'OTEL_SERVICE_NAME', 'AGENT_OTEL_RETENTION_DAYS', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'OTEL_LOG_LEVEL', 'OTEL_RESOURCE_ATTRIBUTES']) delete process.env[k];
});

describe('registerTelemetry', () => {
  it('sets the global tracer and meter providers, so plain OTel code lands in the files', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ serviceName: 'planner-agent', serviceVersion: '1.2.3', dir });
    trace.getTracer('third-party-lib').startActiveSpan('plain span', (span) => {
      span.setAttribute('lib.key', 'v');
      span.end();
    });
    metrics.getMeter('third-party-lib').createCounter('lib.requests').add(3, { route: '/x' });
    await handle.forceFlush();
    const spans = await readSpans(dir);
    expect(spans.map((s) => s.name)).toEqual(['plain span']);
    expect(spans[0]!.scope).toEqual({ name: 'third-party-lib', version: null });
    expect(spans[0]!.attributes).toEqual({ 'lib.key': 'v' });
    const points = (await readMetrics(dir)).filter((m) => m.name === 'lib.requests');
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ value: 3, type: 'sum', temporality: 'delta', monotonic: true, attributes: { route: '/x' } });
  });

  it('describes the service, host and process in the resource, without command-line arguments', async () => {
    const dir = tmpDir();
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=dev,team=ml';
    handle = registerTelemetry({ serviceName: 'planner-agent', serviceVersion: '1.2.3', dir });
    handle.tracer.startSpan('s').end();
    await handle.forceFlush();
    const [row] = await readSpans(dir);
    expect(row!.service_name).toBe('planner-agent');
    expect(row!.resource).toMatchObject({
      'service.name': 'planner-agent', 'service.version': '1.2.3', 'host.name': expect.any(String),
      'process.pid': process.pid, 'process.runtime.name': 'nodejs', 'deployment.environment.name': 'dev', team: 'ml',
      'service.instance.id': expect.any(String),
    });
    expect(Object.keys(row!.resource!).filter((k) => k.includes('command'))).toEqual([]);
  });

  it('registers an AsyncLocalStorage context manager: parents survive await', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    const tracer = trace.getTracer('t');
    await tracer.startActiveSpan('parent', async (parent) => {
      await new Promise((r) => setTimeout(r, 5));
      await Promise.resolve();
      tracer.startSpan('child').end();
      parent.end();
    });
    await handle.forceFlush();
    const spans = await readSpans(dir);
    const parent = spans.find((s) => s.name === 'parent')!;
    const child = spans.find((s) => s.name === 'child')!;
    expect(child.parent_span_id).toBe(parent.span_id);
    expect(child.trace_id).toBe(parent.trace_id);
  });

  it('is idempotent: a second call returns the same handle', () => {
    handle = registerTelemetry({ dir: tmpDir() });
    expect(registerTelemetry()).toBe(handle);
    expect(getTelemetry()).toBe(handle);
    expect(handle.tracer).toBeDefined();
    expect(handle.meter).toBeDefined();
  });

  it('shutdown is idempotent and lets a new registration take over', async () => {
    const first = registerTelemetry({ dir: tmpDir() });
    await first.shutdown();
    await first.shutdown();
    expect(getTelemetry()).toBeUndefined();
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    expect(handle).not.toBe(first);
    trace.getTracer('t').startSpan('after re-register').end();
    await handle.forceFlush();
    expect((await readSpans(dir)).map((s) => s.name)).toEqual(['after re-register']);
    expect(context.active()).toBeDefined();
  });

  it('takes the directory and service name from env vars', async () => {
    const dir = tmpDir();
    process.env.AGENT_OTEL_DIR = dir;
    process.env.OTEL_SERVICE_NAME = 'env-agent';
    handle = registerTelemetry();
    handle.tracer.startSpan('s').end();
    await handle.forceFlush();
    expect((await readSpans(dir))[0]!.service_name).toBe('env-agent');
    expect(handle.config.dir).toBe(dir);
  });

  it('writes into a 0700 directory with 0600 files', async () => {
    const dir = path.join(tmpDir(), 'fresh');
    handle = registerTelemetry({ dir });
    handle.tracer.startSpan('s').end();
    await handle.forceFlush();
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, 'spans'))).toBe(0o700);
    for (const sub of ['spans', 'metrics']) {
      for (const f of fs.readdirSync(path.join(dir, sub))) expect(mode(path.join(dir, sub, f))).toBe(0o600);
    }
  });
});

describe('configuration errors name the option and the accepted values', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['unknown option', { serviceNmae: 'x' }, /unknown option 'serviceNmae'; accepted options: .*serviceName, .*dir/],
    ['negative retention', { retentionDays: -1 }, /option retentionDays must be a positive number; got -1/],
    ['bad size', { maxFileSize: '10 parsecs' }, /option maxFileSize must be a size .*MiB.*got "10 parsecs"/],
    ['wrong type', { captureContent: 'yes' }, /option captureContent must be true or false; got "yes"/],
    ['bad log level', { logLevel: 'loud' }, /option logLevel must be one of none, error, warn, info, debug, verbose, all; got "loud"/],
    ['unknown queue option', { spanQueue: { size: 1 } }, /unknown option 'spanQueue.size'; accepted: maxQueueSize/],
    ['batch over queue', { spanQueue: { maxQueueSize: 10, maxExportBatchSize: 20 } }, /maxExportBatchSize \(20\) must not exceed spanQueue.maxQueueSize \(10\)/],
    ['empty dir', { dir: '' }, /option dir must be a non-empty string/],
  ];
  for (const [what, options, message] of cases) {
    it(what, () => {
      expect(() => registerTelemetry(options as never)).toThrowError(AgentOtelConfigError);
      expect(() => registerTelemetry(options as never)).toThrowError(message);
      expect(getTelemetry()).toBeUndefined();
    });
  }

  it('names the env var for a bad env value', () => {
    process.env.AGENT_OTEL_RETENTION_DAYS = 'thirty';
    expect(() => registerTelemetry({ dir: tmpDir() })).toThrowError(/env AGENT_OTEL_RETENTION_DAYS must be a positive number; got "thirty"/);
    delete process.env.AGENT_OTEL_RETENTION_DAYS;
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'maybe';
    expect(() => registerTelemetry({ dir: tmpDir() })).toThrowError(/env OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT must be one of true, false, 1, 0; got "maybe"/);
  });
});

describe('node --import agent-otel/register', () => {
  it('registers from env vars with no code change', async () => {
    const dir = tmpDir();
    const r = await runFixture('plain-otel-app.mjs', { AGENT_OTEL_DIR: dir, OTEL_SERVICE_NAME: 'hooked-agent', OTEL_RESOURCE_ATTRIBUTES: 'team=ml' }, [], ['--import', 'agent-otel/register']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const spans = await readSpans(dir);
    expect(spans.map((s) => s.name).sort()).toEqual(['child op', 'root op']);
    expect(spans[0]!.service_name).toBe('hooked-agent');
    expect(spans[0]!.resource!.team).toBe('ml');
    expect((await readMetrics(dir)).some((m) => m.name === 'app.jobs')).toBe(true);
  });

  it('reports a bad env value on stderr and lets the app run', async () => {
    const dir = tmpDir();
    const r = await runFixture('plain-otel-app.mjs', { AGENT_OTEL_DIR: dir, AGENT_OTEL_MAX_FILE_SIZE: 'huge' }, [], ['--import', 'agent-otel/register']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app done');
    expect(r.stderr).toMatch(/agent-otel: telemetry is off: env AGENT_OTEL_MAX_FILE_SIZE must be a size/);
    expect(fs.existsSync(path.join(dir, 'spans'))).toBe(false);
  });
});
