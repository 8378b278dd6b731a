// duckdb: the DuckDB side on a store of 1M spans (made once with tests/fixtures/gen-spans.mjs, JSONL only):
// 1. load throughput: every span row bulk-loaded into a fresh telemetry.duckdb by the exporter's
//    store (DuckDbStore.load, the path the exporter takes), in 64k-row chunks — rows/s (wall) and CPU/row.
//    Target ≥ 150k spans/s.
// 2. `report` (all sections, --since all) and `trace <id>` answered from the files and from the DuckDB
//    file, as the CLI does it. Targets: report < 1 s (JSONL), < 0.3 s (DuckDB); trace < 0.5 s.
//   node bench/duckdb.js [dir] [spans]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbStore } from '../dist/exporters/duckdb/index.js';
import { QuerySession } from '../dist/src/query/session.js';
import { buildReport } from '../dist/src/cli/commands/report.js';
import { fmt, median, report, tmpDir } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[3] ?? process.env.BENCH_DUCKDB_SPANS ?? 1_000_000);
let dir = process.argv[2];
if (!dir) {
  dir = tmpDir('duckdb');
  console.log(`making a store of ${n} spans in ${dir} …`);
  const r = spawnSync(process.execPath, [path.join(here, '..', 'tests', 'fixtures', 'gen-spans.mjs'), dir, String(n)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(2);
}

// 1. load throughput
fs.rmSync(path.join(dir, 'telemetry.duckdb'), { force: true });
fs.rmSync(path.join(dir, 'telemetry.duckdb.wal'), { force: true });
const store = new DuckDbStore(dir);
await store.open();
const files = fs.readdirSync(path.join(dir, 'spans')).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(dir, 'spans', f));
let rows = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const file of files) {
  const lines = fs.readFileSync(file);
  let start = 0;
  while (start < lines.length) {
    let end = start;
    for (let k = 0; k < 65536 && end < lines.length; k++) end = lines.indexOf(10, end) + 1 || lines.length;
    const loaded = await store.load([{ signal: 'spans', buf: lines.subarray(start, end), file }]);
    rows += loaded.spans;
    start = end;
  }
}
await store.close();
const loadMs = performance.now() - t0;
const c = process.cpuUsage(cpu0);
const loadRate = rows / (loadMs / 1000);

// 2. report and trace, from the files and from the database
async function timed(source, fn, rounds = 3) {
  const times = [];
  for (let i = 0; i < rounds + 1; i++) {
    const t = performance.now();
    const s = await QuerySession.open(dir, source);
    try { await fn(s); } finally { s.close(); }
    if (i > 0) times.push(performance.now() - t); // the first round warms the page cache
  }
  return median(times);
}
const anyTrace = await (async () => {
  const s = await QuerySession.open(dir, 'duckdb');
  try { return (await s.query('SELECT trace_id FROM spans LIMIT 1 OFFSET 500000')).rows[0]?.trace_id ?? (await s.query('SELECT trace_id FROM spans LIMIT 1')).rows[0].trace_id; } finally { s.close(); }
})();
const traceSql = `SELECT * FROM spans WHERE trace_id = '${anyTrace}' ORDER BY start_time`;
const reportFiles = await timed('files', (s) => buildReport(s, undefined));
const reportDb = await timed('duckdb', (s) => buildReport(s, undefined));
const traceFiles = await timed('files', (s) => s.query(traceSql));
const traceDb = await timed('duckdb', (s) => s.query(traceSql));

report({
  name: 'duckdb',
  what: `DuckDB load throughput and report/trace over ${rows} spans`,
  rows: [
    { label: 'bulk load into telemetry.duckdb', baseline: '-', candidate: `${fmt(loadRate / 1000, 0)}k spans/s`, result: `${fmt((c.user + c.system) / rows)} µs CPU/span`, target: '≥ 150k spans/s', pass: loadRate >= 150_000 },
    { label: 'report --since all, from JSONL', baseline: '-', candidate: `${fmt(reportFiles / 1000)} s`, result: '', target: '< 1 s', pass: reportFiles < 1000 },
    { label: 'report --since all, from DuckDB', baseline: '-', candidate: `${fmt(reportDb / 1000)} s`, result: '', target: '< 0.3 s', pass: reportDb < 300 },
    { label: 'trace <id>, from JSONL', baseline: '-', candidate: `${fmt(traceFiles / 1000)} s`, result: '', target: '< 0.5 s', pass: traceFiles < 500 },
    { label: 'trace <id>, from DuckDB', baseline: '-', candidate: `${fmt(traceDb / 1000, 3)} s`, result: '', target: '< 0.5 s', pass: traceDb < 500 },
  ],
  notes: ['report and trace times are wall times of opening a session and running the queries (the CLI adds ~0.4 s of Node start-up)'],
});
