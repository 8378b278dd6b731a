import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { treeOrder, type TraceSpan } from '../../dist/src/cli/waterfall.js';
import { logger, registerTelemetry, withAgentRun, withToolCall } from '../../dist/src/index.js';
import type { SpanRow } from '../../dist/semconv/schema.js';
import { readSpans, ROOT, runFixture, tmpDir, waitFor } from '../support/harness.js';

/**
 * The viewer as a user meets it: `agent-otel ui` started from the CLI, driven in a real headless
 * Chromium (Debian's `chromium`, through playwright-core; no browser is downloaded).
 */
const CHROMIUM = process.env.AGENT_OTEL_CHROMIUM ?? '/usr/bin/chromium';
/** The machine has no network: without these Chromium stalls on connection attempts. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const JAEGER = 'http://localhost:16686';
/** `AGENT_OTEL_UPDATE_SCREENSHOT=1 npm run test:e2e` refreshes the README's picture (docs/viewer.png). */
const SCREENSHOT = process.env.AGENT_OTEL_UPDATE_SCREENSHOT === '1'
  ? path.join(ROOT, 'docs', 'viewer.png')
  : path.join(os.tmpdir(), `agent-otel-viewer-${process.pid}.png`);

interface Served { child: ChildProcess; url: string; exit: Promise<number | null> }

/** `agent-otel ui --port 0 …` as a child process; resolves once it prints its URL. */
async function serve(dir: string, ...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/bin.js'), 'ui', '--dir', dir, '--port', '0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /agent-otel ui: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`agent-otel ui exited (${code}): ${err}`)));
  });
  return { child, url, exit };
}

const toTraceSpan = (s: SpanRow): TraceSpan => {
  const us = (iso: string) => Date.parse(iso) * 1000 + Number((/\.\d{3}(\d{3})/.exec(iso) ?? [0, '0'])[1]);
  return { ...s, start_us: us(s.start_time), end_us: us(s.end_time) } as TraceSpan;
};

let demoDir: string;
let xssDir: string;
let demo: Served;
let xss: Served;
let context: BrowserContext;
let page: Page;
let spans: SpanRow[];
const requests: string[] = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  demoDir = tmpDir('agent-otel-ui-demo-');
  const d = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: demoDir });
  expect(d.code).toBe(0);
  spans = await readSpans(demoDir);
  xssDir = tmpDir('agent-otel-ui-xss-');
  const x = await runFixture('viewer-xss.mjs', {}, [xssDir]);
  expect(x.code).toBe(0);
  demo = await serve(demoDir, '--jaeger-url', JAEGER);
  xss = await serve(xssDir);
  context = await chromium.launchPersistentContext(tmpDir('agent-otel-chromium-'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 1000 },
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (dlg) => { dialogs.push(dlg.message()); void dlg.dismiss(); });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await context?.close();
  for (const s of [demo, xss]) {
    if (!s) continue;
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0); // Ctrl-C / SIGTERM is a clean stop
  }
});

const runRows = () => page.$$eval('tr.run', (trs) => trs.map((tr) => ({
  agent: tr.querySelectorAll('td')[1]!.textContent, status: (tr.querySelector('[data-status]') as HTMLElement).dataset.status,
  error: tr.querySelectorAll('td')[9]!.textContent, traceId: (tr as HTMLElement).dataset.traceId,
})));

describe('agent-otel ui in Chromium', () => {
  it('opens the runs list of a demo store: every run with agent, status, tokens and errors', async () => {
    await page.goto(demo.url);
    await page.waitForSelector('tr.run');
    const invoke = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent');
    const rows = await runRows();
    expect(rows.map((r) => `${r.agent}:${r.status}`).sort()).toEqual(
      invoke.map((s) => `${s.attributes['gen_ai.agent.name']}:${s.attributes['agent.run.status']}`).sort());
    expect(rows.find((r) => r.status === 'failed')!.error).toContain('DiskQuotaError');
    expect(await page.textContent('#status')).toContain(`${spans.length} spans`);
    // Filter by status: the list shrinks to the failed run, and the filter is in the URL.
    await page.selectOption('select[data-filter=status]', 'failed');
    await page.waitForFunction(() => document.querySelectorAll('tr.run').length === 1);
    expect(page.url()).toContain('status=failed');
    expect((await runRows())[0]!.agent).toBe('worker');
    await page.selectOption('select[data-filter=status]', '');
    await page.waitForFunction(() => document.querySelectorAll('tr.run').length === 8);
  });

  it('opens a trace: the waterfall has the right spans in the right order with the right nesting', async () => {
    await page.click('tr.run:has-text("planner")');
    await page.waitForSelector('.wf-row');
    const traceId = /#\/trace\/([0-9a-f]{32})/.exec(page.url())![1]!;
    const mine = spans.filter((s) => s.trace_id === traceId).map(toTraceSpan);
    const expected = treeOrder(mine); // the same order as `agent-otel trace`
    const shown = await page.$$eval('.wf-row', (rows) => rows.map((r) => {
      const el = r as HTMLElement;
      return { id: el.dataset.spanId, depth: Number(el.dataset.depth), parent: el.dataset.parentId, name: el.querySelector('.wf-name')!.textContent,
        error: el.classList.contains('error'), bar: (el.querySelector('.wf-bar') as HTMLElement).getBoundingClientRect().width };
    }));
    expect(shown.map((r) => [r.id, r.depth, r.name])).toEqual(expected.map((l) => [l.span.span_id, l.depth, l.span.name]));
    expect(shown.length).toBe(48); // the demo's trace: 8 runs (no run-start span any more)
    expect(shown.map((r) => r.name)).not.toContain('agent.run.start');
    // nesting: each row's parent is the nearest row above it one level up
    shown.forEach((r, i) => {
      if (r.depth === 0) { expect(r.parent).toBe(''); return; }
      const above = shown.slice(0, i).reverse().find((x) => x.depth === r.depth - 1)!;
      expect(r.parent).toBe(above.id);
    });
    expect(shown.filter((r) => r.error).map((r) => r.id).sort()).toEqual(mine.filter((s) => s.status_code === 'ERROR').map((s) => s.span_id).sort());
    expect(shown[0]!.name).toMatch(/^invoke_workflow/);
    expect(shown[0]!.bar).toBeGreaterThan(shown[1]!.bar); // the root spans the whole trace
    // The planner's run span is selected and its details are shown.
    const planner = mine.find((s) => s.name === 'invoke_agent planner')!;
    expect(await page.getAttribute('.details', 'data-span-id')).toBe(planner.span_id);
    expect(await page.getAttribute('a[data-link=jaeger]', 'href')).toBe(`${JAEGER}/trace/${traceId}`);
  });

  it("opens a span's details: attributes, events, exception and cost", async () => {
    const failed = spans.find((s) => s.status_code === 'ERROR' && s.attributes['error.type'] === 'RateLimitError')!;
    await page.click(`.wf-row[data-span-id="${failed.span_id}"]`);
    await page.waitForSelector(`.details[data-span-id="${failed.span_id}"]`);
    expect(page.url()).toContain(`span=${failed.span_id}`);
    const exception = await page.textContent('.details [data-section=exception]');
    expect(exception).toContain('RateLimitError');
    expect(exception).toContain(failed.status_message!);
    const attrs = await page.$$eval('.details [data-section=attributes] tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(Object.fromEntries(attrs)).toEqual(Object.fromEntries(Object.entries(failed.attributes).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
    expect(await page.textContent('.details')).toContain(`span id${failed.span_id}`);
    // An LLM call: tokens, and a cost that says no price is known rather than $0.
    const chat = spans.find((s) => s.name === 'chat gpt-4o')!;
    await page.click(`.wf-row[data-span-id="${chat.span_id}"]`);
    await page.waitForSelector(`.details[data-span-id="${chat.span_id}"]`);
    const text = await page.textContent('.details');
    expect(text).toContain(`tokens${Number(chat.attributes['gen_ai.usage.input_tokens']).toLocaleString('en-US')} in`);
    const cost = chat.attributes['agent.cost.usd'];
    const usd = (n: number) => `$${n !== 0 && Math.abs(n) < 0.01 ? n.toFixed(4) : n.toFixed(2)}`;
    expect(text).toContain(typeof cost === 'number' ? `cost${usd(cost)}` : 'costunknown (no price known for this model)');
  });

  it('shows the LLM calls, tool calls and charts pages', async () => {
    await page.click('nav a[data-nav=llm]');
    await page.waitForSelector('h1:has-text("LLM calls")');
    await page.waitForSelector('table.grid tbody tr');
    expect(await page.$$eval('table.grid tbody tr', (r) => r.length)).toBe(spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat').length);
    await page.click('nav a[data-nav=tools]');
    await page.waitForSelector('h1:has-text("Tool calls")');
    await page.selectOption('select[data-filter=outcome]', 'error');
    const failedTools = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool' && s.status_code === 'ERROR').length;
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('table.grid tbody tr')];
      return location.hash.includes('outcome=error') && rows.length === n && rows.every((tr) => tr.textContent!.includes('error'));
    }, failedTools);
    await page.goto(`${demo.url}#/charts?since=all`);
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 3);
    const tools = await page.$$eval('[data-chart="p95 latency by tool"] .hbar', (bars) => bars.map((b) => (b as HTMLElement).dataset.key).sort());
    expect(tools).toEqual(['fetch_page', 'web_search', 'write_file']);
    const priced = spans.some((s) => typeof s.attributes['agent.cost.usd'] === 'number');
    if (priced) expect(await page.$$eval('[data-chart="Cost per hour by model"] canvas', (c) => c.length)).toBe(1);
    else expect(await page.textContent('[data-chart="Cost per hour by model"]')).toContain('No cost recorded');
  });

  it('shows telemetry values as text: <script> and <img onerror> in spans run nothing', async () => {
    await page.goto(xss.url);
    await page.waitForSelector('tr.run');
    const agent = (await runRows())[0]!.agent;
    expect(agent).toBe(`agent <img src=x onerror="window.__xss = 'img'">`);
    await page.click('tr.run');
    await page.waitForSelector('.wf-row');
    const ids = await page.$$eval('.wf-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.spanId!));
    let seen = '';
    for (const id of ids) {
      await page.click(`.wf-row[data-span-id="${id}"]`);
      await page.waitForSelector(`.details[data-span-id="${id}"]`);
      await page.click('.details summary'); // the resource too
      seen += await page.textContent('main');
    }
    expect(seen).toContain('chat model <script>window.__xss = "script"</script>');
    expect(seen).toContain(`Sure! <script>window.__xss = "script"</script> <img src=x onerror="window.__xss = 'img'">`);
    expect(seen).toContain(`tool said <img src=x onerror="window.__xss = 'img'">`);
    expect(seen).toContain(`app.key <img src=x onerror="window.__xss = 'img'">`);
    expect(seen).toContain('<a href="javascript:window.__xss=\'link\'">click</a>');
    for (const route of ['#/llm', '#/tools', '#/charts?since=all']) {
      await page.goto(`${xss.url}${route}`);
      await page.waitForSelector('h1');
      await page.waitForTimeout(300);
    }
    expect(await page.textContent('main')).toContain('model <script>window.__xss = "script"</script>');
    await page.waitForTimeout(500); // an <img onerror> would have fired by now
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await page.$$eval('img, main script, iframe, object, embed', (els) => els.length)).toBe(0);
    expect(await page.$$eval('a[href^="javascript"]', (els) => els.length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('saves a screenshot of a trace for the README', async () => {
    const failedRun = spans.find((s) => s.name === 'invoke_agent worker' && s.status_code === 'ERROR')!;
    await page.goto(`${demo.url}#/trace/${failedRun.trace_id}?span=${failedRun.span_id}`);
    await page.waitForSelector(`.details[data-span-id="${failedRun.span_id}"]`);
    await page.setViewportSize({ width: 1440, height: 1640 }); // the whole waterfall, the failed run selected
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT });
    await page.setViewportSize({ width: 1440, height: 1000 });
    const png = fs.readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('shows a new run while the agent runs, without restarting the viewer', async () => {
    await page.goto(demo.url);
    await page.waitForSelector('tr.run');
    const agent = runFixture('viewer-late-agent.mjs', {}, [demoDir, '3000']);
    try {
      // The run appears while its process is still in it…
      await page.waitForSelector('tr.run:has-text("late-agent") [data-status=running]', { timeout: 20_000 });
      // …and is marked a success when it ends, on the same page (no reload, no restart).
      await page.waitForSelector('tr.run:has-text("late-agent") [data-status=success]', { timeout: 20_000 });
      expect((await agent).code).toBe(0);
    } finally {
      agent.child.kill('SIGKILL');
    }
    expect((await runRows()).length).toBe(9);
    await waitFor(async () => (await page.textContent('#status'))!.includes(`${(await readSpans(demoDir)).length} spans`), 10_000, 'the span count');
  });

  it('loads nothing from the internet and raises no script errors', () => {
    const origins = new Set(requests.filter((u) => !u.startsWith('data:')).map((u) => new URL(u).origin));
    expect([...origins].sort()).toEqual([new URL(demo.url).origin, new URL(xss.url).origin].sort());
    expect(pageErrors).toEqual([]);
  });
});

describe('a trace of 100k spans (issue 10, finding 11)', () => {
  it('renders without error: the first 20,000 spans, and says how many are not shown', async () => {
    // 100k spans of one trace: a chain 30k deep (recursion or a spread of arguments would overflow), then siblings.
    const dir = tmpDir('agent-otel-ui-big-');
    const traceId = 'be'.repeat(16);
    const id = (n: number) => (n + 1).toString(16).padStart(16, '0');
    const t0 = Date.now() - 600_000;
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      lines.push(JSON.stringify({
        trace_id: traceId, span_id: id(i), parent_span_id: i === 0 ? null : id(i < 30_000 ? i - 1 : 0), name: `step ${i}`, kind: 'INTERNAL',
        start_time: iso(t0 + i), end_time: iso(t0 + 200_000 - (i < 30_000 ? i : 0)), duration_ms: 1, status_code: i % 1000 === 7 ? 'ERROR' : 'UNSET',
        status_message: null, scope: { name: 'big', version: null }, attributes: {}, events: [], links: [], service_name: 'big', resource: {},
      }));
    }
    fs.mkdirSync(path.join(dir, 'spans'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'spans', '2026-01-01T000000Z-999999-001.jsonl'), lines.join('\n') + '\n');
    const big = await serve(dir);
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    try {
      await tab.goto(`${big.url}#/trace/${traceId}`);
      await tab.waitForSelector('[data-field=omitted]', { timeout: 120_000 });
      expect(await tab.textContent('[data-field=omitted]')).toContain('80,000 of 100,000 spans are not shown');
      expect(await tab.$$eval('.wf-row', (rows) => rows.length)).toBe(20_000);
      expect(await tab.textContent('.summary')).toContain('100,000 spans');
      // The deepest shown span sits under its 19,999 ancestors.
      expect(await tab.$eval('.wf-row:last-child', (r) => (r as HTMLElement).dataset.depth)).toBe('19999');
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
      big.child.kill('SIGTERM');
      await big.exit;
    }
  });
});

describe('logs in the viewer (issue 12)', () => {
  it("shows a span's log records in its details, and the Logs page filters by level, live", async () => {
    // An agent's records, logged inside its run and tool call (this process registers, then shuts down).
    const dir = tmpDir('agent-otel-ui-logs-');
    const handle = registerTelemetry({ dir, duckdb: false, serviceName: 'ui-logs' });
    const log = logger('planner');
    const ids = await withAgentRun({ agentName: 'planner' }, async () => {
      const run = trace.getActiveSpan()!.spanContext();
      log.info('run.started', { files: 3 });
      const tool = await withToolCall({ name: 'search' }, async () => {
        log.warn('tool.slow', { ms: 900 });
        log.error('tool.failed', { err: new Error('<img src=x onerror=alert(1)>') });
        return trace.getActiveSpan()!.spanContext().spanId;
      });
      const quiet = await withToolCall({ name: 'noop' }, () => trace.getActiveSpan()!.spanContext().spanId);
      return { traceId: run.traceId, run: run.spanId, tool, quiet };
    });
    await handle.shutdown();
    const served = await serve(dir);
    const tab = await context.newPage();
    const errors: string[] = [];
    const alerts: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('dialog', (d) => { alerts.push(d.message()); void d.dismiss(); });
    try {
      // The tool call's details: its two records, in order, with levels; the Error's message as text.
      await tab.goto(`${served.url}#/trace/${ids.traceId}?span=${ids.tool}`);
      await tab.waitForSelector(`.details[data-span-id="${ids.tool}"] [data-section=logs]`);
      const shown = () => tab.$$eval('.details [data-section=logs] .log', (els) => els.map((e) => ({
        level: (e as HTMLElement).dataset.level, text: e.querySelector('.log-head')!.textContent, msg: e.querySelector('.log-msg')!.textContent })));
      const toolLogs = await shown();
      expect(toolLogs.map((l) => l.level)).toEqual(['warn', 'error']);
      expect(toolLogs[0]!.text).toMatch(/^warn\+.*plannertool\.slow$/);
      expect(toolLogs[0]!.msg).toBe('ms=900');
      expect(toolLogs[1]!.msg).toContain('exception.message=<img src=x onerror=alert(1)>');
      expect(await tab.$$eval('.details img', (els) => els.length)).toBe(0);
      expect(await tab.textContent('a[data-link=trace-logs]')).toBe('3 log records');
      // The run's details: its own record only.
      await tab.click(`.wf-row[data-span-id="${ids.run}"]`);
      await tab.waitForSelector(`.details[data-span-id="${ids.run}"]`);
      expect((await shown()).map((l) => l.text)).toEqual([expect.stringMatching(/^info\+.*plannerrun\.started$/)]);
      // A span without records has no Logs section.
      await tab.click(`.wf-row[data-span-id="${ids.quiet}"]`);
      await tab.waitForSelector(`.details[data-span-id="${ids.quiet}"]`);
      expect(await tab.$('.details [data-section=logs]')).toBeNull();

      // The Logs page: every record, newest first; the level filter keeps that level and above.
      await tab.click('nav a[data-nav=logs]');
      await tab.waitForFunction(() => document.querySelectorAll('tr.log').length === 3);
      const rows = () => tab.$$eval('tr.log', (trs) => trs.map((tr) => `${(tr as HTMLElement).dataset.level} ${tr.querySelectorAll('td')[3]!.textContent}`));
      expect(await rows()).toEqual(['error tool.failed', 'warn tool.slow', 'info run.started']);
      await tab.selectOption('select[data-filter=level]', 'warn');
      await tab.waitForFunction(() => document.querySelectorAll('tr.log').length === 2);
      expect(tab.url()).toContain('level=warn');
      await tab.selectOption('select[data-filter=level]', 'error');
      await tab.waitForFunction(() => document.querySelectorAll('tr.log').length === 1);
      expect(await rows()).toEqual(['error tool.failed']);
      // Live: a record written now shows up without reloading the page.
      const file = path.join(dir, 'logs', fs.readdirSync(path.join(dir, 'logs'))[0]!);
      const last = JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
      fs.appendFileSync(file, JSON.stringify({ ...last, time: new Date().toISOString().replace('Z', '000Z'), event_name: 'late.failure', body: 'late.failure' }) + '\n');
      await tab.waitForFunction(() => document.querySelectorAll('tr.log').length === 2, undefined, { timeout: 10_000 });
      expect(await rows()).toEqual(['error late.failure', 'error tool.failed']);
      expect(alerts).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });
});
