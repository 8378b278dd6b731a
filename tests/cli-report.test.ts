import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { logs } from '@opentelemetry/api';
import { logger, registerTelemetry } from '../dist/src/index.js';
import type { RunStartRow, SpanRow } from '../dist/semconv/schema.js';
import { addOldRun, cliJson, crashedRun, demoStore, quantileCont, runCli } from './support/stores.js';
import { readRunStarts, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

/** The demo's spans, a run killed mid-way and a run from three days ago (outside the default 24h). */
let dir: string;
let spans: SpanRow[];
let starts: RunStartRow[];
let crashedId: string;

type Row = Record<string, unknown>;
type Report = Record<string, Row[]> & { since: string | null; dir: string };
const SECTION_KEYS = ['runs_by_agent', 'llm_by_model', 'cost_by_model_day', 'tools_by_tool', 'top_errors', 'log_errors', 'abandoned_runs'];

beforeAll(async () => {
  dir = await demoStore();
  crashedId = await crashedRun(dir);
  addOldRun(dir, (await readSpans(dir)).find((s) => s.name === 'invoke_agent planner')!, 'archivist', 3);
  spans = await readSpans(dir);
  starts = await readRunStarts(dir);
});

const attr = (s: SpanRow, k: string) => s.attributes[k] as string | undefined;
const op = (s: SpanRow) => attr(s, 'gen_ai.operation.name');
const sum = (xs: SpanRow[], k: string) => xs.reduce((n, s) => n + Number(s.attributes[k] ?? 0), 0);
const groupBy = <T>(xs: T[], key: (x: T) => string) => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m];
};
/** Floats to 6 places, so sums added up in another order compare equal. */
// Sums of costs differ in the last bits with the order they are added in (DuckDB's parallel sums vs
// reduce): at 12 decimals that never moves a rounding boundary of these prices (6 decimals did, once).
const round = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(12)) : v])));

/** Every section as the report should compute it, from the span rows and run-start rows alone. */
function expectedReport(rows: SpanRow[], runStarts: RunStartRow[]): Record<string, Row[]> {
  const ended = rows.filter((s) => op(s) === 'invoke_agent');
  const endedIds = new Set(ended.map((s) => attr(s, 'agent.run.id')));
  const abandoned = runStarts.filter((r) => !endedIds.has(r.run_id)); // the writers of these files are gone
  const runs = [...ended.map((s) => ({ agent: attr(s, 'gen_ai.agent.name')!, status: attr(s, 'agent.run.status')!, ms: s.duration_ms as number | null })),
    ...abandoned.map((r) => ({ agent: r.agent, status: 'abandoned', ms: null }))];
  const runsByAgent = groupBy(runs, (r) => r.agent).map(([agent, rs]) => {
    const ms = rs.map((r) => r.ms).filter((m): m is number => m !== null);
    return { agent, runs: rs.length, success_rate: rs.filter((r) => r.status === 'success').length / rs.length,
      failed: rs.filter((r) => r.status === 'failed').length, abandoned: rs.filter((r) => r.status === 'abandoned').length,
      mean_duration_ms: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : null, p95_duration_ms: quantileCont(ms, 0.95) };
  }).sort((a, b) => b.runs - a.runs || a.agent.localeCompare(b.agent));

  const llm = rows.filter((s) => op(s) === 'chat');
  const llmByModel = groupBy(llm, (s) => attr(s, 'gen_ai.request.model')!).map(([model, xs]) => ({
    model, calls: xs.length, input_tokens: sum(xs, 'gen_ai.usage.input_tokens'), output_tokens: sum(xs, 'gen_ai.usage.output_tokens'),
    cache_read_tokens: sum(xs, 'gen_ai.usage.cache_read.input_tokens'), p95_latency_ms: quantileCont(xs.map((s) => s.duration_ms), 0.95),
    errors: xs.filter((s) => s.status_code === 'ERROR' || attr(s, 'error.type')).length,
  })).sort((a, b) => b.calls - a.calls || a.model.localeCompare(b.model));
  const costByModelDay = groupBy(llm, (s) => `${s.start_time.slice(0, 10)} ${attr(s, 'gen_ai.request.model')}`).map(([key, xs]) => ({
    day: key.split(' ')[0], model: key.split(' ')[1], calls: xs.length,
    priced_calls: xs.filter((s) => typeof s.attributes['agent.cost.usd'] === 'number').length,
    cost_usd: xs.some((s) => typeof s.attributes['agent.cost.usd'] === 'number') ? sum(xs, 'agent.cost.usd') : null,
  })).sort((a, b) => b.day!.localeCompare(a.day!) || (b.cost_usd ?? -1) - (a.cost_usd ?? -1) || a.model!.localeCompare(b.model!));

  const tools = rows.filter((s) => op(s) === 'execute_tool');
  const toolsByTool = groupBy(tools, (s) => attr(s, 'gen_ai.tool.name')!).map(([tool, xs]) => {
    const errors = xs.filter((s) => attr(s, 'agent.tool.outcome') === 'error').length;
    return { tool, calls: xs.length, errors, error_rate: errors / xs.length,
      p50_latency_ms: quantileCont(xs.map((s) => s.duration_ms), 0.5), p95_latency_ms: quantileCont(xs.map((s) => s.duration_ms), 0.95) };
  }).sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));

  const failed = rows.filter((s) => s.status_code === 'ERROR' || attr(s, 'error.type'));
  const topErrors = groupBy(failed, (s) => `${attr(s, 'error.type') ?? '(no error.type)'}|${s.name}`).map(([key, xs]) => {
    const last = [...xs].sort((a, b) => b.start_time.localeCompare(a.start_time))[0]!;
    return { error_type: key.split('|')[0], where: key.split('|')[1], count: xs.length, last_message: last.status_message, last_seen: last.start_time };
  }).sort((a, b) => b.count - a.count || b.last_seen.localeCompare(a.last_seen)).slice(0, 10);

  const abandonedRuns = abandoned.map((r) => ({ run_id: r.run_id, agent: r.agent, kind: r.kind,
    start_time: r.start_time, trace_id: r.trace_id, service_name: r.service_name }));
  return { runs_by_agent: runsByAgent, llm_by_model: llmByModel, cost_by_model_day: costByModelDay, tools_by_tool: toolsByTool,
    top_errors: topErrors, log_errors: [], abandoned_runs: abandonedRuns }; // the demo logs nothing
}

const isRecent = (s: { start_time: string }) => Date.now() - Date.parse(s.start_time) < 86_400_000;
const recent = (): [SpanRow[], RunStartRow[]] => [spans.filter(isRecent), starts.filter(isRecent)];

describe('agent-otel report', () => {
  it('--json: every section matches what the span rows say, for the last 24h by default', async () => {
    const report = await cliJson<Report>(['report', '--dir', dir]);
    expect(Object.keys(report)).toEqual(['dir', 'since', ...SECTION_KEYS]);
    expect(Date.now() - Date.parse(report.since!)).toBeGreaterThanOrEqual(86_400_000);
    expect(Date.now() - Date.parse(report.since!)).toBeLessThan(86_400_000 + 60_000);
    const expected = expectedReport(...recent());
    for (const key of SECTION_KEYS) expect(round(report[key]!), key).toEqual(round(expected[key]!));

    // spot checks on the demo, so a mistake shared by the test and the command still shows
    expect(report.runs_by_agent!.map((r) => [r.agent, r.runs, r.failed, r.abandoned])).toEqual([
      ['worker', 6, 1, 0], ['crasher', 1, 0, 1], ['planner', 1, 0, 0], ['reviewer', 1, 0, 0]]);
    expect(report.runs_by_agent![0]!.success_rate).toBeCloseTo(5 / 6, 10);
    expect(report.abandoned_runs!.map((r) => [r.run_id, r.agent, r.kind])).toEqual([[crashedId, 'crasher', 'doomed']]);
    // every demo model is in the pricing table: each day/model row has a real cost
    expect(report.cost_by_model_day!.every((r) => Number(r.cost_usd) > 0 && r.priced_calls === r.calls)).toBe(true);
    const fetch = report.tools_by_tool!.find((r) => r.tool === 'fetch_page')!;
    expect(fetch.errors).toBe(spans.filter((s) => s.name === 'execute_tool fetch_page' && s.status_code === 'ERROR').length);
    expect(fetch.errors).toBeGreaterThan(0);
  });

  it('says "not priced" for a model missing from the pricing table, never $0', async () => {
    const d = tmpDir();
    const child = await runFixture('unpriced-call.mjs', {}, [d]);
    expect(child.code).toBe(0);
    const r = await runCli(['report', '--dir', d]);
    const costRow = r.stdout.split('\n').find((l) => l.includes('mystery-model') && /^│ \d{4}-/.test(l));
    expect(costRow).toMatch(/│ +not priced │$/);
    expect(r.stdout).not.toContain('$0.00');
  });

  it('--since all takes in the old run; --since 1h leaves it out', async () => {
    const all = await cliJson<Report>(['report', '--dir', dir, '--since', 'all']);
    expect(all.since).toBeNull();
    expect(round(all.runs_by_agent!)).toEqual(round(expectedReport(spans, starts).runs_by_agent!));
    expect(all.runs_by_agent!.find((r) => r.agent === 'archivist')).toMatchObject({ runs: 1, success_rate: 1 });
    const hour = await cliJson<Report>(['report', '--dir', dir, '--since', '1h']);
    expect(hour.runs_by_agent!.map((r) => r.agent)).not.toContain('archivist');
    expect(hour.runs_by_agent!.reduce((n, r) => n + Number(r.runs), 0)).toBe(9);
  });

  it('prints titled tables with costs', async () => {
    const r = await runCli(['report', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const titles = ['Runs by agent', 'LLM calls by model', 'Cost by model and day (UTC)', 'Tool calls by tool', 'Top errors', 'Log errors and warnings by component and event', 'Abandoned runs (the process died mid-run)'];
    const at = titles.map((t) => r.stdout.indexOf(`\n${t}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^agent-otel report — ${dir}, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(last 24h\\)$`));
    const costRows = r.stdout.slice(at[2]!, at[3]!).split('\n').filter((l) => /^│ \d{4}-/.test(l));
    expect(costRows).toHaveLength(expectedReport(...recent()).cost_by_model_day!.length);
    for (const row of costRows) expect(row).toMatch(/│ +\$\d+\.\d+ │$/);
    expect(r.stdout.slice(at[0]!, at[1]!)).toMatch(/│ worker +│ +6 │ +83\.3% │ +1 │ +0 │/);
    expect(r.stdout.slice(at[6]!)).toContain(`│ ${crashedId} │ crasher │`);
  });

  it('an empty directory gives empty sections and exit 0', async () => {
    const empty = tmpDir();
    const report = await cliJson<Report>(['report', '--dir', empty]);
    for (const key of SECTION_KEYS) expect(report[key], key).toEqual([]);
    const r = await runCli(['report', '--dir', empty]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\(none\)$/gm)).toHaveLength(7);
  });

  it('a wrong --dir or --since is one line and exit 1', async () => {
    const missing = path.join(dir, 'no-such-dir');
    expect(await runCli(['report', '--dir', missing])).toMatchObject({
      code: 1, stdout: '', stderr: `agent-otel: no telemetry directory at ${missing} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n` });
    expect(await runCli(['report', '--dir', dir, '--since', 'last week'])).toMatchObject({
      code: 1, stdout: '', stderr: 'agent-otel: --since must be a duration such as 30d, 24h, 15m or 10s, or all; got "last week"\n' });
  });

  it('skips a corrupt line in a JSONL file and counts the rest', async () => {
    const broken = tmpDir();
    fs.mkdirSync(path.join(broken, 'spans'));
    const lines = fs.readdirSync(path.join(dir, 'spans')).flatMap((f) => fs.readFileSync(path.join(dir, 'spans', f), 'utf8').split('\n').filter(Boolean));
    const victim = lines.findIndex((l) => l.includes('"execute_tool web_search"'));
    const damaged = [...lines];
    damaged[victim] = damaged[victim]!.slice(0, 120); // cut short mid-line, in the middle of the file
    damaged.splice(3, 0, 'this is not json {');
    fs.writeFileSync(path.join(broken, 'spans', 'x.jsonl'), damaged.join('\n') + '\n');
    // the rows as readJsonl gives them back (format v3 rows leave out duration_ms and default fields)
    const victimId = (JSON.parse(lines[victim]!) as SpanRow).span_id;
    const kept = spans.filter((s) => s.span_id !== victimId);
    const report = await cliJson<Report>(['report', '--dir', broken, '--since', 'all']);
    const expected = expectedReport(kept, []); // the run starts (runs/) are not copied: no run is known to have started without ending
    for (const key of SECTION_KEYS) expect(round(report[key]!), key).toEqual(round(expected[key]!));
    expect(report.tools_by_tool!.find((r) => r.tool === 'web_search')!.calls).toBe(lines.filter((l) => l.includes('"execute_tool web_search"')).length - 1);
  });

  it('reports from the files while a running agent holds telemetry.duckdb', async () => {
    const held = tmpDir();
    const holder = runFixture('hold-db.mjs', {}, [held, '4']);
    try {
      let out = '';
      holder.child.stdout!.on('data', (d) => { out += d; });
      await waitFor(() => out.includes('ready'), 15_000, 'the holder to be ready');
      expect(fs.existsSync(path.join(held, 'telemetry.duckdb'))).toBe(true);
      const r = await runCli(['report', '--dir', held, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('telemetry.duckdb is held by another process; reading the JSONL/Parquet files');
      const report = JSON.parse(r.stdout) as Report;
      expect(report.runs_by_agent!.map((x) => [x.agent, x.runs, x.success_rate, x.failed, x.abandoned])).toEqual([['holder', 4, 1, 0, 0]]);
      expect(report.llm_by_model!.map((x) => [x.model, x.calls, x.input_tokens, x.output_tokens, x.cache_read_tokens, x.errors])).toEqual([['gpt-4o', 4, 40, 20, 0, 0]]);
    } finally {
      holder.child.kill('SIGKILL');
      await holder;
    }
  });
});

describe('agent-otel report: log errors and warnings', () => {
  it('counts records of warn and above by component and event, in the window, with the last message', async () => {
    const d = tmpDir();
    const handle = registerTelemetry({ dir: d, duckdb: false, serviceName: 'log-report' });
    const planner = logger('planner');
    const tools = logger('tools');
    planner.warn('llm.retry', { attempt: 1 });
    planner.warn('llm.retry', { attempt: 2 });
    planner.info('llm.request'); // below warn: not counted
    tools.warn('tool.failed', { note: 'a warning of the same event' });
    tools.error('tool.failed', { err: new Error('first failure') });
    await new Promise((r) => setTimeout(r, 2)); // the last one is the newest, to the microsecond
    tools.error('tool.failed', { err: new Error('second \u001b[2Jfailure') }); // the Error's message is the last message
    logs.getLogger('pino').emit({ body: 'disk almost full', severityNumber: 21, severityText: 'fatal' }); // no event name
    await handle.shutdown();
    // a record from three days ago, in a file of its own: outside the default 24h
    const logDir = path.join(d, 'logs');
    const sample = JSON.parse(fs.readFileSync(path.join(logDir, fs.readdirSync(logDir)[0]!), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString().replace('Z', '000Z');
    fs.writeFileSync(path.join(logDir, '2026-01-01T000000Z-1-001.jsonl'), JSON.stringify({ ...sample, time: old, component: 'archivist', severity_number: 17, severity_text: 'ERROR', event_name: 'old.failure' }) + '\n');

    const report = await cliJson<Report>(['report', '--dir', d]);
    expect(report.log_errors!.map((r) => [r.component, r.event, r.errors, r.warnings, r.last_message])).toEqual([
      ['tools', 'tool.failed', 2, 1, 'second \u001b[2Jfailure'],
      ['pino', '(no event)', 1, 0, 'disk almost full'],
      ['planner', 'llm.retry', 0, 2, 'llm.retry'],
    ]);
    expect(report.log_errors![0]!.last_seen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const all = await cliJson<Report>(['report', '--dir', d, '--since', 'all']);
    expect(all.log_errors!.find((r) => r.component === 'archivist')).toMatchObject({ event: 'old.failure', errors: 1, warnings: 0 });

    const text = await runCli(['report', '--dir', d]);
    expect(text.code).toBe(0);
    const section = text.stdout.slice(text.stdout.indexOf('\nLog errors and warnings by component and event\n'));
    expect(section).toMatch(/│ tools +│ tool\.failed +│ +2 │ +1 │ second \\x1b\[2Jfailure +│/);
    expect(section).toMatch(/│ planner +│ llm\.retry +│ +0 │ +2 │/);
    expect(text.stdout).not.toContain('\u001b');
  });
});
