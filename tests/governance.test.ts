import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import {
  audit, BudgetExceededError, registerTelemetry, withAgentRun, withLlmCall, withToolCall, type TelemetryHandle,
} from '../dist/src/index.js';
import { QuerySession } from '../dist/src/query/session.js';
import { fileText } from './support/store.js';
import { readMetrics, readSpans, runFixture, sumMetric, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
const warnings: string[] = [];
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  warnings.length = 0;
  diag.disable();
  for (const k of ['AGENT_OTEL_PRIVACY', 'AGENT_OTEL_PRICING_FILE', 'AGENT_OTEL_BUDGET_PER_DAY_USD']) delete process.env[k];
});
function register(options: Parameters<typeof registerTelemetry>[0]) {
  handle = registerTelemetry({ logLevel: 'none', ...options });
  diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  return handle;
}
const llm = (model: string, usage: { inputTokens?: number; outputTokens?: number; cacheReadTokens?: number }, provider = 'openai') =>
  withLlmCall({ provider, model }, (c) => { c.recordUsage(usage); c.setResponse({ model }); });

describe('cost', () => {
  it('prices every LLM span from the table (cached input at the cache price), rolls it up onto the run and counts it', async () => {
    const dir = tmpDir();
    register({ dir });
    await withAgentRun({ agentName: 'coster' }, async () => {
      await llm('gpt-4o-2024-08-06', { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 200 });
      await llm('claude-3-5-haiku-20241022', { inputTokens: 2000, outputTokens: 100 }, 'anthropic');
    });
    await handle!.forceFlush();
    const spans = await readSpans(dir);
    const gpt = spans.find((s) => s.name === 'chat gpt-4o-2024-08-06')!;
    const claude = spans.find((s) => s.name === 'chat claude-3-5-haiku-20241022')!;
    expect(gpt.attributes['agent.cost.usd']).toBeCloseTo((800 * 2.5 + 200 * 1.25 + 500 * 10) / 1e6, 12);
    expect(claude.attributes['agent.cost.usd']).toBeCloseTo((2000 * 0.8 + 100 * 4) / 1e6, 12);
    // A cost means priced: the status is written only when there is none (unpriced).
    expect(gpt.attributes['agent.cost.status']).toBeUndefined();
    const run = spans.find((s) => s.name === 'invoke_agent coster')!;
    expect(run.attributes['agent.run.cost.usd']).toBeCloseTo(0.00725 + 0.002, 12);
    const metrics = await readMetrics(dir);
    expect(sumMetric(metrics, 'agent.cost.usd', { 'gen_ai.agent.name': 'coster', 'gen_ai.request.model': 'gpt-4o-2024-08-06', 'gen_ai.provider.name': 'openai' })).toBeCloseTo(0.00725, 12);
  });

  it('says when a model is not priced (no silent zero) and warns once', async () => {
    const dir = tmpDir();
    register({ dir });
    await llm('mystery-1', { inputTokens: 10, outputTokens: 1 });
    await llm('mystery-1', { inputTokens: 10, outputTokens: 1 });
    await handle!.forceFlush();
    const spans = await readSpans(dir);
    for (const s of spans) {
      expect(s.attributes['agent.cost.status']).toBe('unpriced');
      expect(s.attributes['agent.cost.usd']).toBeUndefined();
    }
    expect(warnings.filter((w) => w.includes("no price for model 'mystery-1'"))).toHaveLength(1);
  });

  it('takes overrides from an option and from a pricing file', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ models: { 'house-model': { input: 1, output: 2 } } }, null, 2));
    register({ dir, pricing: { 'gpt-4o': { input: 100, output: 100 } } });
    await llm('gpt-4o', { inputTokens: 10_000, outputTokens: 0 });
    await handle!.shutdown();
    process.env.AGENT_OTEL_PRICING_FILE = file;
    const dir2 = tmpDir();
    register({ dir: dir2 });
    await llm('house-model', { inputTokens: 1_000_000, outputTokens: 1_000_000 });
    await handle!.forceFlush();
    expect((await readSpans(dir))[0]!.attributes['agent.cost.usd']).toBeCloseTo(1, 12);
    expect((await readSpans(dir2))[0]!.attributes['agent.cost.usd']).toBeCloseTo(3, 12);
  });

  it('a malformed pricing file is a clear error naming the file and line', () => {
    const dir = tmpDir();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{\n  "models": {\n    "m": { "input": 1, "output": 2 },\n    "n": { "input": 1 "output": 2 }\n  }\n}\n');
    expect(() => registerTelemetry({ dir, pricing: bad })).toThrow(new RegExp(`pricing file ${bad}:4 is not valid JSON`));
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, '{\n  "models": {\n    "m": { "input": 1, "output": 2 },\n    "n": { "input": -1, "output": 2 }\n  }\n}\n');
    expect(() => registerTelemetry({ dir, pricing: wrong })).toThrow(new RegExp(`pricing file ${wrong}:4: 'n'.input must be a non-negative number`));
    expect(() => registerTelemetry({ dir, pricing: { x: { input: 1, output: 1, extra: 2 } as never } })).toThrow(/unknown price field 'extra' for 'x'/);
  });
});

describe('budgets', () => {
  it('crossing a per-run limit fires a span event, a metric, a warning and onExceeded once', async () => {
    const dir = tmpDir();
    const seen: unknown[] = [];
    register({ dir, budget: { perRunUsd: 0.3, onExceeded: (e) => seen.push(e) } });
    await withAgentRun({ agentName: 'spender', runId: 'r1' }, async () => {
      for (let i = 0; i < 4; i++) await llm('gpt-4o', { inputTokens: 40_000, outputTokens: 0 }); // $0.10 each
    });
    await handle!.forceFlush();
    expect(seen).toEqual([expect.objectContaining({ scope: 'run', limitUsd: 0.3, runId: 'r1', agent: 'spender' })]);
    const events = (await readSpans(dir)).flatMap((s) => s.events.filter((e) => e.name === 'agent.budget.exceeded'));
    expect(events).toHaveLength(1);
    expect(events[0]!.attributes).toMatchObject({ 'agent.budget.scope': 'run', 'agent.budget.limit_usd': 0.3 });
    expect(warnings.filter((w) => w.includes('budget exceeded: run r1'))).toHaveLength(1);
    expect(sumMetric(await readMetrics(dir), 'agent.budget.exceeded', { 'agent.budget.scope': 'run' })).toBe(1);
  });

  it('hard: the next LLM call throws BudgetExceededError before the model is called', async () => {
    register({ dir: tmpDir(), budget: { perAgentDayUsd: 0.15, hard: true } });
    let calls = 0;
    const call = () => withLlmCall({ provider: 'openai', model: 'gpt-4o' }, (c) => { calls++; c.recordUsage({ inputTokens: 40_000, outputTokens: 0 }); });
    await withAgentRun({ agentName: 'capped' }, async () => {
      await call();
      await call(); // crosses $0.15
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(BudgetExceededError);
      expect((err as BudgetExceededError).exceeded).toMatchObject({ scope: 'agent_day', agent: 'capped', limitUsd: 0.15 });
      expect((err as Error).message).toMatch(/agent capped on \d{4}-\d\d-\d\d spent \$0\.2000 of a \$0\.15 budget/);
    });
    expect(calls).toBe(2);
    // another agent is not capped by this agent's limit
    await withAgentRun({ agentName: 'other' }, call);
    expect(calls).toBe(3);
  });

  it("survives a restart within the day: today's spend is read back from the files", async () => {
    const dir = tmpDir();
    const first = JSON.parse((await runFixture('spend.mjs', {}, [dir, ''])).stdout);
    expect(first).toEqual({ called: true });
    const second = JSON.parse((await runFixture('spend.mjs', {}, [dir, JSON.stringify({ perDayUsd: 0.3, hard: true })])).stdout);
    expect(second.called).toBe(false);
    expect(second.refused).toMatchObject({ scope: 'day', limitUsd: 0.3 });
    expect(second.refused.spentUsd).toBeCloseTo(0.35, 10);
  });

  it('bad budget values are clear errors', () => {
    expect(() => registerTelemetry({ budget: { perRunUsd: -1 } })).toThrow(/option budget.perRunUsd must be a positive number of USD; got -1/);
    expect(() => registerTelemetry({ budget: { perMonth: 1 } as never })).toThrow(/unknown option 'budget.perMonth'/);
    process.env.AGENT_OTEL_BUDGET_PER_DAY_USD = 'lots';
    expect(() => registerTelemetry({})).toThrow(/env AGENT_OTEL_BUDGET_PER_DAY_USD must be a positive number of USD; got "lots"/);
  });
});

const SECRETS = {
  openai: 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234',
  email: 'jane.doe@example.com',
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU',
  card: '4111 1111 1111 1111',
};

async function leakyWork(): Promise<void> {
  await withAgentRun({ agentName: 'leaky' }, async (run) => {
    await withLlmCall({ provider: 'openai', model: 'gpt-4o', input: `my key is ${SECRETS.openai}` }, (c) => c.setOutput(`mail ${SECRETS.email}`));
    await withToolCall({ name: 'http', arguments: { headers: { authorization: SECRETS.bearer } } }, () => 'ok');
    await withToolCall({ name: 'pay', arguments: { card: SECRETS.card } }, () => { throw new Error(`card ${SECRETS.card} declined for ${SECRETS.email}`); }).catch(() => {});
    run.addEvent('user.message', { text: `contact ${SECRETS.email} with ${SECRETS.openai}` });
    trace.getActiveSpan()?.setAttribute('user.ssn', '123-45-6789');
  });
}

describe('privacy and redaction', () => {
  it('full capture: content is recorded but every secret is replaced by a marker, in JSONL and DuckDB', async () => {
    const dir = tmpDir();
    // duckdb 'live': the agent keeps the database itself, so its bytes are searched too
    register({ dir, privacy: 'full', duckdb: 'live', redaction: { rules: [{ key: 'user.ssn', name: 'ssn' }] } });
    await leakyWork();
    await handle!.shutdown();
    const files = ['spans', 'metrics'].flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)));
    files.push(path.join(dir, 'telemetry.duckdb'));
    for (const f of files) {
      const bytes = fileText(f); // the database's rows too, not only its (compressed) bytes
      for (const [name, secret] of Object.entries(SECRETS)) expect(bytes.includes(secret), `${name} in ${f}`).toBe(false);
      expect(bytes.includes('123-45-6789')).toBe(false);
    }
    const spans = await readSpans(dir);
    const chat = spans.find((s) => s.name === 'chat gpt-4o')!;
    expect(chat.attributes['gen_ai.input.messages']).toBe('[{"role":"user","parts":[{"type":"text","content":"my key is [REDACTED:api_key]"}]}]');
    expect(chat.attributes['gen_ai.output.messages']).toBe('[{"role":"assistant","parts":[{"type":"text","content":"mail [REDACTED:email]"}],"finish_reason":"stop"}]');
    const pay = spans.find((s) => s.name === 'execute_tool pay')!;
    expect(pay.status_message).toBe('card [REDACTED:card_number] declined for [REDACTED:email]');
    expect(pay.events[0]!.attributes['exception.message']).toBe('card [REDACTED:card_number] declined for [REDACTED:email]');
    const run = spans.find((s) => s.name === 'invoke_agent leaky')!;
    expect(run.attributes['user.ssn']).toBe('[REDACTED:ssn]');
    expect(run.events.find((e) => e.name === 'user.message')!.attributes.text).toBe('contact [REDACTED:email] with [REDACTED:api_key]');
  });

  it('no secret reaches an OTLP payload either', async () => {
    const bodies: Buffer[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { bodies.push(Buffer.concat(chunks)); res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      register({ dir: tmpDir(), privacy: 'full', otlp: { endpoint: `http://127.0.0.1:${port}` } });
      await leakyWork();
      await handle!.shutdown();
      const all = Buffer.concat(bodies).toString('latin1');
      expect(all).toContain('[REDACTED:api_key]'); // the spans did arrive
      for (const [name, secret] of Object.entries(SECRETS)) expect(all.includes(secret), name).toBe(false);
    } finally {
      server.close();
    }
  });

  it('metadata (default) drops content, even from other instrumentations; none drops free text too', async () => {
    const dir = tmpDir();
    register({ dir });
    await leakyWork();
    trace.getTracer('openllmetry-like').startActiveSpan('openai.chat', (s) => {
      s.setAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.prompt.0.content': 'hello there', 'input.value': 'raw input' });
      s.end();
    });
    await handle!.shutdown();
    const spans = await readSpans(dir);
    const text = JSON.stringify(spans);
    expect(text).not.toContain('my key is');
    expect(text).not.toContain('hello there');
    expect(text).not.toContain('raw input');
    expect(spans.find((s) => s.name === 'execute_tool pay')!.status_message).toBe('card [REDACTED:card_number] declined for [REDACTED:email]');

    const dir2 = tmpDir();
    register({ dir: dir2, privacy: 'none' });
    await leakyWork();
    await handle!.forceFlush();
    const pay = (await readSpans(dir2)).find((s) => s.name === 'execute_tool pay')!;
    expect(pay.status_message).toBeNull();
    expect(pay.events[0]!.attributes).toEqual({ 'exception.type': 'Error' });
    expect(pay.attributes['error.type']).toBe('Error');
  });

  it('a redaction rule that does not compile, or a contradictory privacy setting, is a clear error', () => {
    expect(() => registerTelemetry({ redaction: { rules: [{ pattern: '(unclosed' }] } })).toThrow(/option redaction.rules\[0\]: pattern "\(unclosed" does not compile/);
    expect(() => registerTelemetry({ privacy: 'loud' as never })).toThrow(/option privacy must be one of none, metadata, full; got "loud"/);
    expect(() => registerTelemetry({ captureContent: true, privacy: 'metadata' })).toThrow(/content capture is on but privacy is 'metadata'/);
  });
});

describe('audit through the package', () => {
  it('records on the handle and the exported audit, as span events in the active trace', async () => {
    const dir = tmpDir();
    register({ dir });
    await withAgentRun({ agentName: 'auditor' }, async () => {
      const e = handle!.audit.record({ action: 'file.delete', actor: 'auditor', resource: 'notes/a.md', result: 'success' });
      expect(e.seq).toBe(1);
      audit.record({ action: 'tool.approve', actor: 'supervisor', result: 'allowed', details: { tool: 'shell' } });
    });
    await handle!.forceFlush();
    const run = (await readSpans(dir)).find((s) => s.name === 'invoke_agent auditor')!;
    const events = run.events.filter((e) => e.name === 'audit');
    expect(events.map((e) => [e.attributes['audit.action'], e.attributes['audit.seq']])).toEqual([['file.delete', 1], ['tool.approve', 2]]);
    const lines = fs.readFileSync(fs.readdirSync(path.join(dir, 'audit')).map((f) => path.join(dir, 'audit', f))[0]!, 'utf8').trim().split('\n');
    // the file opens with a header line (links to the previous file), then the entries
    const entries = lines.map((l) => JSON.parse(l)).filter((e) => e.type === undefined);
    expect(entries.map((e) => e.trace_id)).toEqual([run.trace_id, run.trace_id]);
  });
});

describe('sensors and modes', () => {
  it('report counts, rates, error ratio, percentiles, tokens and cost over a recent window, without touching disk', async () => {
    register({ dir: tmpDir() });
    await withAgentRun({ agentName: 'sensed' }, async () => {
      for (let i = 0; i < 20; i++) await withToolCall({ name: 'fast' }, () => i);
      for (let i = 0; i < 5; i++) {
        await withToolCall({ name: 'slow' }, async () => { await new Promise((r) => setTimeout(r, 30)); if (i === 0) throw new Error('x'); }).catch(() => {});
      }
      await llm('gpt-4o', { inputTokens: 1000, outputTokens: 100 });
    });
    const s = handle!.sensors(60);
    expect(s.byTool.fast).toMatchObject({ count: 20, errors: 0, errorRatio: 0 });
    expect(s.byTool.slow).toMatchObject({ count: 5, errors: 1, errorRatio: 0.2 });
    expect(s.byTool.slow!.p50Ms!).toBeGreaterThan(25);
    expect(s.byTool.slow!.p50Ms!).toBeLessThan(60);
    expect(s.byTool.fast!.p95Ms!).toBeLessThan(s.byTool.slow!.p50Ms!);
    expect(s.byKind.tool.count).toBe(25);
    expect(s.byKind.run.count).toBe(1);
    expect(s.byModel['gpt-4o']!.count).toBe(1);
    expect(s.tokens).toEqual({ input: 1000, output: 100 });
    expect(s.costUsd).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
    expect(s.spans.rate).toBeCloseTo(s.spans.count / 60, 10);
    expect(s.process.rssBytes).toBeGreaterThan(10e6);
    expect(s.process.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(handle!.sensors(1).windowSeconds).toBe(1);
  });

  it('mode transitions are events and a metric', async () => {
    const dir = tmpDir();
    register({ dir });
    await withAgentRun({ agentName: 'moody' }, async () => {
      handle!.setMode('degraded', 'error ratio above 20%');
      handle!.setMode('normal');
    });
    await handle!.forceFlush();
    const run = (await readSpans(dir)).find((s) => s.name === 'invoke_agent moody')!;
    expect(run.events.filter((e) => e.name === 'agent.mode.transition').map((e) => [e.attributes['agent.mode'], e.attributes['agent.mode.previous']]))
      .toEqual([['degraded', 'none'], ['normal', 'degraded']]);
    expect(sumMetric(await readMetrics(dir), 'agent.mode.transitions', { 'agent.mode': 'normal', 'agent.mode.previous': 'degraded' })).toBe(1);
    expect(handle!.sensors().mode).toMatchObject({ current: 'normal', transitions: 2 });
  });

  it('exports process and host metrics (CPU, memory, event-loop delay)', async () => {
    const dir = tmpDir();
    register({ dir });
    await new Promise((r) => setTimeout(r, 100));
    await handle!.forceFlush();
    const names = new Set((await readMetrics(dir)).map((m) => m.name));
    for (const n of ['process.memory.usage', 'process.cpu.time', 'nodejs.eventloop.delay.p99', 'system.memory.usage']) expect(names, n).toContain(n);
  });
});

describe('run facts', () => {
  it('puts the git commit on run spans and records artifacts and commits as queryable events', async () => {
    const dir = tmpDir();
    register({ dir });
    const file = path.join(dir, 'notes.md');
    fs.writeFileSync(file, 'a\nb\nc\n');
    await withAgentRun({ agentName: 'writer', runId: 'run-art' }, (run) => {
      run.recordArtifact(file);
      fs.writeFileSync(file, 'a\nB\nc\nd\n');
      run.recordArtifact(file);
      run.associateCommit('0123456789abcdef0123456789abcdef01234567', { source: 'llm', author: 'bot' });
      run.associateCommit('not-a-hash'); // ignored with a warning, never thrown
    });
    await handle!.shutdown();
    const run = (await readSpans(dir)).find((s) => s.name === 'invoke_agent writer')!;
    expect(run.attributes['vcs.ref.head.revision']).toMatch(/^[0-9a-f]{40}$/); // the tests run inside this repository
    expect(run.events.find((e) => e.name === 'agent.commit')!.attributes).toMatchObject({ 'vcs.ref.head.revision': '0123456789abcdef0123456789abcdef01234567', 'agent.commit.source': 'llm' });
    expect(warnings.some((w) => w.includes("'not-a-hash' is not a git commit hash"))).toBe(true);
    const s = await QuerySession.open(dir, 'files');
    try {
      const rows = (await s.query(`SELECT path, sha256, size, lines_added, lines_removed FROM artifacts WHERE run_id = 'run-art' ORDER BY time`)).rows;
      expect(rows.map((r) => [r.path, Number(r.size), Number(r.lines_added), Number(r.lines_removed)])).toEqual([[file, 6, 3, 0], [file, 8, 2, 1]]);
      expect(rows[1]!.sha256).toBe(crypto.createHash('sha256').update('a\nB\nc\nd\n').digest('hex'));
    } finally {
      s.close();
    }
  });
});

describe('health', () => {
  it('reports exporter state, queue depth, drops and the last successful write', async () => {
    register({ dir: tmpDir(), duckdb: 'live' });
    handle!.tracer.startSpan('x').end();
    await handle!.forceFlush();
    const h = handle!.health();
    expect(h).toMatchObject({ status: 'ok', queueDepth: 0, dropped: { spans: 0, metricPoints: 0 } });
    expect(Date.now() - Date.parse(h.jsonl!.spans.lastWriteAt!)).toBeLessThan(5000);
    expect(h.jsonl!.spans.lastError).toBeUndefined();
    expect(h.duckdb).toMatchObject({ lagging: false });
  });
});
