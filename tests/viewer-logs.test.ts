// The viewer's log endpoints: /api/logs (the Logs page: level, component, event, trace, since; bounded
// pages), /api/logs/version (what the page polls) and /api/traces/:id/logs (a span's logs in its
// details), over the real logs/*.jsonl written by logger() inside the helpers' spans.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { logger, registerTelemetry, withAgentRun, withToolCall } from '../dist/src/index.js';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { tmpDir } from './support/harness.js';

const dir = tmpDir('agent-otel-viewer-logs-');
let viewer: Viewer;
let base: string;
let ids: { traceId: string; run: string; tool: string };

beforeAll(async () => {
  const handle = registerTelemetry({ dir, duckdb: false, serviceName: 'viewer-logs' });
  const log = logger('planner');
  const tools = logger('tools');
  ids = await withAgentRun({ agentName: 'planner' }, async () => {
    const run = trace.getActiveSpan()!.spanContext();
    log.info('run.started', { files: 3 });
    log.debug('below.threshold');
    const tool = await withToolCall({ name: 'search' }, async () => {
      tools.warn('tool.slow', { ms: 900 });
      tools.error('tool.failed', { err: new Error('<img src=x onerror=alert(1)>') });
      return trace.getActiveSpan()!.spanContext().spanId;
    });
    return { traceId: run.traceId, run: run.spanId, tool };
  });
  for (let i = 0; i < 7; i++) log.info('tick', { i });
  await handle.shutdown();
  // one record from three days ago, in a file of its own
  const logDir = path.join(dir, 'logs');
  const sample = JSON.parse(fs.readFileSync(path.join(logDir, fs.readdirSync(logDir)[0]!), 'utf8').split('\n')[0]!) as Record<string, unknown>;
  fs.writeFileSync(path.join(logDir, '2026-01-01T000000Z-1-001.jsonl'), JSON.stringify({ ...sample,
    time: new Date(Date.now() - 3 * 86_400_000).toISOString().replace('Z', '000Z'), component: 'archivist', event_name: 'old.news', trace_id: null, span_id: null }) + '\n');
  viewer = await startViewer({ dir, port: 0, pollMs: 200 });
  base = viewer.url.replace(/\/$/, '');
});

afterAll(async () => { await viewer?.close(); });

const api = async (p: string) => {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, body: await res.json() as any };
};
const events = (rows: Array<{ event_name: string }>) => rows.map((r) => r.event_name);

describe('viewer: /api/logs', () => {
  it('lists records newest first with their fields, and how many match', async () => {
    const r = await api('/api/logs');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(11); // run.started, 2 of the tool, 7 ticks, the old one; below-threshold records are not written
    expect(events(r.body.rows)).toEqual([...Array(7).fill('tick'), 'tool.failed', 'tool.slow', 'run.started', 'old.news']);
    const failed = r.body.rows.find((x: any) => x.event_name === 'tool.failed');
    expect(failed).toMatchObject({ level: 'error', severity_number: 17, component: 'tools', trace_id: ids.traceId, span_id: ids.tool,
      attributes: { 'exception.message': '<img src=x onerror=alert(1)>', 'exception.type': 'Error' }, service_name: 'viewer-logs' });
    expect(failed.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof r.body.version).toBe('string');
  });

  it('filters by level (and above), component, event (with *), trace prefix and since', async () => {
    expect(events((await api('/api/logs?level=warn')).body.rows)).toEqual(['tool.failed', 'tool.slow']);
    expect(events((await api('/api/logs?level=error')).body.rows)).toEqual(['tool.failed']);
    expect((await api('/api/logs?component=tools')).body.total).toBe(2);
    expect(events((await api('/api/logs?event=tool.*')).body.rows)).toEqual(['tool.failed', 'tool.slow']);
    expect((await api('/api/logs?component=to_ls')).body.total).toBe(0); // _ is a character, not a wildcard
    expect(events((await api(`/api/logs?trace=${ids.traceId.slice(0, 8).toUpperCase()}`)).body.rows)).toEqual(['tool.failed', 'tool.slow', 'run.started']);
    const recent = await api('/api/logs?since=24h');
    expect(recent.body.total).toBe(10);
    expect(events(recent.body.rows)).not.toContain('old.news');
    expect((await api('/api/logs?since=all')).body.total).toBe(11);
  });

  it('pages: limit and offset, bounded', async () => {
    const first = await api('/api/logs?limit=5');
    const second = await api('/api/logs?limit=5&offset=5');
    expect(first.body).toMatchObject({ total: 11, limit: 5, offset: 0 });
    expect(first.body.rows).toHaveLength(5);
    expect(second.body.rows).toHaveLength(5);
    expect(second.body.rows.map((x: any) => x.event_name).slice(2)).toEqual(['tool.failed', 'tool.slow', 'run.started']);
    expect((await api('/api/logs?limit=501')).status).toBe(400);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    expect(await api('/api/logs?level=loud')).toEqual({ status: 400, body: { error: 'level must be one of trace, debug, info, warn, error, fatal; got "loud"' } });
    expect((await api('/api/logs?trace=xyz')).body.error).toMatch(/^trace must be a trace id or a prefix of one/);
    expect((await api('/api/logs?since=forever')).status).toBe(400);
    expect((await api('/api/logs?component=%01')).status).toBe(400);
    expect((await api('/api/logs?sql=1')).body.error).toMatch(/^unknown query parameter "sql"/);
    expect((await api('/api/logs?level=warn&level=error')).status).toBe(400);
    // SQL in a value is a value
    expect((await api(`/api/logs?component=${encodeURIComponent("x' OR '1'='1")}`)).body.total).toBe(0);
  });

  it('/api/logs/version changes when a log file grows', async () => {
    const before = (await api('/api/logs/version')).body.version;
    expect((await api('/api/logs/version')).body.version).toBe(before);
    const logDir = path.join(dir, 'logs');
    fs.appendFileSync(path.join(logDir, '2026-01-01T000000Z-1-001.jsonl'), fs.readFileSync(path.join(logDir, '2026-01-01T000000Z-1-001.jsonl')));
    const after = (await api('/api/logs/version')).body.version;
    expect(after).not.toBe(before);
    expect((await api('/api/logs?since=all')).body.total).toBe(12);
    expect((await api('/api/logs/version?x=1')).status).toBe(400);
  });
});

describe('viewer: /api/traces/:id/logs', () => {
  it('gives the trace\'s records oldest first, with their span ids', async () => {
    const r = await api(`/api/traces/${ids.traceId}/logs`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ trace_id: ids.traceId, total: 3, omitted: 0, max: 5000 });
    expect(r.body.logs.map((l: any) => [l.event_name, l.span_id])).toEqual([['run.started', ids.run], ['tool.slow', ids.tool], ['tool.failed', ids.tool]]);
  });

  it('an unknown trace has none; a bad id is a 400', async () => {
    expect((await api(`/api/traces/${'0'.repeat(32)}/logs`)).body).toMatchObject({ logs: [], total: 0 });
    expect((await api('/api/traces/nothex/logs')).status).toBe(400);
  });
});
