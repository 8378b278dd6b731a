// A hanging OTLP endpoint: it accepts connections and never answers. The agent's work and the files
// are not held up, shutdown is bounded, every span the endpoint never acknowledged is counted.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetrics, readSpans, runFixture, sumMetric, tmpDir } from '../support/harness.js';
import { expectAgentUnaffected, runAgent, spansByPhase } from './support.js';

const sockets = new Set<Socket>();
const server = http.createServer(() => { /* never answers */ });
server.on('connection', (s) => { sockets.add(s); });
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => { for (const s of sockets) s.destroy(); server.close(); });

describe('a hanging OTLP endpoint', () => {
  it('the agent and its files are unaffected, shutdown is bounded, every unsent span is counted', async () => {
    const dir = tmpDir();
    const { r, end } = await runAgent(dir, { otlp: { endpoint, timeoutMillis: 1000 } }, 1, 200);
    expectAgentUnaffected(end, 1, 200);
    expect(end.shutdownMs).toBeLessThan(7000);
    const { total } = await spansByPhase(dir);
    expect(total).toBe(200); // the files never wait for the endpoint
    // Each span was handed to OTLP once and never acknowledged: each is counted once, whatever the reason.
    expect(end.health.dropped.spans, JSON.stringify(end.health.dropped)).toBe(200);
    expect(Object.keys(end.health.dropped.byReason).every((k) => /^(spans|metric_points)\.(export_failed|exit_unsent)$/.test(k))).toBe(true);
    expect(r.stderr).toMatch(/dropping spans/); // said, once per reason
    // and the count reaches the metrics file
    const dropped = (await readMetrics(dir)).filter((m) => m.name === 'agent_otel.spans.dropped');
    expect(dropped.reduce((s, m) => s + (m.value ?? 0), 0)).toBe(200);
  });
});

describe('SIGTERM while the OTLP endpoint hangs', () => {
  it('ends by the signal within the bounded wait; spans, metrics and the OTLP drop count are on disk', async () => {
    const dir = tmpDir();
    const child = runFixture('faults-exit.mjs', {}, [dir, 'sigterm', JSON.stringify({ duckdb: false, logLevel: 'none', otlp: { endpoint } })]);
    await new Promise<void>((resolve) => child.child.stdout!.once('data', () => resolve()));
    const t0 = Date.now();
    child.child.kill('SIGTERM');
    const r = await child;
    expect(r.signal).toBe('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(6000);
    const spans = await readSpans(dir);
    expect(spans.filter((s) => s.name === 'execute_tool step')).toHaveLength(20);
    const metrics = await readMetrics(dir);
    expect(sumMetric(metrics, 'test.exit.count')).toBe(5);
    expect(sumMetric(metrics, 'agent_otel.spans.dropped')).toBe(spans.length);
  });
});
