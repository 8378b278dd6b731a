// Issue 10, finding 11 (viewer): a trace response is capped and says how many spans it leaves out; chart
// ranges are bounded and `since` names its limit; requests from other sites are refused; the Host header
// must be a loopback name with the viewer's own port.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { tmpDir } from './support/harness.js';

const TRACE = 'ab'.repeat(16);
const SPANS = 25_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** A span row as the JSONL exporter writes it. */
function row(traceId: string, i: number, parent: number | null, endMs: number, attributes: Record<string, unknown> = {}): string {
  const id = (n: number) => n.toString(16).padStart(16, '0');
  return JSON.stringify({
    trace_id: traceId, span_id: id(i + 1), parent_span_id: parent === null ? null : id(parent + 1), name: `step ${i}`, kind: 'INTERNAL',
    start_time: iso(endMs - 5), end_time: iso(endMs), duration_ms: 5, status_code: 'UNSET', status_message: null,
    scope: { name: 'test', version: null }, attributes, events: [], links: [], service_name: 'limits', resource: { 'service.name': 'limits' },
  });
}

let dir: string;
let viewer: Viewer;

beforeAll(async () => {
  dir = tmpDir();
  const now = Date.now();
  const lines: string[] = [];
  for (let i = 0; i < SPANS; i++) lines.push(row(TRACE, i, i === 0 ? null : Math.floor((i - 1) / 4), now - 60_000 + i));
  // Two LLM calls 54 years apart (a clock reset to 1970): the chart axis must not span them hour by hour.
  const llm = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 };
  lines.push(row('cd'.repeat(16), 0, null, 86_400_000, llm), row('cd'.repeat(16), 1, null, now - 1000, llm));
  fs.mkdirSync(path.join(dir, 'spans'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'spans', '2026-01-01T000000Z-999999-001.jsonl'), lines.join('\n') + '\n');
  viewer = await startViewer({ dir, port: 0, pollMs: 60_000 });
  for (let i = 0; i < 300; i++) {
    const info = await (await fetch(`${viewer.url}api/info`)).json() as { loading: boolean };
    if (!info.loading) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => { await viewer?.close(); });

/** A GET with chosen headers (fetch would not let a test set Host or Sec-Fetch-*). */
function raw(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: viewer.port, path: p, headers: { host: `127.0.0.1:${viewer.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('viewer limits', () => {
  it('a trace response holds at most 20,000 spans and says how many it leaves out', async () => {
    const r = await raw(`/api/traces/${TRACE}`);
    expect(r.status).toBe(200);
    const t = JSON.parse(r.body) as { spans: Array<{ name: string }>; total_spans: number; omitted_spans: number; max_spans: number };
    expect(t.spans).toHaveLength(20_000);
    expect(t).toMatchObject({ total_spans: SPANS, omitted_spans: SPANS - 20_000, max_spans: 20_000 });
    expect(t.spans[0]!.name).toBe('step 0'); // the first by start time: the root and its early children
  });

  it('since is bounded (2000 days) and the error names the limit', async () => {
    for (const since of ['9999w', '2001d', '48025h']) {
      const r = await raw(`/api/charts?since=${since}`);
      expect(r.status, since).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(/since must be at most 2000 days \(2000d, 48000h\), or all/);
    }
    expect((await raw('/api/runs?since=2000d')).status).toBe(200);
  });

  it('the chart axis is bounded whatever the timestamps (2000 points), and says it was clamped', async () => {
    const r = await raw('/api/charts?since=all');
    expect(r.status).toBe(200);
    const c = JSON.parse(r.body) as { bucket: string; tokens_by_model: { t: number[] }; clamped: { from: string; max_points: number } | null };
    expect(c.tokens_by_model.t.length).toBeLessThanOrEqual(2001);
    expect(c.bucket).toBe('day');
    expect(c.clamped).toMatchObject({ max_points: 2000 });
    expect(Date.parse(c.clamped!.from)).toBeGreaterThan(Date.now() - 2001 * 86_400_000);
  });

  it('refuses cross-site requests (Sec-Fetch-Site, Origin) with 403', async () => {
    const own = `http://127.0.0.1:${viewer.port}`;
    const cases: Array<[Record<string, string>, number, string?]> = [
      [{}, 200],
      [{ 'sec-fetch-site': 'same-origin' }, 200],
      [{ 'sec-fetch-site': 'none' }, 200],
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ 'sec-fetch-site': 'same-site' }, 403], // another port of localhost is another site's page
      [{ origin: 'http://evil.example' }, 403],
      [{ origin: 'null' }, 403],
      [{ origin: 'http://localhost:1' }, 403],
      [{ origin: own, 'sec-fetch-site': 'same-origin' }, 200],
    ];
    for (const [headers, status] of cases) expect((await raw('/api/info', headers)).status, JSON.stringify(headers)).toBe(status);
    // A link to the page from elsewhere opens it (no data in the page itself); its data calls are same-origin.
    const nav = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    expect((await raw('/', nav)).status).toBe(200);
    expect((await raw('/api/info', nav)).status).toBe(403);
    expect((await raw('/api/info', { 'sec-fetch-site': 'cross-site' })).body).toMatch(/cross-site request refused/);
  });

  it('answers only loopback Host headers with its own port (DNS rebinding)', async () => {
    for (const host of [`127.0.0.1:${viewer.port}`, `localhost:${viewer.port}`, `[::1]:${viewer.port}`]) expect((await raw('/api/info', { host })).status, host).toBe(200);
    for (const host of [`attacker.example:${viewer.port}`, 'localhost', `localhost:${viewer.port + 1}`, `127.0.0.1:${viewer.port + 1}`]) {
      expect((await raw('/api/info', { host })).status, host).toBe(403);
    }
  });
});
