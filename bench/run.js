// Runs the benchmarks, each in a fresh `node --expose-gc` child process so that they do not disturb
// each other, prints a table and writes bench/out/results.json.
//   node bench/run.js              all of them
//   node bench/run.js spans burst  only those, by file name (bench/<name>.js) or alias
// The build is not done here: `npm run bench` builds first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Every `bench/<name>.js` except the shared ones is a benchmark: these first, then the others by name.
const FIRST = ['pipeline', 'serialize', 'helpers', 'iteration', 'burst'];
const found = fs.readdirSync(here).filter((f) => /^[a-z][\w-]*\.js$/.test(f) && f !== 'lib.js' && f !== 'run.js')
  .map((f) => f.slice(0, -3));
const BENCHES = [...FIRST.filter((b) => found.includes(b)), ...found.filter((b) => !FIRST.includes(b)).sort()];
// Other names a benchmark may be asked for by.
const ALIASES = { spans: 'pipeline', jsonl: 'serialize', helper: 'helpers', agent: 'iteration', memory: 'burst' };

const asked = process.argv.slice(2).map((a) => ALIASES[a] ?? a);
const unknown = asked.filter((a) => !BENCHES.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`);
  process.exit(2);
}
const selected = asked.length ? BENCHES.filter((b) => asked.includes(b)) : BENCHES;
if (!fs.existsSync(path.join(here, '..', 'dist', 'src', 'index.js'))) {
  console.error('dist/ is missing: run `npm run bench` (it builds first)');
  process.exit(2);
}

const outDir = path.join(here, 'out');
fs.mkdirSync(outDir, { recursive: true });
const results = {};
const failed = [];
for (const name of selected) {
  console.log(`\n=== ${name}`);
  const resultFile = path.join(outDir, `.${name}.tmp.json`);
  fs.rmSync(resultFile, { force: true });
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(here, `${name}.js`)], {
    stdio: 'inherit', env: { ...process.env, BENCH_RESULT_FILE: resultFile },
  });
  if (child.status !== 0 || !fs.existsSync(resultFile)) {
    failed.push(name);
    console.error(`${name}: exited with ${child.status ?? child.signal}`);
    continue;
  }
  results[name] = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  fs.rmSync(resultFile);
}

// The table: one line per measured row.
const header = ['benchmark', 'measure', 'baseline', 'candidate', 'result', 'target', ''];
const lines = [];
for (const [name, r] of Object.entries(results)) {
  for (const row of r.rows) lines.push([name, row.label, row.baseline, row.candidate, row.result, row.target, row.info ? 'info' : row.pass ? 'PASS' : 'FAIL']);
}
for (const name of failed) lines.push([name, 'did not complete', '', '', '', '', 'ERROR']);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmtLine = (l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(`\n${fmtLine(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const l of lines) console.log(fmtLine(l));

// Keep earlier results of benchmarks not run this time, each with its own date.
const file = path.join(outDir, 'results.json');
let previous = {};
try { previous = JSON.parse(fs.readFileSync(file, 'utf8')).results ?? {}; } catch { /* first run */ }
fs.writeFileSync(file, JSON.stringify({
  updated: new Date().toISOString(), node: process.version, platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, results: { ...previous, ...results },
}, null, 2) + '\n');
console.log(`\nresults written to ${path.relative(process.cwd(), file)}`);
if (failed.length) process.exitCode = 1;
