// Redaction beyond span attributes (issue 10, finding 8): metric data point attributes reach no reader
// or exporter unredacted (JSONL, DuckDB, OTLP, Prometheus /metrics), and span links' attributes are scanned.
import { afterEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { registerTelemetry, withAgentRun, withToolCall, type TelemetryHandle } from '../dist/src/index.js';
import { startReceiver, type Receiver } from './support/otlpReceiver.js';
import { filesContaining, queryViews } from './support/store.js';
import { readMetrics, readSpans, tmpDir, waitFor } from './support/harness.js';

const KEY = 'sk-proj-Zq8vW3nT5yR1uI7oP0aS4dF6gH';
const EMAIL = 'jane.doe@example.com';

let handle: TelemetryHandle | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await handle?.shutdown();
  await receiver?.close();
  handle = receiver = undefined;
});

/** A user counter with secrets in its labels, and a tool whose (user-supplied) name holds one. */
async function record(h: TelemetryHandle): Promise<void> {
  h.meter.createCounter('app.requests').add(3, { 'app.user': EMAIL, 'app.plain': 'ok' });
  await withAgentRun({ agentName: 'planner' }, () => withToolCall({ name: `lookup ${KEY}`, callId: 'c1' }, () => 'done'));
}

describe('metric attributes are redacted before any reader or exporter', () => {
  it('JSONL and DuckDB', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: 'live', logLevel: 'none' }); // the agent writes the database itself
    await record(handle);
    await handle.forceFlush();
    const rows = await readMetrics(handle.config.dir);
    const app = rows.find((r) => r.name === 'app.requests')!;
    expect(app.attributes).toEqual({ 'app.user': '[REDACTED:email]', 'app.plain': 'ok' });
    const tools = rows.filter((r) => r.attributes['gen_ai.tool.name'] !== undefined);
    expect(tools.length).toBeGreaterThan(0);
    for (const r of tools) expect(r.attributes['gen_ai.tool.name']).toBe('lookup [REDACTED:api_key]');
    const dir = handle.config.dir;
    await handle.shutdown();
    handle = undefined;
    const db = await queryViews(dir, `SELECT attributes FROM metrics WHERE name = 'app.requests'`, 'duckdb');
    expect(JSON.stringify(db)).toContain('[REDACTED:email]');
    expect(filesContaining(dir, EMAIL)).toEqual([]);
    expect(filesContaining(dir, KEY)).toEqual([]);
  });

  it('OTLP payload', async () => {
    receiver = await startReceiver();
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', otlp: { endpoint: receiver.url } });
    await record(handle);
    await handle.forceFlush();
    await waitFor(() => receiver!.metrics.some((m) => m.name === 'app.requests'), 5000, 'metrics at the receiver');
    const app = receiver.metrics.find((m) => m.name === 'app.requests')!;
    expect(app.dataPoints[0]!.attributes).toEqual({ 'app.user': '[REDACTED:email]', 'app.plain': 'ok' });
    const all = JSON.stringify(receiver.metrics);
    expect(all).not.toContain(EMAIL);
    expect(all).not.toContain(KEY);
    expect(all).toContain('lookup [REDACTED:api_key]');
  });

  it('Prometheus /metrics labels', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', prometheus: { port: 0 } });
    await record(handle);
    await waitFor(() => handle!.health().prometheus!.listening, 5000, '/metrics listening');
    const text = await (await fetch(handle.health().prometheus!.url)).text();
    expect(text).toMatch(/app_requests_total\{[^}]*app_user="\[REDACTED:email\]"/);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(KEY);
  });

  it('with redaction off, labels pass unchanged', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', redaction: false });
    handle.meter.createCounter('app.requests').add(1, { 'app.user': EMAIL });
    await handle.forceFlush();
    const rows = await readMetrics(handle.config.dir);
    expect(rows.find((r) => r.name === 'app.requests')!.attributes['app.user']).toBe(EMAIL);
  });
});

describe('span links', () => {
  it('link attributes are redacted (and user key rules apply)', async () => {
    handle = registerTelemetry({ dir: tmpDir(), duckdb: false, logLevel: 'none', redaction: { rules: [{ key: 'app.ticket', name: 'ticket' }] } });
    const tracer = trace.getTracer('t');
    const first = tracer.startSpan('first');
    first.end();
    const linkAttrs = { 'link.reason': `retry for ${EMAIL}`, 'app.ticket': 'T-1', n: 1 };
    const span = tracer.startSpan('linked', { links: [{ context: first.spanContext(), attributes: linkAttrs }] });
    span.addLink({ context: first.spanContext(), attributes: { token: `Bearer ${KEY}` } });
    span.end();
    await handle.forceFlush();
    const row = (await readSpans(handle.config.dir)).find((s) => s.name === 'linked')!;
    expect(row.links.map((l) => l.attributes)).toEqual([
      { 'link.reason': 'retry for [REDACTED:email]', 'app.ticket': '[REDACTED:ticket]', n: 1 },
      { token: '[REDACTED:bearer_token]' },
    ]);
    // the caller's own object is not changed
    expect(linkAttrs['link.reason']).toBe(`retry for ${EMAIL}`);
    expect(filesContaining(handle.config.dir, EMAIL)).toEqual([]);
  });
});
