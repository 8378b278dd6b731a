// `agent-otel trace <id>` shows each span's log records under it (text and --json), escaped for the
// terminal, read from the real logs/*.jsonl written by logger() inside the helpers' spans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { logger, registerTelemetry, withAgentRun, withLlmCall, withToolCall } from '../dist/src/index.js';
import { runCli } from './support/stores.js';
import { tmpDir } from './support/harness.js';

const dir = tmpDir('agent-otel-trace-logs-');
let ids: { traceId: string; run: string; call: string; tool: string };

beforeAll(async () => {
  const handle = registerTelemetry({ dir, duckdb: false, serviceName: 'trace-logs' });
  const log = logger('planner');
  ids = await withAgentRun({ agentName: 'planner' }, async () => {
    const run = trace.getActiveSpan()!.spanContext();
    log.info('run.started', { files: 3 });
    const call = await withLlmCall({ provider: 'openai', model: 'gpt-4o', operation: 'chat' }, async () => {
      log.warn('llm.retry', { attempt: 2 });
      return trace.getActiveSpan()!.spanContext().spanId;
    });
    const tool = await withToolCall({ name: 'search' }, async () => {
      log.error('tool.failed', { reason: 'evil\u001b[31mred' });
      return trace.getActiveSpan()!.spanContext().spanId;
    });
    return { traceId: run.traceId, run: run.spanId, call, tool };
  });
  log.info('outside.any.span');
  await handle.shutdown();
});

afterAll(() => undefined);

describe('agent-otel trace with logs', () => {
  it('prints each span\'s records under its line in the tree, escaped', async () => {
    const r = await runCli(['trace', ids.traceId, '--dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tree = r.stdout.split('\n\n')[1]!.split('\n');
    const at = (re: RegExp) => tree.findIndex((l) => re.test(l));
    const run = at(/^invoke_agent planner /);
    const call = at(/chat gpt-4o /);
    const tool = at(/execute_tool search /);
    expect([run, call, tool].every((i) => i >= 0), tree.join('\n')).toBe(true);
    // the run's record sits between the run and its first child, with the tree's branch carried down
    expect(tree[run + 1]).toMatch(/^│ {2}· \d\d:\d\d:\d\d\.\d{3} INFO +planner run\.started files=3$/);
    expect(tree[run + 2]).toMatch(/^├─ chat gpt-4o/); // the first child (no run-start span any more)
    expect(r.stdout).not.toContain('agent.run.start');
    expect(tree[call + 1]).toMatch(/^│ {5}· \d\d:\d\d:\d\d\.\d{3} WARN +planner llm\.retry attempt=2$/);
    expect(tree[call]).toMatch(/^├─ chat gpt-4o/);
    expect(tool).toBe(call + 2);
    // the last child: no branch below it; the escape sequence is shown, not sent to the terminal
    expect(tree[tool + 1]).toMatch(/^ {6}· \d\d:\d\d:\d\d\.\d{3} ERROR planner tool\.failed reason=evil\\x1b\[31mred$/);
    expect(tree).toHaveLength(6); // 3 spans, 3 records
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).not.toContain('outside.any.span'); // not of this trace
    // the waterfall still has one bar per span
    expect(r.stdout.trimEnd().split('\n\n')[2]!.split('\n')).toHaveLength(4);
  });

  it('--json gives each span with records its logs, oldest first', async () => {
    const r = await runCli(['trace', ids.traceId, '--dir', dir, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ span_id: string; logs?: Array<Record<string, unknown>> }>;
    const byId = new Map(rows.map((s) => [s.span_id, s]));
    expect(byId.get(ids.run)!.logs).toEqual([expect.objectContaining({
      level: 'info', severity_text: 'INFO', severity_number: 9, component: 'planner', event_name: 'run.started',
      span_id: ids.run, attributes: { files: 3 }, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    })]);
    expect(byId.get(ids.call)!.logs!.map((l) => l.event_name)).toEqual(['llm.retry']);
    expect(byId.get(ids.tool)!.logs![0]).toMatchObject({ level: 'error', attributes: { reason: 'evil\u001b[31mred' } });
    expect(rows.filter((s) => s.logs)).toHaveLength(3);
  });
});
