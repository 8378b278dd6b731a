import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { logger, registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import type { LogRow } from '../dist/semconv/logs.js';
import { progressPath } from '../dist/src/replay/replaySpans.js';
import type { SpanRow } from '../dist/semconv/schema.js';
import { closedPort, startReceiver, type Receiver } from './support/otlpReceiver.js';
import { ROOT, readSpans, resourceRowsById, resourcesById, tmpDir, type ChildResult } from './support/harness.js';
import { decodeLogsRequest, type ReceivedLog } from './support/otlpLogs.js';

/** Runs `agent-otel …` in a child (asynchronously: the receiver lives in this process). */
function cli(args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'bin.js'), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** An agent that ran offline: runs, LLM and tool calls (one failing), an event and a link, in JSONL files. */
async function offlineAgent(dir: string, runs: number): Promise<void> {
  const handle = registerTelemetry({ dir, duckdb: false, serviceName: 'offline-agent', serviceVersion: '3.1.0' });
  for (let i = 0; i < runs; i++) {
    await withAgentRun({ agentName: 'planner', runKind: 'plan' }, async (run) => {
      run.addEvent('step', { 'step.index': i });
      await withLlmCall({ provider: 'openai', model: 'gpt-4o' }, (call) => {
        call.recordUsage({ inputTokens: 100 + i, outputTokens: 10 });
        call.setResponse({ model: 'gpt-4o-2024-08-06', finishReasons: ['stop'] });
      });
      await withToolCall({ name: 'fetch_page' }, () => { if (i % 2) throw new Error('404 page'); }).catch(() => {});
      const first = handle.tracer.startSpan('producer', { kind: SpanKind.PRODUCER });
      first.end();
      handle.tracer.startSpan('consumer', { kind: SpanKind.CONSUMER, links: [{ context: first.spanContext(), attributes: { 'link.kind': 'follows' } }] }).end();
      handle.tracer.startSpan('cache lookup').end(); // 6 spans per run (the run start is no longer one)
    });
  }
  await handle.shutdown();
}

let receiver: Receiver | undefined;
afterEach(async () => { await receiver?.close(); receiver = undefined; });

let base: string;
let rows: SpanRow[];
beforeAll(async () => {
  base = tmpDir('agent-otel-replay-');
  await offlineAgent(base, 10);
  rows = await readSpans(base);
  expect(rows.length).toBe(60); // run, LLM, tool, producer, consumer, cache lookup per run
});

/** A fresh copy of the offline telemetry (each test gets its own progress). */
function copy(): string {
  const dir = tmpDir('agent-otel-replay-copy-');
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

const nanos = (iso: string): bigint => {
  const [sec, frac = ''] = iso.replace('Z', '').split('.');
  return BigInt(Date.parse(sec + 'Z')) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
};

describe('agent-otel replay', () => {
  for (const protocol of ['http/protobuf', 'http/json']) {
    it(`sends every span back as OTLP: ids, parents, kind, times, attributes, events, links, status, resource, scope (${protocol})`, async () => {
      const dir = copy();
      receiver = await startReceiver();
      const r = await cli(['replay', '--dir', dir, '--endpoint', receiver.url, '--protocol', protocol]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`sent 60 spans in 1 batch to ${receiver.url}/v1/traces`));
      expect(receiver.spans.length).toBe(60);
      expect(receiver.requests[0]!.contentType).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      const got = new Map(receiver.spans.map((s) => [s.spanId, s]));
      for (const row of rows) {
        const s = got.get(row.span_id)!;
        expect(s, row.name).toBeDefined();
        expect(s.traceId).toBe(row.trace_id);
        expect(s.parentSpanId).toBe(row.parent_span_id ?? '');
        expect(s.name).toBe(row.name);
        expect(s.kind).toBe(['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].indexOf(row.kind) + 1);
        expect(BigInt(s.startTimeUnixNano)).toBe(nanos(row.start_time));
        expect(BigInt(s.endTimeUnixNano)).toBe(nanos(row.end_time));
        expect(s.attributes).toEqual(row.attributes);
        expect(s.status).toEqual({ code: ['UNSET', 'OK', 'ERROR'].indexOf(row.status_code), message: row.status_message ?? '' });
        expect(s.events.map((e) => ({ name: e.name, time: BigInt(e.timeUnixNano), attributes: e.attributes })))
          .toEqual(row.events.map((e) => ({ name: e.name, time: nanos(e.time), attributes: e.attributes })));
        expect(s.links).toEqual(row.links.map((l) => ({ traceId: l.trace_id, spanId: l.span_id, attributes: l.attributes })));
        // written as an id (the resource once in resources/): the receiver gets the attributes themselves
        expect(row.resource_id).toMatch(/^[0-9a-f]{16}$/);
        expect(s.resource).toEqual(resourcesById(dir).get(row.resource_id!));
        expect(s.resource).toEqual(row.resource);
        expect(s.scope).toEqual({ name: row.scope.name, version: row.scope.version ?? '' });
      }
      expect(receiver.spans.filter((s) => s.status.code === 2).length).toBe(5);
      expect(receiver.spans.find((s) => s.name === 'consumer')!.links[0]!.attributes).toEqual({ 'link.kind': 'follows' });
    });
  }

  it('batches, records progress per file, and a second run sends nothing new (idempotent)', async () => {
    const dir = copy();
    receiver = await startReceiver();
    const first = await cli(['replay', '--dir', dir, '--endpoint', receiver.url, '--batch-size', '16']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sent 60 spans in 4 batches/);
    expect(receiver.requests.length).toBe(4);
    const progress = progressPath(dir, `${receiver.url}/v1/traces`);
    expect(fs.statSync(progress).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(progress)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(fs.readFileSync(progress, 'utf8'));
    const [file] = fs.readdirSync(path.join(dir, 'spans'));
    expect(saved.endpoint).toBe(`${receiver.url}/v1/traces`);
    expect(saved.files[`spans/${file}`]).toMatchObject({ bytes: fs.statSync(path.join(dir, 'spans', file!)).size, lines: 60, spans: 60 });

    const again = await cli(['replay', '--dir', dir, '--endpoint', receiver.url, '--batch-size', '16']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/sent 0 spans in 0 batches .*; 1 file already sent/);
    expect(receiver.spans.length).toBe(60);

    // Another process of the agent writes more: only its spans go.
    await offlineAgent(dir, 2);
    const more = await cli(['replay', '--dir', dir, '--endpoint', receiver.url]);
    expect(more.stdout).toMatch(/sent 12 spans in 1 batch/);
    expect(receiver.spans.length).toBe(72);
    expect(new Set(receiver.spans.map((s) => s.spanId)).size).toBe(72);
  });

  it('an interrupted run resumes where it stopped, without sending a span twice', async () => {
    const dir = copy();
    receiver = await startReceiver();
    receiver.failAfter(2, 400); // accepts two batches, then refuses
    const cut = await cli(['replay', '--dir', dir, '--endpoint', receiver.url, '--batch-size', '20']);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/replay stopped: .*answered HTTP 400.*40 spans sent in this run; progress is saved, run the same command again to resume/);
    const port = receiver.port;
    await receiver.close();
    const accepted = receiver.spans.length;
    expect(accepted).toBe(40);
    receiver = await startReceiver(port); // the collector is back, same endpoint
    const resumed = await cli(['replay', '--dir', dir, '--endpoint', `http://127.0.0.1:${port}`, '--batch-size', '20']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/sent 20 spans in 1 batch/);
    expect(resumed.stdout).toMatch(/\(40 sent before\)/);
    expect(receiver.spans.length).toBe(20);
  });

  it('a line still being written (no newline yet) waits for the next run', async () => {
    const dir = copy();
    const [file] = fs.readdirSync(path.join(dir, 'spans'));
    const full = path.join(dir, 'spans', file!);
    const extra = JSON.stringify({ ...rows[0], span_id: 'abcdefabcdef0001', parent_span_id: null, name: 'late span' });
    fs.appendFileSync(full, extra.slice(0, 40));
    receiver = await startReceiver();
    expect((await cli(['replay', '--dir', dir, '--endpoint', receiver.url])).stdout).toMatch(/sent 60 spans/);
    fs.appendFileSync(full, extra.slice(40) + '\n');
    expect((await cli(['replay', '--dir', dir, '--endpoint', receiver.url])).stdout).toMatch(/sent 1 span in 1 batch/);
    expect(receiver.spans.at(-1)!.name).toBe('late span');
  });

  it('--dry-run counts what would be sent and sends and records nothing', async () => {
    const dir = copy();
    receiver = await startReceiver();
    const r = await cli(['replay', '--dir', dir, '--endpoint', receiver.url, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would send 60 spans in 1 batch .*\(dry run: nothing sent, nothing recorded\)/);
    expect(receiver.requests.length).toBe(0);
    expect(fs.existsSync(path.join(dir, '.replay'))).toBe(false);
  });

  it('takes the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT and headers from --headers', async () => {
    const dir = copy();
    receiver = await startReceiver();
    const r = await cli(['replay', '--dir', dir, '--headers', 'x-api-key=k1,x-team=ml'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(r.code).toBe(0);
    expect(receiver.requests[0]!.headers).toMatchObject({ 'x-api-key': 'k1', 'x-team': 'ml' });
  });

  it('clear errors for a bad URL, no endpoint, and an endpoint that refuses', async () => {
    const dir = copy();
    const bad = await cli(['replay', '--dir', dir, '--endpoint', 'localhost:4318']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('agent-otel: --endpoint must be an http:// or https:// URL of an OTLP/HTTP endpoint, e.g. http://localhost:4318; got "localhost:4318"\n');
    const none = await cli(['replay', '--dir', dir], { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/replay needs --endpoint <url>/);
    const port = await closedPort();
    const t0 = Date.now();
    const refused = await cli(['replay', '--dir', dir, '--endpoint', `http://127.0.0.1:${port}`, '--timeout', '1s']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`replay stopped: http://127.0.0.1:${port}/v1/traces refused the connection \\(ECONNREFUSED\\): is the collector or Jaeger running`));
    const proto = await cli(['replay', '--dir', dir, '--endpoint', 'http://127.0.0.1:1', '--protocol', 'grpc']);
    expect(proto.stderr).toMatch(/--protocol must be one of http\/protobuf, http\/json; got "grpc"/);
    const missing = await cli(['replay', '--dir', path.join(dir, 'nope'), '--endpoint', 'http://127.0.0.1:1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no telemetry directory at/);
  });
});

// ------------------------------------------------------------------ logs

const decodeLogs = decodeLogsRequest; // tests/support/otlpLogs.ts: the official schema's decoders

/** A collector's OTLP/HTTP receiver: /v1/logs decoded by the official schema; /v1/traces counted. */
async function logsReceiver(failFrom = Infinity) {
  const got = { logs: [] as ReceivedLog[], logRequests: 0, traceRequests: 0, url: '', close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = (req.url ?? '').split('?')[0];
      if (p === '/v1/logs') {
        if (++got.logRequests > failFrom) { res.writeHead(400).end(); return; }
        got.logs.push(...decodeLogs(Buffer.concat(chunks)));
      } else if (p === '/v1/traces') {
        got.traceRequests++;
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.alloc(0));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  got.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  got.close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  return got;
}

/** An offline agent that logs: records inside its runs and tool calls (with an Error), and one outside any span. */
async function loggingAgent(dir: string, runs: number): Promise<void> {
  const handle = registerTelemetry({ dir, duckdb: false, serviceName: 'offline-logger', serviceVersion: '1.2.0' });
  const log = logger('planner').with({ 'task.id': 'T-1' });
  for (let i = 0; i < runs; i++) {
    await withAgentRun({ agentName: 'planner' }, async () => {
      log.info('run.step', { i, ok: true, ratio: 0.5 });
      await withToolCall({ name: 'search' }, () => { log.error('tool.failed', { err: new TypeError(`bad ${i}`) }); });
    });
  }
  logger('boot').warn('config.missing', { key: 'X' });
  await handle.shutdown();
}

async function readLogRows(dir: string): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  for (const f of fs.readdirSync(path.join(dir, 'logs')).sort()) {
    for (const line of fs.readFileSync(path.join(dir, 'logs', f), 'utf8').split('\n')) if (line) rows.push(JSON.parse(line) as LogRow);
  }
  return rows;
}

describe('agent-otel replay: logs', () => {
  it('sends every log record as OTLP logs (official schema): time, severity, body, event, attributes, trace and span ids, resource, scope', async () => {
    const dir = tmpDir('agent-otel-replay-logs-');
    await loggingAgent(dir, 5);
    const rows = await readLogRows(dir);
    expect(rows).toHaveLength(11);
    const rx = await logsReceiver();
    try {
      const r = await cli(['replay', '--dir', dir, '--endpoint', rx.url, '--batch-size', '4']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`sent 11 log records in 3 batches to ${rx.url}/v1/logs`);
      expect(r.stdout).toMatch(new RegExp(`sent 10 spans in 3 batches to ${rx.url.replace(/\./g, '\\.')}/v1/traces`)); // the spans go too
      expect(rx.logRequests).toBe(3);
      expect(rx.logs).toHaveLength(11);
      rx.logs.forEach((got, i) => {
        const row = rows[i]!;
        expect(got.time).toBe(nanos(row.time));
        expect(got.severityNumber).toBe(row.severity_number);
        expect(got.severityText).toBe(row.severity_text);
        expect(got.body).toEqual(row.body);
        expect(got.eventName).toBe(row.event_name ?? '');
        expect(got.attributes).toEqual(row.attributes);
        expect(got.traceId).toBe(row.trace_id ?? '');
        expect(got.spanId).toBe(row.span_id ?? '');
        // the row names its resource; replay sends the resource itself (its row in resources/)
        expect(row.resource).toBeUndefined();
        expect(got.resource).toEqual(resourcesById(dir).get(row.resource_id!));
        expect(got.resource['service.name']).toBe('offline-logger');
        // format v3: the scope is named by the resource row too
        const scope = resourceRowsById(dir).get(row.resource_id!)!.scope!;
        expect(scope.name).toBe(row.component);
        expect({ name: got.scope.name, version: got.scope.version }).toEqual({ name: row.component, version: scope.version ?? undefined });
      });
      const failed = rx.logs.find((l) => l.eventName === 'tool.failed')!;
      expect(failed.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad 0', 'task.id': 'T-1' });
      expect(failed.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(rx.logs.at(-1)).toMatchObject({ eventName: 'config.missing', traceId: '', spanId: '', severityNumber: 13 });
    } finally {
      await rx.close();
    }
  });

  it('is idempotent per file and resumes after a refused batch, sending each record once', async () => {
    const dir = tmpDir('agent-otel-replay-logs-');
    await loggingAgent(dir, 5);
    const rx = await logsReceiver(2); // accepts two batches, then refuses
    try {
      const cut = await cli(['replay', '--dir', dir, '--endpoint', rx.url, '--signal', 'logs', '--batch-size', '4']);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/replay stopped: .*\/v1\/logs answered HTTP 400.*8 log records sent in this run; progress is saved/);
      expect(rx.traceRequests).toBe(0); // --signal logs: no spans
      expect(rx.logs).toHaveLength(8);
    } finally {
      await rx.close();
    }
    const rx2 = await logsReceiver();
    try {
      const resumed = await cli(['replay', '--dir', dir, '--endpoint', `${rx.url}`.replace(/:\d+$/, `:${new URL(rx2.url).port}`), '--signal', 'logs', '--batch-size', '4']);
      // Another endpoint is another destination: everything goes to it, from the start.
      expect(resumed.stdout).toContain('sent 11 log records in 3 batches');
      const again = await cli(['replay', '--dir', dir, '--endpoint', rx2.url, '--signal', 'logs']);
      expect(again.stdout).toMatch(/sent 0 log records in 0 batches .*; 1 file already sent/);
      expect(rx2.logs).toHaveLength(11);
      // More records written later: only they go.
      await loggingAgent(dir, 1);
      const more = await cli(['replay', '--dir', dir, '--endpoint', rx2.url, '--signal', 'logs']);
      expect(more.stdout).toContain('sent 3 log records in 1 batch');
      expect(rx2.logs).toHaveLength(14);
    } finally {
      await rx2.close();
    }
  });

  it('resumes at the same endpoint where it stopped', async () => {
    const dir = tmpDir('agent-otel-replay-logs-');
    await loggingAgent(dir, 5);
    const rx = await logsReceiver(1);
    const port = new URL(rx.url).port;
    try {
      expect((await cli(['replay', '--dir', dir, '--endpoint', rx.url, '--signal', 'logs', '--batch-size', '5'])).code).toBe(1);
      expect(rx.logs).toHaveLength(5);
    } finally {
      await rx.close();
    }
    // the same port again: the progress file of that URL says 5 were sent
    const server = await logsReceiverOn(Number(port));
    try {
      const resumed = await cli(['replay', '--dir', dir, '--endpoint', `http://127.0.0.1:${port}`, '--signal', 'logs', '--batch-size', '5']);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/: sent 6 log records \(5 sent before\)/);
      expect(server.logs.map((l) => l.time)).toEqual((await readLogRows(dir)).slice(5).map((r) => nanos(r.time)));
    } finally {
      await server.close();
    }
  });

  it('--signal takes traces, logs or all; a bad log line is skipped and counted', async () => {
    const dir = tmpDir('agent-otel-replay-logs-');
    await loggingAgent(dir, 1);
    const [file] = fs.readdirSync(path.join(dir, 'logs'));
    fs.appendFileSync(path.join(dir, 'logs', file!), JSON.stringify({ time: 'yesterday', body: 'x' }) + '\n');
    const rx = await logsReceiver();
    try {
      const bad = await cli(['replay', '--dir', dir, '--endpoint', rx.url, '--signal', 'metrics']);
      expect(bad).toMatchObject({ code: 1, stderr: 'agent-otel: --signal must be one of traces, logs, all; got "metrics"\n' });
      const traces = await cli(['replay', '--dir', dir, '--endpoint', rx.url, '--signal', 'traces']);
      expect(traces.stdout).not.toContain('log record');
      expect(rx.logRequests).toBe(0);
      const logs = await cli(['replay', '--dir', dir, '--endpoint', `${rx.url}/v1/traces`, '--signal', 'logs']);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain(`sent 3 log records in 1 batch to ${rx.url}/v1/logs`);
      expect(logs.stdout).toContain('1 bad line skipped');
      expect(logs.stderr).toMatch(/:4: skipped: time is not an ISO-8601 time: "yesterday"/);
    } finally {
      await rx.close();
    }
  });
});

/** logsReceiver on a given port (the collector back after an outage). */
async function logsReceiverOn(port: number) {
  const got = { logs: [] as ReceivedLog[], close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.logs.push(...decodeLogs(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.alloc(0));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  got.close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  return got;
}
