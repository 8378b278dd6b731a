// duckdb: the DuckDB side on a store of 1M spans (made once with tests/fixtures/gen-spans.mjs, JSONL only,
// as agents write by default):
// 1. telemetry.duckdb built from the files the way the first query does it (catchUp: one ingest of what
//    it lacks), rows/s (wall) and CPU/row, for information: bench/ingest.js and bench/store.js judge the
//    ingest target (≥ 200k rows/s) on the median of 3 loads.
// 2. `report` (all sections, --since all) and `trace <id>` answered from the files and from the DuckDB
//    file, as the CLI does it. Targets: report < 1 s (JSONL), < 0.3 s (DuckDB); trace < 0.5 s.
//   node bench/duckdb.js [dir] [spans]
import fs from 'node:fs';
import path from 'node:path';
import { emptyCounts, loadedRows } from '../dist/exporters/duckdb/index.js';
import { catchUp } from '../dist/src/query/ingest.js';
import { QuerySession } from '../dist/src/query/session.js';
import { buildReport } from '../dist/src/cli/commands/report.js';
import { benchStore, fmt, median, report, rmDatabase } from './lib.js';

const n = Number(process.argv[3] ?? process.env.BENCH_DUCKDB_SPANS ?? 1_000_000);
const { dir, own } = benchStore('duckdb', process.argv[2], n);

// 1. the first query's catch-up, into a fresh telemetry.duckdb
rmDatabase(path.join(dir, 'telemetry.duckdb'));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const caught = await catchUp(dir);
if (!caught.ok) throw new Error(caught.why);
const loaded = caught.result?.rows ?? emptyCounts();
const rows = loadedRows(loaded); // the rows `agent-otel ingest` reports, run starts included
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

if (own) fs.rmSync(dir, { recursive: true, force: true });

report({
  name: 'duckdb',
  what: `telemetry.duckdb built from the files, and report/trace over ${rows} rows`,
  rows: [
    // one load, as a setup step: bench/ingest.js and bench/store.js judge the ingest target (median of 3 loads)
    { label: 'telemetry.duckdb built by the first query (catch-up), one load', baseline: '-', candidate: `${fmt(loadRate / 1000, 0)}k rows/s`, result: `${fmt((c.user + c.system) / rows)} µs CPU/row`, target: 'info', info: true, pass: true },
    { label: 'report --since all, from JSONL', baseline: '-', candidate: `${fmt(reportFiles / 1000)} s`, result: '', target: '< 1 s', pass: reportFiles < 1000 },
    { label: 'report --since all, from DuckDB', baseline: '-', candidate: `${fmt(reportDb / 1000)} s`, result: '', target: '< 0.3 s', pass: reportDb < 300 },
    { label: 'trace <id>, from JSONL', baseline: '-', candidate: `${fmt(traceFiles / 1000)} s`, result: '', target: '< 0.5 s', pass: traceFiles < 500 },
    { label: 'trace <id>, from DuckDB', baseline: '-', candidate: `${fmt(traceDb / 1000, 3)} s`, result: '', target: '< 0.5 s', pass: traceDb < 500 },
  ],
  notes: ['report and trace times are wall times of opening a session and running the queries (the CLI adds ~0.4 s of Node start-up)'],
});
