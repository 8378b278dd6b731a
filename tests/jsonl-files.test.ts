import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { registerTelemetry, type TelemetryHandle } from '../dist/src/index.js';
import { AppendFile, pruneFiles } from '../dist/exporters/jsonl/index.js';
import { newReadStats, readJsonl } from '../dist/exporters/jsonl/readJsonl.js';
import { rawRows, readMetrics, readSpans, resourcesById, sumMetric, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  vi.useRealTimers();
});

const spanFiles = (dir: string) => fs.readdirSync(path.join(dir, 'spans')).filter((f) => f.endsWith('.jsonl')).sort();

describe('JSONL span rows', () => {
  it('are flat rows with the documented fields, ISO-8601 UTC microsecond times and dotted attribute keys', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, serviceName: 'svc' });
    const span = handle.tracer.startSpan('op "quoted"\n', { attributes: { 'gen_ai.request.model': 'gpt-4o', n: 3, ok: true, list: ['a', 'b'] } });
    span.addEvent('retry', { 'retry.attempt': 2 });
    span.setStatus({ code: 2, message: 'it broke: "badly"' });
    span.end();
    await handle.forceFlush();
    const [row] = await readSpans(dir);
    // as written (format v3): no empty field (no parent, no links), duration and status always, resource
    // and scope named by id (their row is in resources/); readJsonl (readSpans) fills it all in
    const [raw] = rawRows<Record<string, unknown>>(dir, 'spans');
    expect(Object.keys(raw!)).toEqual(['trace_id', 'span_id', 'name', 'kind', 'start_time', 'end_time', 'duration_ms',
      'status_code', 'status_message', 'attributes', 'events', 'resource_id']);
    expect(raw!.resource_id).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(row!).sort()).toEqual(['attributes', 'duration_ms', 'end_time', 'events', 'kind', 'links', 'name',
      'parent_span_id', 'resource', 'resource_id', 'scope', 'service_name', 'span_id', 'start_time', 'status_code', 'status_message', 'trace_id'].sort());
    expect(row!.resource).toEqual(resourcesById(dir).get(raw!.resource_id as string));
    expect(row!.resource).toMatchObject({ 'service.name': 'svc', 'process.pid': process.pid });
    expect(row).toMatchObject({
      name: 'op "quoted"\n', kind: 'INTERNAL', parent_span_id: null, status_code: 'ERROR', status_message: 'it broke: "badly"',
      service_name: 'svc', attributes: { 'gen_ai.request.model': 'gpt-4o', n: 3, ok: true, list: ['a', 'b'] },
      events: [{ name: 'retry', attributes: { 'retry.attempt': 2 } }], links: [],
    });
    expect(row!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(row!.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(row!.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(row!.events[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const start = Date.parse(row!.start_time);
    expect(Math.abs(start - Date.now())).toBeLessThan(10_000);
    expect(Date.parse(row!.end_time) - start).toBeCloseTo(row!.duration_ms, -1);
  });

  it('forceFlush puts every accepted span on disk', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    for (let i = 0; i < 5000; i++) handle.tracer.startSpan(`s${i}`).end();
    await handle.forceFlush();
    const spans = await readSpans(dir);
    expect(spans).toHaveLength(5000);
    expect(new Set(spans.map((s) => s.name)).size).toBe(5000);
    expect(handle.health().dropped.spans).toBe(0);
  });
});

describe('rotation and retention', () => {
  it('starts a new file past maxFileSize, never splitting a line', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, maxFileSize: '20KB', spanQueue: { maxExportBatchSize: 10 } });
    for (let i = 0; i < 300; i++) {
      handle.tracer.startSpan(`span-${i}`, { attributes: { pad: 'x'.repeat(100) } }).end();
      if (i % 10 === 9) await handle.forceFlush();
    }
    await handle.forceFlush();
    const files = spanFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, 'spans', f), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20_000 + 10 * 1200);
    }
    const stats = newReadStats();
    expect(await readSpans(dir, stats)).toHaveLength(300);
    expect(stats.tornLines).toEqual([]);
  });

  it('starts a new file when the UTC day changes, named by day', async () => {
    const dir = tmpDir();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T23:59:59.500Z'));
    const file = new AppendFile({ root: dir, signal: 'spans', maxFileBytes: 1e9, maxAgeMs: 1e12, maxTotalBytes: 1e12 });
    await new Promise<void>((r, j) => file.append('{"a":1}\n', (e) => (e ? j(e) : r())));
    vi.setSystemTime(new Date('2026-03-02T00:00:00.500Z'));
    await new Promise<void>((r, j) => file.append('{"a":2}\n', (e) => (e ? j(e) : r())));
    await file.close();
    const files = spanFiles(dir);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^2026-03-01T235959Z-\d+-001\.jsonl$/);
    expect(files[1]).toMatch(/^2026-03-02T000000Z-\d+-002\.jsonl$/);
  });

  it('prunes files older than the retention age and the oldest files past the total size', async () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'spans'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'metrics'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'audit'), { recursive: true });
    const now = Date.now();
    const make = (rel: string, bytes: number, ageDays: number) => {
      const p = path.join(dir, rel);
      fs.writeFileSync(p, 'x'.repeat(bytes));
      const t = new Date(now - ageDays * 86400e3);
      fs.utimesSync(p, t, t);
      return p;
    };
    const ancient = make('spans/old.jsonl', 100, 40);
    const oldest = make('spans/a.jsonl', 1000, 5);
    const older = make('metrics/b.jsonl', 1000, 4);
    const newer = make('spans/c.jsonl', 1000, 3);
    const audit = make('audit/keep.jsonl', 100, 400);
    const live = make('spans/live.jsonl', 5000, 0);
    const opts = { maxAgeMs: 30 * 86400e3, maxTotalBytes: 7000 };
    const dry = await pruneFiles(dir, opts, new Set(), true);
    expect(dry.deleted.map((d) => [path.basename(d.file), d.reason])).toEqual([['old.jsonl', 'age'], ['a.jsonl', 'size']]);
    expect(fs.existsSync(ancient)).toBe(true);
    await pruneFiles(dir, opts);
    expect([ancient, oldest].map((p) => fs.existsSync(p))).toEqual([false, false]);
    expect([older, newer, live, audit].map((p) => fs.existsSync(p))).toEqual([true, true, true, true]);
  });

  it('prunes when a writer opens a file, using the configured limits', async () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'spans'), { recursive: true });
    const stale = path.join(dir, 'spans', '2025-01-01T000000Z-1-001.jsonl');
    fs.writeFileSync(stale, '{}\n');
    const t = new Date(Date.now() - 3 * 86400e3);
    fs.utimesSync(stale, t, t);
    handle = registerTelemetry({ dir, retentionDays: 2 });
    handle.tracer.startSpan('s').end();
    await handle.forceFlush();
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(stale)).toBe(false);
  });
});

describe('failure handling', () => {
  it('an unwritable directory degrades: a clear warning, spans counted as dropped, the agent unaffected', async () => {
    const base = tmpDir();
    const blocker = path.join(base, 'not-a-dir');
    fs.writeFileSync(blocker, 'a file where the directory should be');
    const messages: string[] = [];
    const logger: DiagLogger = { error: (m) => messages.push(m), warn: (m) => messages.push(m), info() {}, debug() {}, verbose() {} };
    handle = registerTelemetry({ dir: blocker, logLevel: 'none' });
    diag.setLogger(logger, DiagLogLevel.WARN);
    for (let i = 0; i < 10; i++) handle.tracer.startSpan(`s${i}`).end();
    await handle.forceFlush();
    for (let i = 0; i < 10; i++) handle.tracer.startSpan(`t${i}`).end();
    await handle.forceFlush();
    const health = handle.health();
    expect(health.status).toBe('degraded');
    expect(health.dropped.spans).toBe(20);
    expect(health.dropped.byReason['spans.export_failed']).toBe(20);
    const cannot = messages.filter((m) => m.includes('cannot write spans') && m.includes('until the directory is writable'));
    expect(cannot).toHaveLength(1);
    expect(cannot[0]).toContain(blocker);
    expect(messages.filter((m) => m.includes('dropping spans (export_failed)'))).toHaveLength(1);
    diag.disable();
  });

  it('counts drops from a full queue and exports them as agent_otel.spans.dropped', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, logLevel: 'none', spanQueue: { maxQueueSize: 100, maxExportBatchSize: 50 } });
    for (let i = 0; i < 1000; i++) handle.tracer.startSpan(`s${i}`).end(); // one synchronous burst
    await handle.forceFlush();
    expect(await readSpans(dir)).toHaveLength(100);
    expect(handle.health().dropped.byReason).toEqual({ 'spans.queue_full': 900 });
    await handle.forceFlush();
    expect(sumMetric(await readMetrics(dir), 'agent_otel.spans.dropped', { 'agent_otel.reason': 'queue_full' })).toBe(900);
  });
});

describe('reading rows back', () => {
  it('streams rows, and skips and counts a torn final line', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'a.jsonl');
    fs.writeFileSync(file, '{"n":1}\n{"n":2}\n{"n":3,"cut');
    fs.writeFileSync(path.join(dir, 'b.jsonl'), '{"n":4}\nnot json\n{"n":5}\n');
    const stats = newReadStats();
    const rows: Array<{ n: number }> = [];
    for await (const r of readJsonl<{ n: number }>(dir, stats)) rows.push(r);
    expect(rows.map((r) => r.n)).toEqual([1, 2, 4, 5]);
    expect(stats.rows).toBe(4);
    expect(stats.files).toBe(2);
    expect(stats.tornLines).toEqual([{ file, line: 3 }]);
    expect(stats.badLines).toHaveLength(1);
    expect(stats.badLines[0]).toMatchObject({ file: path.join(dir, 'b.jsonl'), line: 2 });
  });
});
