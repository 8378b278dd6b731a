// What the logs pipeline does under pressure and at its edges: a full queue drops and counts, files
// rotate by size, a torn last line is skipped and counted, console capture, the level option, and
// GenAI content events kept only at privacy full. Real files; one pipeline at a time.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logs } from '@opentelemetry/api';
import { Redactor } from '../dist/src/governance/redaction.js';
import { logger } from '../dist/src/logs/logger.js';
import { resolveLogs } from '../dist/src/logs/config.js';
import { setupLogs } from '../dist/src/logs/setup.js';
import { registerTelemetry } from '../dist/src/register.js';
import { newReadStats, readJsonl } from '../dist/exporters/jsonl/readJsonl.js';
import { tmpDir } from './support/harness.js';

async function readLogs(dir: string, stats = newReadStats()): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for await (const r of readJsonl<Record<string, unknown>>(path.join(dir, 'logs'), stats)) rows.push(r);
  return rows;
}

describe('logs pipeline edges', () => {
  beforeAll(() => { registerTelemetry({ dir: tmpDir(), duckdb: false, handleSignals: false, logs: false }); }); // each test sets up its own logs pipeline
  afterAll(async () => { await registerTelemetry().shutdown(); });

  const pipeline = (dir: string, logsOption: unknown = undefined, extra: { privacy?: 'none' | 'metadata' | 'full'; maxFileBytes?: number } = {}) =>
    setupLogs({
      resource: registerTelemetry().resource, logs: resolveLogs(logsOption, () => undefined)!,
      files: { root: dir, maxFileBytes: extra.maxFileBytes ?? 64 * 1024 ** 2, maxAgeMs: 86400e3, maxTotalBytes: 1024 ** 3 },
      privacy: extra.privacy ?? 'metadata', redactor: new Redactor(),
    });

  it('a full queue drops records and counts every one; the rest are written', async () => {
    const dir = tmpDir();
    const p = pipeline(dir, { queue: { maxQueueSize: 10, maxExportBatchSize: 10 } });
    for (let i = 0; i < 100; i++) logger('burst').info('tick', { i }); // synchronously: the queue cannot drain meanwhile
    await p.shutdown();
    const written = (await readLogs(dir)).length;
    const h = p.health();
    expect(h.byReason['log_records.queue_full']).toBe(h.dropped);
    expect(h.dropped).toBeGreaterThan(0);
    expect(written + h.dropped).toBe(100);
  });

  it('rotates files by size and reads a torn last line as skipped and counted', async () => {
    const dir = tmpDir();
    const p = pipeline(dir, undefined, { maxFileBytes: 1000 }); // rows are ~200 bytes (format v3)
    for (let i = 0; i < 30; i++) { logger('rot').info('line', { i }); await p.forceFlush(); }
    await p.shutdown();
    const files = fs.readdirSync(path.join(dir, 'logs'));
    expect(files.length).toBeGreaterThan(3);
    fs.appendFileSync(path.join(dir, 'logs', files.sort().at(-1)!), '{"time":"2026-');
    const stats = newReadStats();
    const rows = await readLogs(dir, stats);
    expect(rows.map((r) => (r.attributes as { i: number }).i).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(stats.tornLines).toHaveLength(1);
  });

  it('captures console.* when asked, and puts console back at shutdown', async () => {
    const dir = tmpDir();
    const original = console.warn;
    const p = pipeline(dir, { console: true });
    console.warn('disk at %d%% (token %s)', 93, 'sk-abcdefghijklmnopqrstuvwx');
    console.debug('below the threshold');
    await p.shutdown();
    expect(console.warn).toBe(original);
    console.warn('after shutdown: not captured');
    const rows = await readLogs(dir);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ component: 'console', severity_number: 13, body: 'disk at 93% (token [REDACTED:api_key])', attributes: { 'console.method': 'warn' } });
  });

  it('logs.level sets the threshold for every logger, bridges and the Logs API included', async () => {
    const dir = tmpDir();
    const p = pipeline(dir, { level: 'warn' });
    const log = logger('levels');
    log.info('not.written');
    log.warn('written');
    expect(log.enabled('info')).toBe(false);
    logs.getLogger('api').emit({ body: 'api info', severityNumber: 9 });
    logs.getLogger('api').emit({ body: 'api error', severityNumber: 17 });
    await p.shutdown();
    expect((await readLogs(dir)).map((r) => r.body)).toEqual(['written', 'api error']);
    expect(() => resolveLogs({ level: 'loud' }, () => undefined)).toThrow(/option logs.level must be one of trace, debug, info, warn, error, fatal/);
    expect(resolveLogs(undefined, (n) => ({ AGENT_OTEL_LOG_LEVEL: 'debug' })[n])?.level).toBe('debug');
    expect(resolveLogs(undefined, (n) => ({ AGENT_OTEL_LOGS: 'false' })[n])).toBeUndefined();
  });

  it('GenAI content events are kept at privacy full (redacted), dropped below it; content keys leave other records', async () => {
    const emit = () => {
      logs.getLogger('@opentelemetry/instrumentation-openai').emit({ eventName: 'gen_ai.choice', body: { message: { content: 'answer to bob@example.com' } }, severityNumber: 9 });
      logs.getLogger('app').emit({ body: 'call done', severityNumber: 9, attributes: { 'gen_ai.input.messages': '[{"role":"user"}]', 'gen_ai.request.model': 'gpt-4o' } });
    };
    const full = tmpDir();
    let p = pipeline(full, undefined, { privacy: 'full' });
    emit();
    await p.shutdown();
    const fullRows = await readLogs(full);
    expect(fullRows.find((r) => r.event_name === 'gen_ai.choice')?.body).toEqual({ message: { content: 'answer to [REDACTED:email]' } });
    expect(fullRows.find((r) => r.body === 'call done')?.attributes).toHaveProperty('gen_ai.input.messages');

    const meta = tmpDir();
    p = pipeline(meta);
    emit();
    await p.shutdown();
    const metaRows = await readLogs(meta);
    expect(metaRows.map((r) => r.body)).toEqual(['call done']);
    expect(metaRows[0]!.attributes).toEqual({ 'gen_ai.request.model': 'gpt-4o' });
  });

  it('never throws into the agent, whatever the fields hold', async () => {
    const dir = tmpDir();
    const p = pipeline(dir);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const log = logger('odd');
    expect(() => {
      log.info('odd.fields', { cyclic, big: 10n, fn: () => 1, sym: Symbol('s'), when: new Date(0), nan: Number.NaN, nested: { deep: { er: new Error('inner') } } });
      log.with({ cyclic }).error('with.cyclic');
      log.info(undefined as unknown as string, null as unknown as Record<string, unknown>);
    }).not.toThrow();
    await p.shutdown();
    const rows = await readLogs(dir);
    expect(rows.find((r) => r.event_name === 'odd.fields')?.attributes).toMatchObject({ big: '10', when: '1970-01-01T00:00:00.000Z', nan: 'NaN', nested: { deep: { er: 'Error: inner' } } });
    expect(rows.some((r) => r.event_name === 'with.cyclic')).toBe(true);
  });
});
