import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryError, QuerySession } from '../dist/src/query/session.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';
import type { SpanRow } from '../dist/semconv/schema.js';

/** A store made by the demo, plus a crashed run (JSONL files only: agents do no database work). */
let dir: string;
let spans: SpanRow[];
let crashedRunId: string;

beforeAll(async () => {
  dir = tmpDir();
  const demo = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
  expect(demo.code).toBe(0);
  const crash = runFixture('crash-run.mjs', {}, [dir]);
  crashedRunId = await new Promise<string>((resolve) => crash.child.stdout!.on('data', (d) => resolve(JSON.parse(String(d)).runId)));
  await new Promise((r) => setTimeout(r, 1200));
  crash.child.kill('SIGKILL');
  await crash;
  spans = await readSpans(dir);
});

async function ask(source: 'auto' | 'files' | 'duckdb', sql: string, d = dir) {
  const s = await QuerySession.open(d, source);
  try {
    return { source: s.source, notes: s.notes, rows: (await s.query(sql)).rows };
  } finally {
    s.close();
  }
}

const ops = (op: string) => spans.filter((s) => s.attributes['gen_ai.operation.name'] === op);

describe('ready views', () => {
  it('give the same answers from the JSONL files and from the database, which the first query brings up to date', async () => {
    const sql = `SELECT (SELECT count(*) FROM spans) s, (SELECT count(*) FROM metrics) m, (SELECT count(*) FROM llm_calls) l,
      (SELECT count(*) FROM tool_calls) t, (SELECT count(*) FROM agent_runs) r`;
    const files = await ask('files', sql);
    expect(files.source).toBe('files');
    expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(false); // neither the agents nor --source files made it
    await expect(ask('duckdb', sql)).rejects.toThrow(/no telemetry\.duckdb/);
    const auto = await ask('auto', sql);
    expect(auto.source).toBe('duckdb'); // every row loaded first
    expect(auto.notes).toEqual([]);
    expect(auto.rows).toEqual(files.rows);
    expect(Number(files.rows[0]!.s)).toBe(spans.length);
    const dbOnly = await ask('duckdb', sql);
    expect(dbOnly.rows).toEqual(files.rows);
  });

  it('rows a file gains after the database was brought up to date are loaded by the next query, once', async () => {
    const d = tmpDir();
    fs.cpSync(path.join(dir, 'spans'), path.join(d, 'spans'), { recursive: true });
    const count = 'SELECT count(*) n, count(DISTINCT span_id) u FROM spans';
    expect((await ask('auto', count, d)).rows).toEqual([{ n: String(spans.length), u: String(spans.length) }]);
    const file = path.join(d, 'spans', fs.readdirSync(path.join(d, 'spans')).sort().at(-1)!);
    const [first] = fs.readFileSync(file, 'utf8').split('\n');
    const late = (id: string) => first!.replace(/"span_id":"[0-9a-f]+"/, `"span_id":"${id}"`) + '\n';
    fs.appendFileSync(file, late('00000000000000a1') + late('00000000000000a2').slice(0, 30));
    const r = await ask('auto', count, d);
    expect(r.rows).toEqual([{ n: String(spans.length + 1), u: String(spans.length + 1) }]); // the torn line waits
    expect((await ask('duckdb', count, d)).rows).toEqual(r.rows);
    fs.appendFileSync(file, late('00000000000000a2').slice(30));
    expect((await ask('auto', count, d)).rows).toEqual([{ n: String(spans.length + 2), u: String(spans.length + 2) }]);
    expect((await ask('duckdb', count, d)).rows).toEqual([{ n: String(spans.length + 2), u: String(spans.length + 2) }]);
  });

  it('llm_calls has provider, model, tokens, duration, status, agent and run per call', async () => {
    const { rows } = await ask('auto', 'SELECT * FROM llm_calls ORDER BY span_id');
    const expected = ops('chat').sort((a, b) => a.span_id.localeCompare(b.span_id));
    expect(rows.map((r) => [r.span_id, r.provider, r.model, Number(r.input_tokens), Number(r.output_tokens), r.agent, r.run_id])).toEqual(
      expected.map((s) => [s.span_id, s.attributes['gen_ai.provider.name'], s.attributes['gen_ai.request.model'],
        s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens'], s.attributes['gen_ai.agent.name'], s.attributes['agent.run.id']]));
    expect(rows.every((r) => r.operation === 'chat' && typeof r.duration_ms === 'number')).toBe(true);
    // every demo model is priced: the cost is the span's agent.cost.usd
    expect(rows.map((r) => r.cost_usd)).toEqual(expected.map((s) => s.attributes['agent.cost.usd']));
    expect(rows.every((r) => Number(r.cost_usd) > 0 && r.cost_status === 'priced')).toBe(true);
  });

  it('tool_calls has tool, outcome and error type', async () => {
    const { rows } = await ask('auto', `SELECT tool, outcome, count(*) n FROM tool_calls GROUP BY ALL ORDER BY ALL`);
    const counts = new Map<string, number>();
    for (const s of ops('execute_tool')) {
      const key = `${s.attributes['gen_ai.tool.name']}|${s.status_code === 'ERROR' ? 'error' : 'success'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(rows.map((r) => [`${r.tool}|${r.outcome}`, Number(r.n)])).toEqual([...counts].sort());
    const { rows: errors } = await ask('auto', `SELECT DISTINCT error_type FROM tool_calls WHERE outcome = 'error' ORDER BY 1`);
    expect(errors.map((r) => r.error_type)).toEqual(['RateLimitError', 'TimeoutError']);
  });

  it('agent_runs lists every run with status, including the abandoned one, and its tokens', async () => {
    const { rows } = await ask('auto', 'SELECT * FROM agent_runs ORDER BY start_time');
    expect(rows).toHaveLength(ops('invoke_agent').length + 1);
    const abandoned = rows.filter((r) => r.status === 'abandoned');
    expect(abandoned.map((r) => [r.run_id, r.agent, r.kind, r.end_time])).toEqual([[crashedRunId, 'crasher', 'doomed', null]]);
    expect(Number(abandoned[0]!.input_tokens)).toBe(5); // from its LLM call, written before the crash
    const failed = rows.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.error_type)).toEqual(['DiskQuotaError']);
    const planner = rows.find((r) => r.agent === 'planner')!;
    const plannerSpan = ops('invoke_agent').find((s) => s.attributes['gen_ai.agent.name'] === 'planner')!;
    expect([Number(planner.input_tokens), Number(planner.items_discovered), planner.duration_ms]).toEqual(
      [plannerSpan.attributes['agent.run.input_tokens'], plannerSpan.attributes['agent.items.discovered'], plannerSpan.duration_ms]);
  });

  it('reads the files when another process holds the database, and says so', async () => {
    const d = tmpDir();
    for (const sub of ['spans', 'runs']) fs.cpSync(path.join(dir, sub), path.join(d, sub), { recursive: true });
    const holder = runFixture('hold-duckdb.mjs', {}, [d]);
    await new Promise<void>((resolve) => holder.child.stdout!.on('data', () => resolve()));
    try {
      const r = await ask('auto', 'SELECT count(*) n FROM agent_runs', d);
      expect(r.source).toBe('files');
      expect(r.notes.join()).toMatch(/telemetry\.duckdb is held by another process; reading the JSONL\/Parquet files/);
      expect(Number(r.rows[0]!.n)).toBe(ops('invoke_agent').length + 1);
      await expect(ask('duckdb', 'SELECT 1', d)).rejects.toThrow(/held by another process; query the files instead/);
    } finally {
      holder.child.kill('SIGKILL');
      await holder;
    }
  });

  it('skips a torn last line and a corrupt line, and notes the torn file', async () => {
    const d = tmpDir();
    fs.cpSync(path.join(dir, 'spans'), path.join(d, 'spans'), { recursive: true });
    const file = path.join(d, 'spans', fs.readdirSync(path.join(d, 'spans')).sort()[0]!);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    fs.writeFileSync(file, [lines[0], 'garbage {', ...lines.slice(1)].join('\n') + '\n{"trace_id":"abc","na');
    const r = await ask('files', 'SELECT count(*) n FROM spans', d);
    expect(Number(r.rows[0]!.n)).toBe(spans.length); // every good row, neither the garbage nor the torn line
    expect(r.notes.join()).toMatch(/1 file\(s\) end in a partial line/);
  });

  it('an empty directory gives empty views; a missing one a clear error', async () => {
    const r = await ask('auto', 'SELECT (SELECT count(*) FROM spans) s, (SELECT count(*) FROM agent_runs) r', tmpDir());
    expect(r.rows).toEqual([{ s: '0', r: '0' }]);
    await expect(ask('auto', 'SELECT 1', '/nonexistent/telemetry')).rejects.toThrow(QueryError);
    await expect(ask('auto', 'SELECT nope FROM spans')).rejects.toThrow(/Referenced column "nope" not found/);
  });
});
