// store: the read side of issue 11 on a store of ~1M spans made through the public API
// (tests/fixtures/gen-spans.mjs), once telemetry.duckdb is up to date: each command as a user runs it, a
// child process `node dist/src/cli/bin.js …` (process start, module load, the catch-up check, the views,
// the query, the output), wall and CPU (all threads), median of 3 after a warm-up; and the viewer: from
// starting `agent-otel ui` until `/` and the runs list answer. The baseline: with BENCH_STORE_BEFORE set
// to another build's dist/src/cli/bin.js (e.g. the commit before a change, built in a copy), the same
// commands through it, alternating with this build's, on a twin directory (hard links to the same JSONL
// files, a telemetry.duckdb of its own); else a bare `node -e 0` in the same minutes. The full loads
// alternate with DuckDB alone loading the same JSONL into plain tables (info: their ratio moves far
// less with the machine's speed than rows/s; bench/README, round 8). The machine is shared: every wall
// time moves with its load.
//   node bench/store.js [dir] [spans]
// A dir given is reused and kept (making 1M spans takes ~1 min; its telemetry.duckdb is brought up to
// date, BENCH_STORE_REINGEST=1 loads it from scratch 3 times per build); without one, a temp dir is made, loaded from
// scratch 3 times, and deleted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLUMNS, globLit, readJsonColumns } from '../dist/exporters/duckdb/index.js';
import { benchStore, fmt, median, report, rmDatabase } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'dist', 'src', 'cli', 'bin.js');
const n = Number(process.argv[3] ?? process.env.BENCH_STORE_SPANS ?? 1_000_000);
const { dir, own } = benchStore('store', process.argv[2], n);
const beforeBin = process.env.BENCH_STORE_BEFORE;
const twin = `${dir}.before`;
if (beforeBin && !fs.existsSync(twin)) {
  fs.mkdirSync(twin, { mode: 0o700 });
  for (const sub of fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isDirectory() && !f.startsWith('.'))) {
    fs.mkdirSync(path.join(twin, sub), { mode: 0o700 });
    for (const f of fs.readdirSync(path.join(dir, sub))) fs.linkSync(path.join(dir, sub, f), path.join(twin, sub, f));
  }
}
// A store of its own (or BENCH_STORE_REINGEST): 3 full loads, the median judged (one load moves by ±15% with
// the machine's other work); a dir given is brought up to date once.
const reingest = own || Boolean(process.env.BENCH_STORE_REINGEST);
const dropDb = (d) => rmDatabase(path.join(d, 'telemetry.duckdb'));

// A child's own CPU (user + system, every thread) is written at its exit by a preloaded module.
const cpuFile = path.join(os.tmpdir(), `agent-otel-bench-store-cpu-${process.pid}.json`);
const preload = `data:text/javascript,${encodeURIComponent(
  `import fs from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); fs.writeFileSync(${JSON.stringify(cpuFile)}, String(u.user + u.system)); });`)}`;

/** Runs `node <args>` to its end: wall ms, CPU ms, stdout; throws when it fails. */
function run(args) {
  fs.rmSync(cpuFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', preload, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 ** 2, env: { ...process.env, NO_COLOR: '1' } });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: Number(fs.readFileSync(cpuFile, 'utf8')) / 1000, stdout: r.stdout, stderr: r.stderr };
}
const cli = (...args) => run([bin, ...args, '--dir', dir]);
const stats = (runs) => ({ wallMs: median(runs.map((r) => r.wallMs)), cpuMs: median(runs.map((r) => r.cpuMs)) });

/** Median wall and CPU ms of 3 runs after a warm-up; with a build before, its runs alternate with these. */
function timed(args) {
  const beforeArgs = beforeBin && args[0] === bin ? [beforeBin, ...args.slice(1).map((a) => (a === dir ? twin : a))] : undefined;
  run(args);
  if (beforeArgs) run(beforeArgs);
  const after = [];
  const before = [];
  for (let i = 0; i < 3; i++) {
    if (beforeArgs && i % 2 === 1) before.push(run(beforeArgs));
    after.push(run(args));
    if (beforeArgs && i % 2 === 0) before.push(run(beforeArgs));
  }
  return { ...stats(after), before: beforeArgs ? stats(before) : undefined };
}

// 1. Bring telemetry.duckdb up to date (a full load when it is new), with each build. BENCH_STORE_REINGEST:
// 3 full loads from scratch per build, alternating, median (and range) of each.
const ingestOnce = (b, d) => {
  if (reingest) dropDb(d);
  const r = run([b, 'ingest', '--dir', d]);
  const rows = Number(/(\d+) rows/.exec(r.stdout)?.[1] ?? 0);
  console.log(`${r.stdout.trim()} (${fmt(r.wallMs / 1000, 1)} s, ${fmt(r.cpuMs / 1000, 1)} s CPU)`);
  return { ...r, rows, rate: rows / (r.wallMs / 1000) };
};
/** @type {(b: string, d: string) => { b: string, d: string, runs: Array<ReturnType<typeof ingestOnce>> }} */
const ingestRuns = (b, d) => ({ b, d, runs: [] });
const ingests = [...(beforeBin ? [ingestRuns(beforeBin, twin)] : []), ingestRuns(bin, dir)];
// The full load's same-run baseline: DuckDB alone loading the same span and run-start JSONL into plain
// tables (read_json with the rows' column types into CREATE TABLE AS: no typed attribute columns, no
// resources joined, no runs, compression of DuckDB's choosing; insertion order not kept, as in the
// store), in a child process, alternating with the loads above. How fast the VM is at the moment moves
// both alike; the ratio shows what agent-otel adds.
const plainDb = path.join(os.tmpdir(), `agent-otel-bench-store-plain-${process.pid}.duckdb`);
const plainSql = [['spans', 'spans'], ['run_starts', 'runs']].map(([table, sub]) => {
  const files = fs.readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.jsonl')).map((f) => globLit(path.join(dir, sub, f)));
  return `CREATE TABLE ${table} AS SELECT * FROM read_json([${files.join(', ')}], format='newline_delimited', columns=${readJsonColumns(COLUMNS[table])})`;
});
const plainCode = `import { DuckDBInstance } from ${JSON.stringify(import.meta.resolve('@duckdb/node-api'))};
const db = await DuckDBInstance.create(${JSON.stringify(plainDb)}, { preserve_insertion_order: 'false' });
const c = await db.connect();
for (const sql of ${JSON.stringify(plainSql)}) await c.run(sql);
const n = await c.runAndReadAll('SELECT (SELECT count(*) FROM spans) + (SELECT count(*) FROM run_starts)');
process.stdout.write(String(n.getRows()[0][0]));
c.closeSync();
db.closeSync();`;
/** One plain load; `ingestOut`: the stdout of this build's full load just before, whose spans and run starts it must match. */
const plainOnce = (ingestOut) => {
  rmDatabase(plainDb);
  let r;
  try {
    r = run(['--input-type=module', '-e', plainCode]);
  } finally {
    rmDatabase(plainDb);
  }
  const want = [/(\d+) spans/, /(\d+) run starts/].reduce((sum, re) => sum + Number(re.exec(ingestOut)?.[1]), 0);
  if (Number(r.stdout) !== want) throw new Error(`DuckDB alone loaded ${r.stdout} rows, not the ${want} spans and run starts of the full load`);
  console.log(`DuckDB alone, the same JSONL into plain tables: ${fmt(r.wallMs / 1000, 1)} s, ${fmt(r.cpuMs / 1000, 1)} s CPU`);
  return r;
};
const plains = [];
for (let i = 0; i < (reingest ? 3 : 1); i++) {
  let mine; // this build's load: `ingests` ends with it
  for (const x of ingests) x.runs.push((mine = ingestOnce(x.b, x.d)));
  if (reingest && mine) plains.push(plainOnce(mine.stdout));
}
const plain = plains.length ? stats(plains) : undefined;
/** Median wall and CPU of a build's full loads, its rate, and the range of its walls. */
const ingestStats = (x) => {
  const walls = x.runs.map((r) => r.wallMs);
  const wallMs = median(walls);
  const rows = x.runs[0].rows;
  return { rows, wallMs, cpuMs: median(x.runs.map((r) => r.cpuMs)), rate: rows / (wallMs / 1000), range: [Math.min(...walls), Math.max(...walls)] };
};
const ingBefore = beforeBin ? ingestStats(ingests[0]) : undefined;
const ing = ingestStats(ingests.at(-1));
const loaded = ing.rows;
const ingestRate = ing.rate;
const wallRange = (m) => (reingest ? `, ${fmt(m.range[0] / 1000, 1)}–${fmt(m.range[1] / 1000, 1)} s` : '');

// 2. The commands.
const traceId = JSON.parse(cli('sql', 'SELECT trace_id FROM agent_runs ORDER BY run_id LIMIT 1', '--json').stdout)[0].trace_id;
const llmSql = 'SELECT model, count(*) AS calls, sum(input_tokens) AS input_tokens, sum(cost_usd) AS cost_usd FROM llm_calls GROUP BY model ORDER BY model';
const base = timed(['-e', '0']);
const commands = [
  { label: '`agent-otel report --since all`', args: [bin, 'report', '--since', 'all', '--dir', dir], target: 1000 },
  { label: '`agent-otel sql` (LLM calls by model)', args: [bin, 'sql', llmSql, '--dir', dir], target: 500 },
  { label: '`agent-otel trace <id>`', args: [bin, 'trace', traceId, '--dir', dir], target: 500 },
  { label: '`agent-otel runs` (the last 20)', args: [bin, 'runs', '--limit', '20', '--dir', dir] },
  { label: '`agent-otel --version` (process start + CLI load)', args: [bin, '--version'] },
];
for (const c of commands) {
  c.m = timed(c.args);
  const was = c.m.before ? ` (before: ${fmt(c.m.before.wallMs, 0)} ms wall, ${fmt(c.m.before.cpuMs, 0)} ms CPU)` : '';
  console.log(`  ${c.label}: ${fmt(c.m.wallMs, 0)} ms wall, ${fmt(c.m.cpuMs, 0)} ms CPU${was}`);
}

// 3. The viewer: `agent-otel ui` started, until its page and the first page of runs answer.
async function viewerFirstPage(b = bin, d = dir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [b, 'ui', '--port', '0', '--dir', d], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = /(http:\/\/\S+)/.exec(out); if (m) resolve(m[1].replace(/\/?$/, '/')); });
      child.on('exit', (code) => reject(new Error(`agent-otel ui exited ${code}`)));
    });
    const page = await fetch(url);
    if (!page.ok) throw new Error(`/: ${page.status}`);
    await page.text();
    const pageMs = performance.now() - t0;
    const runs = await fetch(`${url}api/runs?limit=50`);
    const body = await runs.json();
    if (!runs.ok || !body.rows?.length) throw new Error(`/api/runs: ${runs.status} ${JSON.stringify(body).slice(0, 200)}`);
    return { pageMs, runsMs: performance.now() - t0 };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
  }
}
await viewerFirstPage(); // warm-up
const views = [];
const viewsBefore = [];
for (let i = 0; i < 3; i++) {
  if (beforeBin) viewsBefore.push(await viewerFirstPage(beforeBin, twin));
  views.push(await viewerFirstPage());
}
const viewerStats = (vs) => ({ pageMs: median(vs.map((v) => v.pageMs)), runsMs: median(vs.map((v) => v.runsMs)) });
const viewer = viewerStats(views);
const viewerBefore = beforeBin ? viewerStats(viewsBefore) : undefined;
console.log(`  viewer: page ${fmt(viewer.pageMs, 0)} ms, runs list ${fmt(viewer.runsMs, 0)} ms after start` +
  (viewerBefore ? ` (before: ${fmt(viewerBefore.pageMs, 0)} ms, ${fmt(viewerBefore.runsMs, 0)} ms)` : ''));

const size = fs.statSync(path.join(dir, 'telemetry.duckdb')).size;
fs.rmSync(cpuFile, { force: true });
if (own) for (const d of [dir, twin]) fs.rmSync(d, { recursive: true, force: true });

const ms = (m) => `${fmt(m.wallMs, 0)} ms (${fmt(m.cpuMs, 0)} CPU)`;
const baseText = `node -e 0: ${ms(base)}`;
/** Baseline and result columns: the build before when there is one, else a bare node start. */
const against = (m) => (m.before
  ? { baseline: `before: ${ms(m.before)}`, result: `${fmt(m.wallMs / m.before.wallMs, 2)}× wall, ${fmt(m.cpuMs / m.before.cpuMs, 2)}× CPU` }
  : { baseline: baseText, result: `${fmt(m.wallMs / base.wallMs, 1)}× node start` });
report({
  name: 'store',
  what: `queries on a store of ${n} spans once telemetry.duckdb is up to date: child processes, median of 3 (wall, CPU of all threads)`,
  rows: [
    ...(loaded ? [{
      label: `\`agent-otel ingest\` of ${loaded} rows (full load${reingest ? ', median of 3' : ''})`,
      baseline: ingBefore?.rows ? `before: ${fmt(ingBefore.rate / 1000, 0)}k rows/s, ${fmt(ingBefore.wallMs / 1000, 1)} s${wallRange(ingBefore)}, ${fmt(ingBefore.cpuMs / 1000, 1)} s CPU` : '-',
      candidate: `${fmt(ingestRate / 1000, 0)}k rows/s`, result: `${fmt(ing.wallMs / 1000, 1)} s${wallRange(ing)}, ${fmt(ing.cpuMs / 1000, 1)} s CPU`,
      target: '≥ 200k rows/s', pass: ingestRate >= 200_000,
    }] : []),
    ...(plain && loaded ? [{
      label: 'DuckDB alone: the same spans and run starts into plain tables (no typed columns, resources or runs), median of 3',
      baseline: '-', candidate: `${fmt(plain.wallMs / 1000, 1)} s, ${fmt(plain.cpuMs / 1000, 1)} s CPU`,
      result: `\`agent-otel ingest\` takes ${fmt(ing.wallMs / plain.wallMs, 2)}× its wall, ${fmt(ing.cpuMs / plain.cpuMs, 2)}× its CPU`,
      target: 'info', info: true, pass: true,
    }] : []),
    ...commands.map((c) => ({
      label: c.label, ...against(c.m), candidate: ms(c.m), target: c.target ? `< ${c.target} ms` : 'info',
      info: !c.target, pass: c.target ? c.m.wallMs < c.target : true,
    })),
    { label: 'viewer: `agent-otel ui` started → `/` answered', baseline: viewerBefore ? `before: ${fmt(viewerBefore.pageMs, 0)} ms` : baseText, candidate: `${fmt(viewer.pageMs, 0)} ms`, result: '', target: 'info', info: true, pass: true },
    { label: 'viewer: `agent-otel ui` started → first page of runs', baseline: viewerBefore ? `before: ${fmt(viewerBefore.runsMs, 0)} ms` : baseText, candidate: `${fmt(viewer.runsMs, 0)} ms`, result: viewerBefore ? `${fmt(viewer.runsMs / viewerBefore.runsMs, 2)}×` : '', target: '< 1000 ms', pass: viewer.runsMs < 1000 },
  ],
  data: {
    spans: n, loaded, ingest: { wallMs: ing.wallMs, cpuMs: ing.cpuMs, range: ing.range }, ingestBefore: ingBefore && { rows: ingBefore.rows, wallMs: ingBefore.wallMs, cpuMs: ingBefore.cpuMs, range: ingBefore.range },
    base, commands: commands.map((c) => ({ label: c.label, ...c.m })), viewer, viewerBefore, dbBytes: size,
  },
  notes: [`telemetry.duckdb: ${fmt(size / 1024 ** 2, 0)} MiB`],
});
