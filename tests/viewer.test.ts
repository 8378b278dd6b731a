import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuerySession } from '../dist/src/query/session.js';
import { isLoopback, jaegerBase, startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { readRunStarts, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';
import type { SpanRow } from '../dist/semconv/schema.js';

/** A demo store plus a crashed run (abandoned), served by a viewer on a free loopback port. */
let dir: string;
let spans: SpanRow[];
let viewer: Viewer;
let base: string;

beforeAll(async () => {
  dir = tmpDir('agent-otel-viewer-test-');
  const demo = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
  expect(demo.code).toBe(0);
  const crash = runFixture('crash-run.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir]);
  await new Promise<void>((resolve) => crash.child.stdout!.once('data', () => resolve()));
  // Killed once its run start is on disk (within 500 ms; a loaded machine can starve the child longer).
  await waitFor(async () => (await readRunStarts(dir)).some((r) => r.agent === 'crasher'), 30_000, 'the run start');
  await new Promise((r) => setTimeout(r, 300)); // and its LLM call's span
  crash.child.kill('SIGKILL');
  await crash;
  spans = await readSpans(dir);
  viewer = await startViewer({ dir, port: 0, pollMs: 200, jaegerUrl: 'http://localhost:16686/' });
  base = viewer.url.replace(/\/$/, '');
});

afterAll(async () => {
  await viewer?.close();
});

const api = async (p: string, init?: RequestInit) => {
  const res = await fetch(`${base}${p}`, init);
  return { status: res.status, headers: res.headers, body: await res.json() as any };
};

/** A request with the path sent exactly as written (fetch would normalise `..`). */
function raw(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: viewer.host, port: viewer.port, path: p, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function views(sql: string) {
  const s = await QuerySession.open(dir, 'files');
  try {
    return (await s.query(sql)).rows;
  } finally {
    s.close();
  }
}

describe('viewer API on a demo store', () => {
  it('lists the runs of agent_runs, newest first, with status, tokens and the abandoned run', async () => {
    const { status, body } = await api('/api/runs');
    expect(status).toBe(200);
    const expected = await views('SELECT run_id, agent, status, input_tokens, output_tokens, cost_usd, trace_id FROM agent_runs ORDER BY start_time DESC, run_id');
    expect(body.total).toBe(expected.length);
    const usd = (v: unknown) => (v === null ? null : Number(Number(v).toFixed(9)));
    expect(body.rows.map((r: any) => [r.run_id, r.agent, r.status, r.input_tokens, r.output_tokens, usd(r.cost_usd), r.trace_id])).toEqual(
      expected.map((r) => [r.run_id, r.agent, r.status, Number(r.input_tokens), Number(r.output_tokens), usd(r.cost_usd), r.trace_id]));
    expect(body.rows.filter((r: any) => r.status === 'abandoned').map((r: any) => r.agent)).toEqual(['crasher']);
    expect(body.rows.find((r: any) => r.status === 'failed')).toMatchObject({ agent: 'worker', error_type: 'DiskQuotaError' });
  });

  it('filters runs by agent, status and time, and pages them', async () => {
    const failed = await api('/api/runs?agent=worker&status=failed');
    expect(failed.body.rows.map((r: any) => r.error_type)).toEqual(['DiskQuotaError']);
    const workers = await api('/api/runs?agent=worker');
    expect(workers.body.total).toBe(spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent' && s.attributes['gen_ai.agent.name'] === 'worker').length);
    expect((await api('/api/runs?since=1h')).body.total).toBe(9);
    const all = (await api('/api/runs')).body.rows.map((r: any) => r.run_id);
    const page2 = await api('/api/runs?limit=3&offset=3');
    expect(page2.body).toMatchObject({ total: 9, limit: 3, offset: 3 });
    expect(page2.body.rows.map((r: any) => r.run_id)).toEqual(all.slice(3, 6));
  });

  it('returns a whole trace: every span with its attributes, events and a Jaeger link', async () => {
    const traceId = spans.find((s) => s.name.startsWith('invoke_workflow'))!.trace_id;
    const { status, body } = await api(`/api/traces/${traceId}`);
    expect(status).toBe(200);
    const mine = spans.filter((s) => s.trace_id === traceId);
    expect(body.spans.map((s: any) => s.span_id).sort()).toEqual(mine.map((s) => s.span_id).sort());
    const failedTool = mine.find((s) => s.status_code === 'ERROR' && s.attributes['error.type'] === 'RateLimitError')!;
    const got = body.spans.find((s: any) => s.span_id === failedTool.span_id);
    expect(got.attributes).toEqual(failedTool.attributes);
    expect(got.events.map((e: any) => e.name)).toEqual(['exception']);
    expect(got.parent_span_id).toBe(failedTool.parent_span_id);
    expect(body.jaeger_url).toBe(`http://localhost:16686/trace/${traceId}`);
  });

  it('gives the same trace and runs from the files alone as from the database', async () => {
    const traceId = spans.find((s) => s.name.startsWith('invoke_workflow'))!.trace_id;
    const files = await startViewer({ dir, port: 0, source: 'files' });
    try {
      const get = async (p: string) => (await fetch(`${files.url}${p}`)).json() as Promise<any>;
      expect((await get('api/info')).source).toBe('files');
      expect((await api('/api/info')).body.source).toBe('duckdb'); // the viewer brought telemetry.duckdb up to date first
      const strip = (t: any) => t.spans.map(({ start_time, end_time, ...rest }: any) => ({ ...rest, start: start_time.slice(0, 26), end: end_time.slice(0, 26) }));
      expect(strip(await get(`api/traces/${traceId}`))).toEqual(strip((await api(`/api/traces/${traceId}`)).body));
      expect((await get('api/runs')).rows).toEqual((await api('/api/runs')).body.rows);
    } finally {
      await files.close();
    }
  });

  it('lists LLM calls and tool calls with filters', async () => {
    const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    const llm = await api('/api/llm-calls?limit=500');
    expect(llm.body.total).toBe(chats.length);
    expect(llm.body.rows.map((r: any) => r.input_tokens).sort()).toEqual(chats.map((s) => s.attributes['gen_ai.usage.input_tokens']).sort());
    const gpt = await api('/api/llm-calls?model=gpt-4o');
    expect(gpt.body.rows.map((r: any) => [r.model, r.agent, r.provider])).toEqual([['gpt-4o', 'planner', 'openai']]);
    const tools = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool');
    const failedTools = await api('/api/tool-calls?outcome=error');
    expect(failedTools.body.total).toBe(tools.filter((s) => s.status_code === 'ERROR').length);
    expect(new Set(failedTools.body.rows.map((r: any) => r.error_type))).toEqual(new Set(['RateLimitError', 'TimeoutError']));
    expect((await api('/api/tool-calls?tool=write_file')).body.rows.every((r: any) => r.risk_level === 'medium')).toBe(true);
  });

  it('answers the charts: tokens by model, p95 latency by tool and model, error rate, runs per hour', async () => {
    const { body } = await api('/api/charts?since=all');
    expect(body.bucket).toBe('hour');
    const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    const tokens = (model: string) => chats.filter((s) => s.attributes['gen_ai.request.model'] === model)
      .reduce((t, s) => t + Number(s.attributes['gen_ai.usage.input_tokens']) + Number(s.attributes['gen_ai.usage.output_tokens']), 0);
    for (const total of body.token_totals) expect(total.input + total.output).toBe(tokens(total.model));
    const series = body.tokens_by_model.series.find((s: any) => s.label === 'gpt-4o');
    expect(series.values.reduce((a: number, b: number) => a + b, 0)).toBe(tokens('gpt-4o'));
    expect(body.p95_by_tool.map((r: any) => r.key).sort()).toEqual(['fetch_page', 'web_search', 'write_file']);
    expect(body.p95_by_model.map((r: any) => r.key).sort()).toEqual(['claude-3-5-haiku', 'claude-3-5-sonnet', 'gpt-4o', 'gpt-4o-mini']);
    // Cost per model: the sum of the calls' agent.cost.usd; none when no price is known (never a made-up $0).
    const priced = chats.filter((s) => typeof s.attributes['agent.cost.usd'] === 'number');
    expect(body.cost_by_model.priced_calls).toBe(priced.length);
    const costs = Object.fromEntries(body.cost_by_model.series.map((s: any) => [s.label, s.values.reduce((a: number, b: number | null) => a + (b ?? 0), 0)]));
    const want: Record<string, number> = {};
    for (const s of priced) want[String(s.attributes['gen_ai.request.model'])] = (want[String(s.attributes['gen_ai.request.model'])] ?? 0) + Number(s.attributes['agent.cost.usd']);
    expect(Object.keys(costs).sort()).toEqual(Object.keys(want).sort());
    for (const [model, cost] of Object.entries(want)) expect(costs[model]).toBeCloseTo(cost, 9);
    const runs = Object.fromEntries(body.runs_by_status.series.map((s: any) => [s.label, s.values.reduce((a: number, b: number) => a + b, 0)]));
    expect(runs).toEqual({ success: 7, failed: 1, abandoned: 1 });
    expect(body.error_rate.series.map((s: any) => s.label)).toEqual(['LLM calls', 'tool calls']);
  });

  it('gives the filter values', async () => {
    const { body } = await api('/api/facets');
    expect(body).toEqual({
      agents: ['crasher', 'planner', 'reviewer', 'worker'], statuses: ['abandoned', 'failed', 'success'],
      models: ['claude-3-5-haiku', 'claude-3-5-sonnet', 'gpt-4o', 'gpt-4o-mini'], tools: ['fetch_page', 'web_search', 'write_file'],
    });
  });

  it('shows a new run without a restart: running while its process lives, abandoned once it is killed', async () => {
    const before = (await api('/api/info')).body.generation;
    const crash = runFixture('crash-run.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir]);
    const runId = await new Promise<string>((resolve) => crash.child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).runId)));
    const status = async () => (await api('/api/runs?agent=crasher&limit=500')).body.rows.find((r: any) => r.run_id === runId)?.status;
    try {
      await waitFor(async () => (await status()) === 'running', 10_000, 'the new run to show as running');
      expect((await api('/api/info')).body.generation).toBeGreaterThan(before);
    } finally {
      crash.child.kill('SIGKILL');
      await crash;
    }
    await waitFor(async () => (await status()) === 'abandoned', 10_000, 'the killed run to show as abandoned');
  });
});

describe('viewer security', () => {
  it('sets a strict Content-Security-Policy and nosniff on the page, assets and API', async () => {
    for (const p of ['/', '/assets/app.js', '/api/info', '/nope']) {
      const res = await fetch(`${base}${p}`);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
      expect(res.headers.get('content-security-policy')).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/)/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from the internet
    expect((await fetch(`${base}/assets/vendor/uPlot.esm.js`)).status).toBe(200);
  });

  it('serves only its own files: path traversal in any spelling is a 404', async () => {
    for (const p of ['/../package.json', '/assets/../../package.json', '/assets/../../../package.json', '/%2e%2e/package.json',
      '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%5c..%5cpackage.json', '/assets/....//....//package.json', '//etc/passwd', '/assets/app.js.map', '/assets/app.ts',
      '/package.json', '/dist/src/viewer/server.js', '/assets/%00app.js', '/assets/static/app.js']) {
      const res = await raw(p);
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.body).not.toContain('"name": "agent-otel"');
    }
    expect((await raw('/assets/app.js')).status).toBe(200);
  });

  it('rejects unknown query parameters and malformed values with 400, and takes no SQL', async () => {
    const bad = ['/api/runs?foo=1', '/api/runs?sql=SELECT%201', '/api/runs?limit=abc', '/api/runs?limit=100000', '/api/runs?offset=-1',
      '/api/runs?status=bogus', '/api/runs?since=1y', '/api/runs?agent=a&agent=b', '/api/llm-calls?status=maybe',
      '/api/tool-calls?outcome=1%3D1', '/api/charts?since=forever', '/api/info?x=1', '/api/facets?q=1', '/api/traces/xyz',
      '/api/traces/ABCDEF0123456789ABCDEF0123456789', `/api/traces/${'a'.repeat(31)}'`, '/api/traces/0123456789abcdef0123456789abcdef?span=1'];
    for (const p of bad) {
      const { status, body } = await api(p);
      expect([p, status]).toEqual([p, 400]);
      expect(typeof body.error).toBe('string');
    }
    // A value that looks like SQL is only ever a value.
    const inj = await api(`/api/runs?agent=${encodeURIComponent("worker' OR '1'='1")}`);
    expect(inj).toMatchObject({ status: 200, body: { total: 0, rows: [] } });
    expect((await api('/api/traces/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await api('/api/nope')).status).toBe(404);
  });

  it('is read-only and answers only to its own host names', async () => {
    expect((await fetch(`${base}/api/runs`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await fetch(`${base}/api/runs`, { method: 'DELETE' })).status).toBe(405);
    expect((await raw('/api/info', { Host: 'attacker.example' })).status).toBe(403); // DNS rebinding
    expect((await raw('/api/info', { Host: `localhost:${viewer.port}` })).status).toBe(200);
  });

  it('binds loopback by default and refuses another address without allowRemote', async () => {
    expect(viewer.host).toBe('127.0.0.1');
    await expect(startViewer({ dir, port: 0, host: '0.0.0.0' })).rejects.toThrow(/not a loopback address.*--allow-remote/);
    const remote = await startViewer({ dir, port: 0, host: '0.0.0.0', allowRemote: true });
    try {
      expect(remote.host).toBe('0.0.0.0');
      expect((await fetch(`http://127.0.0.1:${remote.port}/api/info`)).status).toBe(200);
    } finally {
      await remote.close();
    }
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.168.1.5', '::', 'example.com'].some(isLoopback)).toBe(false);
    expect(jaegerBase('http://jaeger:16686/')).toBe('http://jaeger:16686');
    expect(() => jaegerBase('javascript:alert(1)')).toThrow(/http\(s\) URL/);
    expect(() => jaegerBase('not a url')).toThrow(/http\(s\) URL/);
    await expect(startViewer({ dir: path.join(dir, 'missing'), port: 0 })).rejects.toThrow(/no telemetry directory/);
  });

  it('names a busy port', async () => {
    await expect(startViewer({ dir, port: viewer.port })).rejects.toThrow(new RegExp(`port ${viewer.port} on 127.0.0.1 is in use`));
    expect(fs.existsSync(dir)).toBe(true);
  });
});
