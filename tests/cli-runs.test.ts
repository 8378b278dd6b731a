import { beforeAll, describe, expect, it } from 'vitest';
import { fmtMs } from '../dist/src/cli/format.js';
import type { RunStartRow, SpanRow } from '../dist/semconv/schema.js';
import { addOldRun, cliJson, crashedRun, demoStore, runCli } from './support/stores.js';
import { readRunStarts, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

/** The demo's runs, a run killed mid-way (abandoned) and a run from three days ago. */
let dir: string;
let spans: SpanRow[];
let starts: RunStartRow[];
let crashedId: string;
let oldId: string;

interface RunRow {
  run_id: string; agent: string; kind: string; status: string; start_time: string; end_time: string | null;
  duration_ms: number | null; llm_calls: number; input_tokens: number; output_tokens: number; cost_usd: number | null;
  error_type: string | null; trace_id: string;
}

beforeAll(async () => {
  dir = await demoStore();
  crashedId = await crashedRun(dir);
  spans = await readSpans(dir);
  oldId = addOldRun(dir, spans.find((s) => s.name === 'invoke_agent planner')!, 'archivist', 3);
  spans = await readSpans(dir);
  starts = await readRunStarts(dir);
});

/** What a run's row should say, from the span rows and run-start rows alone. */
function expectedRuns(): RunRow[] {
  const attr = (s: SpanRow, k: string) => s.attributes[k] as string;
  const llm = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
  const totals = (id: string) => {
    const mine = llm.filter((s) => attr(s, 'agent.run.id') === id);
    return { llm_calls: mine.length, input_tokens: mine.reduce((n, s) => n + Number(s.attributes['gen_ai.usage.input_tokens'] ?? 0), 0),
      output_tokens: mine.reduce((n, s) => n + Number(s.attributes['gen_ai.usage.output_tokens'] ?? 0), 0),
      cost_usd: mine.length ? mine.reduce((n, s) => n + Number(s.attributes['agent.cost.usd']), 0) : null };
  };
  const ended = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent').map((s) => ({
    run_id: attr(s, 'agent.run.id'), agent: attr(s, 'gen_ai.agent.name'), kind: attr(s, 'agent.run.kind'), status: attr(s, 'agent.run.status'),
    start_time: s.start_time, end_time: s.end_time, duration_ms: s.duration_ms, ...totals(attr(s, 'agent.run.id')),
    ...(s.attributes['agent.run.cost.usd'] !== undefined ? { cost_usd: s.attributes['agent.run.cost.usd'] as number } : {}),
    error_type: (s.attributes['error.type'] as string) ?? null, trace_id: s.trace_id,
  }));
  const abandoned = starts.filter((s) => !ended.some((r) => r.run_id === s.run_id)).map((s) => ({
    run_id: s.run_id, agent: s.agent, kind: s.kind!, status: 'abandoned',
    start_time: s.start_time, end_time: null, duration_ms: null, ...totals(s.run_id), error_type: null, trace_id: s.trace_id,
  }));
  return [...ended, ...abandoned].sort((a, b) => b.start_time.localeCompare(a.start_time) || a.run_id.localeCompare(b.run_id));
}

const pick = (rows: RunRow[]) => rows.map(({ run_id, agent, kind, status, start_time, end_time, duration_ms, llm_calls, input_tokens, output_tokens, cost_usd, error_type, trace_id }) =>
  ({ run_id, agent, kind, status, start_time, end_time, duration_ms, llm_calls, input_tokens, output_tokens, cost_usd, error_type, trace_id }));

describe('agent-otel runs', () => {
  it('lists every run newest first with its numbers; the killed run is abandoned', async () => {
    const expected = expectedRuns();
    expect(expected).toHaveLength(10); // 8 demo runs, the crashed one, the old one
    const rows = await cliJson<RunRow[]>(['runs', '--dir', dir]);
    expect(pick(rows)).toEqual(expected);
    const crashed = rows.find((r) => r.run_id === crashedId)!;
    expect(crashed).toMatchObject({ agent: 'crasher', kind: 'doomed', status: 'abandoned', duration_ms: null, llm_calls: 1, input_tokens: 5, output_tokens: 1 });
  });

  it('filters by --status, --agent and --since, and cuts at --limit', async () => {
    const all = expectedRuns();
    const ids = async (...args: string[]) => (await cliJson<RunRow[]>(['runs', '--dir', dir, ...args])).map((r) => r.run_id);
    expect(await ids('--status', 'abandoned')).toEqual([crashedId]);
    expect(await ids('--status', 'failed')).toEqual(all.filter((r) => r.status === 'failed').map((r) => r.run_id));
    expect(await ids('--status', 'failed')).toHaveLength(1);
    expect(await ids('--agent', 'worker')).toEqual(all.filter((r) => r.agent === 'worker').map((r) => r.run_id));
    expect(await ids('--agent', 'worker', '--status', 'success')).toHaveLength(5);
    expect(await ids('--since', '24h')).toEqual(all.filter((r) => r.run_id !== oldId).map((r) => r.run_id));
    expect(await ids('--since', '4d')).toContain(oldId);
    expect(await ids('--limit', '3')).toEqual(all.slice(0, 3).map((r) => r.run_id));
    expect(await ids('--agent', 'nobody')).toEqual([]);
  });

  it('prints a table with short ids, statuses, durations and token counts', async () => {
    const r = await runCli(['runs', '--dir', dir, '--limit', '50']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('agent-otel: 10 runs\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10 + 3); // top rule, header, rows, bottom rule
    expect(lines[1]!.split('│').map((c) => c.trim()).filter(Boolean)).toEqual(
      ['run', 'agent', 'kind', 'status', 'start (UTC)', 'duration', 'LLM calls', 'tokens in', 'tokens out', 'cost', 'trace']);
    const cells = (id: string) => lines.find((l) => l.includes(`│ ${id.slice(0, 8)} `))!.split('│').map((c) => c.trim()).slice(1, -1);
    const crashed = starts.find((s) => s.run_id === crashedId)!;
    expect(cells(crashedId)).toEqual([crashedId.slice(0, 8), 'crasher', 'doomed', 'abandoned', crashed.start_time.slice(0, 19).replace('T', ' '), '', '1', '5', '1', '<$0.0001', crashed.trace_id.slice(0, 12)]);
    const planner = expectedRuns().find((x) => x.agent === 'planner')!;
    expect(cells(planner.run_id).slice(3, 9)).toEqual(['success', planner.start_time.slice(0, 19).replace('T', ' '),
      fmtMs(planner.duration_ms),
      '1', planner.input_tokens.toLocaleString('en-US'), planner.output_tokens.toLocaleString('en-US')]);
  });

  it('--csv has a header and one line per run', async () => {
    const r = await runCli(['runs', '--dir', dir, '--csv', '--status', 'success']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('run_id,agent,kind,status,start_time,end_time,duration_ms,llm_calls,tool_calls,tool_errors,input_tokens,output_tokens,cost_usd,error_type,status_message,trace_id,service_name');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expectedRuns().filter((x) => x.status === 'success').map((x) => x.run_id));
  });

  it('rejects a bad --status, --since or --limit with one line and exit 1', async () => {
    for (const [args, message] of [
      [['--status', 'crashed'], '--status must be one of running, success, failed, abandoned; got "crashed"'],
      [['--since', 'yesterday'], '--since must be a duration such as 30d, 24h, 15m or 10s; got "yesterday"'],
      [['--limit', '0'], '--limit takes a whole number of 1 or more; got 0'],
      [['--json', '--csv'], 'choose one of --json and --csv'],
    ] as const) {
      const r = await runCli(['runs', '--dir', dir, ...args]);
      expect(r, args.join(' ')).toMatchObject({ code: 1, stdout: '', stderr: `agent-otel: ${message}\n` });
    }
  });

  it('lists runs from the files while a running agent holds telemetry.duckdb', async () => {
    const held = tmpDir();
    const holder = runFixture('hold-db.mjs', {}, [held, '3']);
    try {
      let out = '';
      holder.child.stdout!.on('data', (d) => { out += d; });
      await waitFor(() => out.includes('ready'), 15_000, 'the holder to be ready');
      const r = await runCli(['runs', '--dir', held, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('telemetry.duckdb is held by another process; reading the JSONL/Parquet files');
      const rows = JSON.parse(r.stdout) as RunRow[];
      expect(rows.map((x) => [x.agent, x.status, x.llm_calls, x.input_tokens, x.output_tokens])).toEqual(Array(3).fill(['holder', 'success', 1, 10, 5]));
    } finally {
      holder.child.kill('SIGKILL');
      await holder;
    }
  });
});
