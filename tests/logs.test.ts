// The logs signal end to end: logger(), the OTel Logs API and the pino/winston bridges land in
// logs/*.jsonl with the active span's ids, through redaction and the privacy level, and the `logs`
// view and command read them back. Real files, a real DuckDB, real pino and winston.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logs, trace } from '@opentelemetry/api';
import { withAgentRun, withLlmCall } from '../dist/src/index.js';
import { logger } from '../dist/src/logs/logger.js';
import { newReadStats, readJsonl } from '../dist/exporters/jsonl/readJsonl.js';
import type { LogRow } from '../dist/semconv/logs.js';
import { wire } from './fixtures/logs-wire.mjs';
import { filesContaining } from './support/store.js';
import { readSpans, resourcesById, runFixture, tmpDir } from './support/harness.js';

async function readLogs(dir: string, stats = newReadStats()): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  if (!fs.existsSync(path.join(dir, 'logs'))) return rows;
  for await (const r of readJsonl<LogRow>(path.join(dir, 'logs'), stats)) rows.push(r);
  return rows;
}

const SECRET = 'sk-proj-LOGSECRET0123456789abcdefXYZ';

describe('logs from an agent', () => {
  const dir = tmpDir('agent-otel-logs-');
  let t: Awaited<ReturnType<typeof wire>>;
  let rows: LogRow[];
  let ids: { run: { traceId: string; spanId: string }; call: { traceId: string; spanId: string } };

  beforeAll(async () => {
    t = wire({ dir, serviceName: 'log-agent' });
    const log = logger('planner');
    const stepLog = log.with({ 'task.id': 'T-7', user: 'ada' });
    ids = await withAgentRun({ agentName: 'planner' }, async () => {
      const run = trace.getActiveSpan()!.spanContext();
      log.info('run.started', { files: 3 });
      const call = await withLlmCall({ provider: 'openai', model: 'gpt-4o', operation: 'chat' }, async () => {
        stepLog.info('llm.request', { attempt: 1 });
        stepLog.warn('llm.retry', { attempt: 2, err: new TypeError('socket hang up') });
        return trace.getActiveSpan()!.spanContext();
      });
      stepLog.error('tool.failed', { tool: 'search', apiKey: SECRET, note: `the key was ${SECRET}` });
      log.debug('below.threshold', { noisy: true });
      logs.getLogger('otel-api-user', '1.2.3').emit({ body: 'from the Logs API', severityNumber: 13, severityText: 'WARN', attributes: { 'http.route': '/x' } });
      // A GenAI content event (what the official instrumentations emit): content, so not recorded at the default privacy level.
      logs.getLogger('@opentelemetry/instrumentation-openai').emit({ eventName: 'gen_ai.user.message', body: { content: 'CONTENT-MARKER-123' }, severityNumber: 9 });
      return { run: { traceId: run.traceId, spanId: run.spanId }, call: { traceId: call.traceId, spanId: call.spanId } };
    });
    log.info('after.run');
    await t.logs.forceFlush();
    await t.handle.forceFlush();
    rows = await readLogs(dir);
  });

  afterAll(async () => { await t.shutdown(); });

  const byEvent = (e: string) => rows.find((r) => r.event_name === e);

  it('stamps each record with the span active when it was logged', async () => {
    expect(byEvent('run.started')).toMatchObject({ trace_id: ids.run.traceId, span_id: ids.run.spanId, component: 'planner' });
    expect(byEvent('llm.request')).toMatchObject({ trace_id: ids.call.traceId, span_id: ids.call.spanId });
    expect(byEvent('after.run')).toMatchObject({ trace_id: null, span_id: null });
    // the ids are those of the rows in spans/: the run and the LLM call
    const spans = await readSpans(dir);
    expect(spans.find((s) => s.span_id === ids.run.spanId)?.name).toBe('invoke_agent planner');
    expect(spans.find((s) => s.span_id === ids.call.spanId)?.name).toBe('chat gpt-4o');
  });

  it('writes the row documented in semconv/README.md', () => {
    const r = byEvent('run.started')!;
    // as written, ending in the id of its resource and scope; readJsonl appends what that names (format v3)
    expect(Object.keys(r)).toEqual(['time', 'severity_text', 'severity_number', 'body', 'event_name', 'component', 'trace_id', 'span_id',
      'attributes', 'resource_id', 'resource', 'service_name', 'scope']);
    expect(r.resource).toEqual(resourcesById(dir).get(r.resource_id!));
    expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(r).toMatchObject({ severity_text: 'INFO', severity_number: 9, body: 'run.started', attributes: { files: 3 }, service_name: 'log-agent' });
    expect(r.scope.name).toBe('planner');
    expect(r.resource!['service.name']).toBe('log-agent');
    expect(r.resource!['process.pid']).toBe(process.pid);
  });

  it('adds the with() fields to every record of that logger, and only of it', () => {
    for (const e of ['llm.request', 'llm.retry', 'tool.failed']) expect(byEvent(e)!.attributes).toMatchObject({ 'task.id': 'T-7', user: 'ada' });
    expect(byEvent('run.started')!.attributes).not.toHaveProperty('task.id');
  });

  it('records an Error field as exception type, message and stack', () => {
    const r = byEvent('llm.retry')!;
    expect(r).toMatchObject({ severity_text: 'WARN', severity_number: 13 });
    expect(r.attributes).toMatchObject({ attempt: 2, 'exception.type': 'TypeError', 'exception.message': 'socket hang up' });
    expect(String(r.attributes['exception.stacktrace'])).toMatch(/^TypeError: socket hang up\n\s+at /);
  });

  it('redacts a secret in any field: it reaches no file', () => {
    expect(byEvent('tool.failed')!.attributes).toMatchObject({ apiKey: '[REDACTED:api_key]', note: 'the key was [REDACTED:api_key]' });
    expect(filesContaining(dir, 'LOGSECRET')).toEqual([]);
  });

  it('does not write records below the level threshold (default info)', () => {
    expect(byEvent('below.threshold')).toBeUndefined();
    expect(filesContaining(dir, 'below.threshold')).toEqual([]);
  });

  it('records the OpenTelemetry Logs API in the same files, with the trace ids', () => {
    const r = rows.find((x) => x.body === 'from the Logs API')!;
    expect(r).toMatchObject({ component: 'otel-api-user', scope: { name: 'otel-api-user', version: '1.2.3' }, severity_number: 13, trace_id: ids.run.traceId, span_id: ids.run.spanId, event_name: null });
  });

  it('keeps GenAI content events out below privacy full', () => {
    expect(rows.some((r) => r.event_name === 'gen_ai.user.message')).toBe(false);
    expect(filesContaining(dir, 'CONTENT-MARKER-123')).toEqual([]);
  });

  it('writes 0600 files in a 0700 folder and reports them in health()', () => {
    const files = fs.readdirSync(path.join(dir, 'logs'));
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d{6}Z-${process.pid}-\\d{3}\\.jsonl$`));
    expect(fs.statSync(path.join(dir, 'logs')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'logs', files[0]!)).mode & 0o777).toBe(0o600);
    const h = t.logs.health();
    expect(h).toMatchObject({ queueDepth: 0, dropped: 0, jsonl: { file: path.join(dir, 'logs', files[0]!) } });
  });

  it('answers through the logs view, over the files', async () => {
    const { logsViewStatements } = await import('../dist/src/logs/view.js');
    const { QuerySession } = await import('../dist/src/query/session.js');
    const s = await QuerySession.open(dir, 'files');
    try {
      for (const sql of logsViewStatements(dir)) await s.conn.run(sql);
      const r = (await s.query(`SELECT level, component, event_name, body, trace_id FROM logs WHERE level IN ('warn', 'error') ORDER BY level, component`)).rows;
      expect(r).toEqual([
        { level: 'error', component: 'planner', event_name: 'tool.failed', body: 'tool.failed', trace_id: ids.run.traceId },
        { level: 'warn', component: 'otel-api-user', event_name: null, body: 'from the Logs API', trace_id: ids.run.traceId },
        { level: 'warn', component: 'planner', event_name: 'llm.retry', body: 'llm.retry', trace_id: ids.call.traceId },
      ]);
    } finally {
      s.close();
    }
  });

  it('agent-otel logs --level error --json prints exactly the error records', async () => {
    const res = await runFixture('logs-cli.mjs', {}, ['logs', '--dir', dir, '--level', 'error', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as Array<Record<string, unknown>>;
    expect(out.map((r) => r.event_name)).toEqual(['tool.failed']);
    expect(out[0]).toMatchObject({ level: 'error', component: 'planner', trace_id: ids.run.traceId, span_id: ids.run.spanId,
      attributes: { tool: 'search', apiKey: '[REDACTED:api_key]', 'task.id': 'T-7' } });
    expect(out[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('agent-otel logs filters by component, event and trace, and prints a line per record', async () => {
    const byTrace = await runFixture('logs-cli.mjs', {}, ['logs', '--dir', dir, '--trace', ids.call.traceId.slice(0, 10), '--event', 'llm.*', '--component', 'plan*']);
    expect(byTrace.code, byTrace.stderr).toBe(0);
    const lines = byTrace.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('llm.request');
    expect(lines[1]).toContain('llm.retry');
    expect(lines[1]).toContain('exception.message=socket hang up');
    const bad = await runFixture('logs-cli.mjs', {}, ['logs', '--dir', dir, '--level', 'loud']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--level must be one of trace, debug, info, warn, error, fatal');
  });
});
