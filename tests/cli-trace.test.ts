import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fmtMs } from '../dist/src/cli/format.js';
import type { SpanRow } from '../dist/semconv/schema.js';
import { cliJson, demoStore, micros, runCli } from './support/stores.js';
import { readSpans, tmpDir } from './support/harness.js';

let dir: string;
let spans: SpanRow[];
let traceId: string;

beforeAll(async () => {
  dir = await demoStore();
  spans = await readSpans(dir);
  const ids = [...new Set(spans.map((s) => s.trace_id))];
  expect(ids).toHaveLength(1); // the demo is one workflow: one trace
  traceId = ids[0]!;
});

/** The expected tree, computed from the rows: depth-first, siblings by start, then longer first. */
function expectedTree(rows: SpanRow[]): Array<{ span: SpanRow; depth: number }> {
  const order = (a: SpanRow, b: SpanRow) => micros(a.start_time) - micros(b.start_time) || micros(b.end_time) - micros(a.end_time)
    || a.name.localeCompare(b.name) || a.span_id.localeCompare(b.span_id);
  const out: Array<{ span: SpanRow; depth: number }> = [];
  const walk = (s: SpanRow, depth: number) => {
    out.push({ span: s, depth });
    for (const c of rows.filter((r) => r.parent_span_id === s.span_id).sort(order)) walk(c, depth + 1);
  };
  for (const root of rows.filter((r) => r.parent_span_id === null).sort(order)) walk(root, 0);
  return out;
}

/** The tree and waterfall sections of the text output (after the header line). */
function sections(stdout: string): { tree: string[]; waterfall: string[] } {
  const [, tree, waterfall] = stdout.trimEnd().split('\n\n');
  return { tree: tree!.split('\n'), waterfall: waterfall!.split('\n') };
}

describe('agent-otel trace', () => {
  it('prints the trace as a tree: parents before children, siblings by start time, durations from the rows', async () => {
    const r = await runCli(['trace', traceId, '--dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const errors = spans.filter((s) => s.status_code === 'ERROR').length;
    expect(r.stdout.split('\n')[0]).toBe(`trace ${traceId}  ${spans.length} spans  ${fmtMs((Math.max(...spans.map((s) => micros(s.end_time))) - Math.min(...spans.map((s) => micros(s.start_time)))) / 1000)}  `
      + `started ${spans.map((s) => s.start_time).sort()[0]!.slice(0, 19).replace('T', ' ')} UTC  service demo-research-agent  ${errors} errors`);

    const { tree } = sections(r.stdout);
    const expected = expectedTree(spans);
    expect(tree).toHaveLength(spans.length);
    tree.forEach((line, i) => {
      const { span, depth } = expected[i]!;
      const m = /^((?:[│ ] {2}|[├└]─ )*)(\S.*?) {2,}(\S+ \S+)(?: {2}(.*))?$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![1]!.length / 3, line).toBe(depth);
      expect(m![2], line).toBe(span.name);
      expect(m![3], line).toBe(fmtMs(span.duration_ms));
      const rest = m![4] ?? '';
      expect(rest.startsWith('ERROR'), line).toBe(span.status_code === 'ERROR');
      if (span.status_message && span.status_code === 'ERROR') expect(rest, line).toContain(span.status_message.slice(0, 40));
      const a = span.attributes;
      if (a['error.type']) expect(rest, line).toContain(`error.type=${a['error.type']}`);
      if (a['gen_ai.usage.input_tokens'] !== undefined) {
        expect(rest, line).toContain(`tokens=${a['gen_ai.usage.input_tokens']}→${a['gen_ai.usage.output_tokens']}`);
        expect(rest, line).toContain(`model=${a['gen_ai.response.model']}`);
      }
      // the run id is shown where a run begins, not repeated on every span inside it
      expect(rest.includes('run='), line).toBe(span.name.startsWith('invoke_agent'));
      if (span.name.startsWith('invoke_agent')) expect(rest, line).toContain(`run=${String(a['agent.run.id']).slice(0, 8)}`);
    });
    // box drawing: the last child of a parent closes its branch
    expect(tree[0]).toMatch(/^invoke_workflow weekly_research /);
    expect(tree.at(-1)).toMatch(/^ {3}└─ /);
  });

  it('draws one waterfall bar per span, placed by start offset and scaled to 60 columns', async () => {
    const r = await runCli(['trace', traceId, '--dir', dir]);
    const { waterfall } = sections(r.stdout);
    const expected = expectedTree(spans);
    const t0 = Math.min(...spans.map((s) => micros(s.start_time)));
    const total = Math.max(...spans.map((s) => micros(s.end_time))) - t0;
    expect(waterfall[0]!.trimStart()).toMatch(new RegExp(`^0 +${fmtMs(total / 1000)}$`));
    expect(waterfall).toHaveLength(spans.length + 1);
    waterfall.slice(1).forEach((line, i) => {
      const { span, depth } = expected[i]!;
      const m = /^( *)(\S.*?) +│(.{60})│$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![1]!.length).toBe(depth * 2);
      expect(m![2]).toBe(span.name);
      const from = Math.floor(((micros(span.start_time) - t0) / total) * 60);
      const to = Math.max(from + 1, Math.ceil(((micros(span.end_time) - t0) / total) * 60));
      expect(m![3], line).toBe(' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(60 - to));
    });
    expect(waterfall[1]).toContain(`│${'█'.repeat(60)}│`); // the root covers the whole trace
  });

  it('accepts a unique prefix of 8+ characters, in either case, and reads the same from files and database', async () => {
    const full = await runCli(['trace', traceId, '--dir', dir]);
    const prefix = await runCli(['trace', traceId.slice(0, 8).toUpperCase(), '--dir', dir]);
    const files = await runCli(['trace', traceId.slice(0, 12), '--dir', dir, '--source', 'files']);
    const db = await runCli(['trace', traceId, '--dir', dir, '--source', 'duckdb']);
    expect(prefix.code).toBe(0);
    for (const r of [prefix, files, db]) expect(r.stdout).toBe(full.stdout);
  });

  it('--json prints the rows of the trace, as in the files', async () => {
    const rows = await cliJson<Array<SpanRow>>(['trace', traceId.slice(0, 10), '--dir', dir]);
    expect(rows).toHaveLength(spans.length);
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    for (const row of rows) {
      const s = byId.get(row.span_id)!;
      expect(row).toEqual({
        trace_id: s.trace_id, span_id: s.span_id, parent_span_id: s.parent_span_id, name: s.name, kind: s.kind,
        start_time: s.start_time, end_time: s.end_time, duration_ms: s.duration_ms, status_code: s.status_code,
        status_message: s.status_message, service_name: s.service_name, attributes: s.attributes, events: s.events, links: s.links,
      });
    }
    const starts = rows.map((r) => r.start_time);
    expect(starts).toEqual([...starts].sort());
  });

  it('an unknown id, a bad id and an ambiguous prefix exit 1 with one line saying so', async () => {
    const unknown = await runCli(['trace', '0123456789abcdef', '--dir', dir]);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: `agent-otel: no trace 0123456789abcdef in ${dir}\n` });
    const bad = await runCli(['trace', 'abc123', '--dir', dir]);
    expect(bad).toMatchObject({ code: 1, stdout: '', stderr: 'agent-otel: a trace id is 32 hex characters (a unique prefix of at least 8 will do); got "abc123"\n' });

    // two traces whose ids share their first 12 characters
    const twins = tmpDir();
    const row = spans.find((s) => s.parent_span_id === null)!;
    const ids = ['aaaaaaaaaaaa11111111111111111111', 'aaaaaaaaaaaa22222222222222222222'];
    fs.mkdirSync(path.join(twins, 'spans'));
    fs.writeFileSync(path.join(twins, 'spans', 'a.jsonl'), ids.map((id) => JSON.stringify({ ...row, trace_id: id })).join('\n') + '\n');
    const ambiguous = await runCli(['trace', 'aaaaaaaaaaaa', '--dir', twins]);
    expect(ambiguous).toMatchObject({ code: 1, stdout: '' });
    expect(ambiguous.stderr).toBe(`agent-otel: trace id prefix aaaaaaaaaaaa is ambiguous: it matches 2 traces (${ids.join(', ')}); give more characters\n`);
    const one = await runCli(['trace', 'aaaaaaaaaaaa2', '--dir', twins]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`trace ${ids[1]}  1 span  `);
  });

  it('says which directory is missing', async () => {
    const r = await runCli(['trace', traceId, '--dir', path.join(dir, 'nope')]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(`agent-otel: no telemetry directory at ${path.join(dir, 'nope')} (set --dir or AGENT_OTEL_DIR to where the agent writes)\n`);
  });
});
