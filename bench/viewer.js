// The viewer on a big store: how long indexing takes, and how fast the runs list (paged, filtered),
// a trace, the call tables and the charts answer over HTTP; the baseline is the same question asked
// the way the CLI asks it (a QuerySession over the files: `agent-otel trace`, `agent-otel sql`).
// With Debian's chromium present, also the time a browser takes to show the trace page and the runs list.
//   node bench/viewer.js [dir] [spans]   (no dir: makes a store of `spans` (default 1M) spans in a temp dir)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuerySession } from '../dist/src/query/session.js';
import { startViewer } from '../dist/src/viewer/index.js';
import { benchStore, fmt, median, report, tmpDir } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.AGENT_OTEL_CHROMIUM ?? '/usr/bin/chromium';
const n = Number(process.argv[3] ?? process.env.BENCH_VIEWER_SPANS ?? 1_000_000);
const { dir, own: ownDir } = benchStore('viewer', process.argv[2], n);

const ms = (t0) => performance.now() - t0;
/** Median wall ms of `fn` after a warm-up; a number `fn` returns is taken as its own measure instead. */
async function timed(fn, rounds = 5) {
  await fn(); // warm-up
  const xs = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const own = await fn();
    xs.push(typeof own === 'number' ? own : ms(t0));
  }
  return median(xs);
}

// --- the viewer ---
let t0 = performance.now();
const viewer = await startViewer({ dir, port: 0 });
await viewer.store.ready;
const indexMs = ms(t0);
const rssMb = process.memoryUsage().rss / 1e6;
console.log(`indexed ${viewer.store.spanCount} spans, ${viewer.store.runCount} runs in ${fmt(indexMs / 1000, 1)} s (from ${viewer.store.from}); RSS ${fmt(rssMb, 0)} MB`);
const get = async (p) => {
  const res = await fetch(`${viewer.url}${p.replace(/^\//, '')}`);
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json();
};
const sample = (await viewer.store.query('SELECT trace_id FROM vruns USING SAMPLE 5 ROWS')).map((r) => r.trace_id);
let k = 0;
const nextTrace = () => sample[k++ % sample.length];
const total = (await get('/api/runs?limit=1')).total;
const api = {
  'runs list, first page': await timed(() => get('/api/runs?limit=50')),
  'runs list, a deep page': await timed(() => get(`/api/runs?limit=50&offset=${Math.max(0, Math.floor(total / 2))}`)),
  'runs list, filtered': await timed(() => get('/api/runs?agent=agent-1&status=success&since=30d&limit=50')),
  'trace': await timed(() => get(`/api/traces/${nextTrace()}`)),
  'LLM calls page': await timed(() => get('/api/llm-calls?limit=50')),
  'tool calls, errors': await timed(() => get('/api/tool-calls?outcome=error&limit=50')),
  charts: await timed(() => get('/api/charts?since=all'), 3),
};
for (const [k2, v] of Object.entries(api)) console.log(`  ${k2}: ${fmt(v, 1)} ms`);

// --- the baseline: the same questions through a QuerySession, as the CLI asks them ---
const base = {};
{
  const traceId = sample[0];
  t0 = performance.now();
  const s = await QuerySession.open(dir, 'auto');
  const openMs = ms(t0);
  base.trace = openMs + await timed(() => s.query(`SELECT * FROM spans WHERE trace_id = '${traceId}'`), 1);
  base['runs list, first page'] = openMs + await timed(() => s.query('SELECT * FROM agent_runs ORDER BY start_time DESC LIMIT 50'), 1);
  s.close();
  console.log(`baseline (QuerySession): trace ${fmt(base.trace, 0)} ms, runs page ${fmt(base['runs list, first page'], 0)} ms`);
}

// --- a browser, when there is one ---
const browser = {};
if (fs.existsSync(CHROMIUM)) {
  const { chromium } = await import('playwright-core');
  const udd = tmpDir('viewer-chromium');
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1440, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const show = async (route, selector) => {
    await page.goto('about:blank');
    const t = performance.now(); // from navigation to the rows on screen
    await page.goto(`${viewer.url}${route}`);
    await page.waitForSelector(selector);
    return ms(t);
  };
  browser['trace page shown'] = await timed(() => show(`#/trace/${nextTrace()}`, '.wf-row'), 5);
  browser['runs list shown'] = await timed(() => show('#/runs', 'tr.run'), 5);
  browser['runs list, next page shown'] = await timed(async () => {
    await show('#/runs', 'tr.run'); // (not counted: from the click on "Next" on)
    const first = await page.getAttribute('tr.run', 'data-run-id');
    const t = performance.now();
    await page.click('[data-page=next]');
    await page.waitForFunction((id) => document.querySelector('tr.run')?.getAttribute('data-run-id') !== id, first);
    return ms(t);
  }, 5);
  await ctx.close();
  fs.rmSync(udd, { recursive: true, force: true });
  for (const [k2, v] of Object.entries(browser)) console.log(`  browser, ${k2}: ${fmt(v, 0)} ms`);
}

// --- new rows while it runs: 4,000 spans appended, until the viewer counts them ---
const before = viewer.store.spanCount;
t0 = performance.now();
spawnSync(process.execPath, [path.join(here, '..', 'tests', 'fixtures', 'gen-spans.mjs'), dir, '4000'], { stdio: 'ignore' });
const written = performance.now();
while (viewer.store.spanCount < before + 4000 && ms(written) < 60_000) await new Promise((r) => setTimeout(r, 20));
const liveMs = ms(written);
console.log(`  4,000 new spans shown ${fmt(liveMs, 0)} ms after their writer exited (poll every 2 s)`);
await viewer.close();
if (ownDir) fs.rmSync(dir, { recursive: true, force: true });

const row = (label, baseline, candidate, target, pass) => ({ label, baseline, candidate, result: candidate, target, pass });
report({
  name: 'viewer',
  what: `agent-otel ui on ${viewer.store.spanCount.toLocaleString('en-US')} spans / ${total.toLocaleString('en-US')} runs (median ms per answer)`,
  rows: [
    row('trace (API)', `${fmt(base.trace, 0)} ms`, `${fmt(api.trace, 1)} ms`, '< 1000 ms', api.trace < 1000),
    row('runs list page (API)', `${fmt(base['runs list, first page'], 0)} ms`, `${fmt(api['runs list, first page'], 1)} ms`, '< 1000 ms', api['runs list, first page'] < 1000),
    row('runs list deep page (API)', '', `${fmt(api['runs list, a deep page'], 1)} ms`, '< 1000 ms', api['runs list, a deep page'] < 1000),
    row('runs list filtered (API)', '', `${fmt(api['runs list, filtered'], 1)} ms`, '< 1000 ms', api['runs list, filtered'] < 1000),
    row('LLM calls page (API)', '', `${fmt(api['LLM calls page'], 1)} ms`, '< 1000 ms', api['LLM calls page'] < 1000),
    row('tool call errors page (API)', '', `${fmt(api['tool calls, errors'], 1)} ms`, '< 1000 ms', api['tool calls, errors'] < 1000),
    { ...row('charts (API)', '', `${fmt(api.charts, 0)} ms`, '', true), info: true },
    ...Object.entries(browser).map(([k2, v]) => row(`browser: ${k2}`, '', `${fmt(v, 0)} ms`, '< 1000 ms', v < 1000)),
    { ...row('index at start', '', `${fmt(indexMs / 1000, 1)} s, RSS ${fmt(rssMb, 0)} MB`, '', true), info: true },
    { ...row('new spans shown after', '', `${fmt(liveMs, 0)} ms`, '', true), info: true },
  ],
});
