// telemetry.duckdb's `spans` table holds the attributes the views read as typed columns, filled at ingest:
// queries over the database read them, queries over the files parse `attributes`. Both must give the same
// answers, `spans` must keep exactly its documented columns, and a database made before the columns
// existed must still answer right (read as it is, and given the columns by the next writer).
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuerySession } from '../dist/src/query/session.js';
import { ViewerStore } from '../dist/src/viewer/index.js';
import { SPAN_COLUMNS } from '../dist/semconv/schema.js';
import { VIEW_ATTRIBUTES } from '../dist/semconv/viewAttributes.js';
import { runCli, spanRow, writeFile } from './support/cli.js';
import { runFixture, tmpDir } from './support/harness.js';

const VIEWS = ['llm_calls', 'tool_calls', 'agent_runs', 'span_events', 'artifacts'];
const ATTRIBUTE_KEYS = Object.keys(VIEW_ATTRIBUTES);

/** Every row of a relation, as JSON text sorted, so that two sources compare whole. */
const allRows = (relation: string) => `SELECT coalesce(list(t::VARCHAR ORDER BY t::VARCHAR), []) AS rows FROM ${relation} t`;

async function ask(dir: string, source: 'auto' | 'files' | 'duckdb', sql: string) {
  const s = await QuerySession.open(dir, source);
  try {
    return { source: s.source, stored: s.attributesStored, rows: (await s.query(sql)).rows };
  } finally {
    s.close();
  }
}

/** Each view's rows (and span_attrs' typed columns) from one source. */
async function everything(dir: string, source: 'auto' | 'files' | 'duckdb') {
  const s = await QuerySession.open(dir, source);
  try {
    const out: Record<string, unknown> = { source: s.source, stored: s.attributesStored };
    for (const v of VIEWS) out[v] = (await s.query(allRows(v))).rows[0]!.rows;
    const typed = ['trace_id', 'span_id', ...ATTRIBUTE_KEYS, 'marker_pid', 'marker_host'].map((k) => `"${k}"`).join(', ');
    out.span_attrs = (await s.query(allRows(`(SELECT ${typed} FROM span_attrs)`))).rows[0]!.rows;
    return out;
  } finally {
    s.close();
  }
}

async function spanColumns(file: string): Promise<string[]> {
  const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'spans' ORDER BY column_index`))
      .getRowObjectsJS().map((r) => String(r.column_name));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** Turns a database's `spans` table back into what versions before the typed columns made. */
async function makeOld(file: string): Promise<void> {
  const inst = await DuckDBInstance.create(file);
  const conn = await inst.connect();
  try {
    await conn.run(`CREATE TABLE old_spans AS SELECT ${SPAN_COLUMNS.map(([n]) => `"${n}"`).join(', ')} FROM spans`);
    await conn.run('DROP TABLE spans');
    await conn.run('ALTER TABLE old_spans RENAME TO spans');
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/**
 * The demo agent's store (runs, LLM and tool calls) and hand-written rows with values of unexpected types
 * (tokens as text, a non-numeric cost, a cache-write key) and an artifact event: whatever json_transform
 * makes of them must be the same at ingest and at query time.
 */
let base: string;
const withArtifact = (line: string) => JSON.stringify({ ...JSON.parse(line), events: [{ name: 'agent.artifact', time: '2026-01-01T00:00:00.000000Z',
  attributes: { 'agent.artifact.path': 'out/a.txt', 'agent.artifact.size': 12, 'agent.artifact.lines_added': '3' } }] }) + '\n';
beforeAll(async () => {
  base = tmpDir();
  const demo = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: base });
  expect(demo.code).toBe(0);
  const end = new Date(Date.now() - 60_000);
  writeFile(base, 'spans/2026-01-01T000000Z-1-001.jsonl', [
    spanRow('chat odd', end, { id: 'odd1', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm-odd', 'gen_ai.usage.input_tokens': '12', 'gen_ai.usage.output_tokens': 7.9, 'agent.cost.usd': 'free', 'gen_ai.usage.cache_write.input_tokens': 3, 'agent.run.id': 'run-odd' } }),
    spanRow('execute_tool odd', end, { id: 'odd2', status: 'ERROR', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'odd', 'agent.call.wrapper': 'yes', 'agent.run.id': 'run-odd' } }),
    withArtifact(spanRow('invoke_agent odd', end, { id: 'odd3', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'agent.run.id': 'run-odd', 'agent.run.status': 'success', 'agent.items.discovered': 2, 'agent.run.cost.usd': 0.5 } })),
    spanRow('no attributes', end, { id: 'odd4' }),
  ].join(''), 60_000);
}, 60_000);

/** The viewer's runs and slim span rows (what its pages read), as sorted JSON text. */
async function viewerRows(dir: string, source: 'auto' | 'files' | 'duckdb') {
  const store = await ViewerStore.open({ dir, source, pollMs: 60_000 });
  try {
    await store.ready;
    expect(store.loadError).toBeUndefined();
    const rows = async (sql: string) => (await store.query(allRows(sql)))[0]!.rows;
    return { from: store.from, runs: await rows('vruns'), spans: await rows('(SELECT * EXCLUDE (src) FROM vspans)') };
  } finally {
    await store.close();
  }
}

const copy = (from: string) => {
  const d = tmpDir();
  fs.cpSync(from, d, { recursive: true });
  return d;
};

describe('typed attribute columns in telemetry.duckdb', () => {
  it('give every view the same rows as parsing the files; `spans` keeps exactly its documented columns', async () => {
    const d = copy(base);
    const files = await everything(d, 'files');
    const db = await everything(d, 'auto'); // ingests everything first
    expect(db.source).toBe('duckdb');
    expect(db.stored).toBe(true);
    expect(files.stored).toBe(false);
    for (const k of [...VIEWS, 'span_attrs']) expect(db[k], k).toEqual(files[k]);
    expect((files.llm_calls as unknown[]).length).toBeGreaterThan(0);
    expect((files.artifacts as unknown[]).length).toBeGreaterThan(0);
    // The odd values: whatever json_transform made of them, the same both ways.
    const odd = await ask(d, 'duckdb', `SELECT input_tokens, output_tokens, cost_usd, cache_creation_tokens FROM llm_calls WHERE model = 'm-odd'`);
    expect(odd.rows).toEqual((await ask(d, 'files', `SELECT input_tokens, output_tokens, cost_usd, cache_creation_tokens FROM llm_calls WHERE model = 'm-odd'`)).rows);
    expect(odd.rows).toHaveLength(1);

    const viewerFiles = await viewerRows(d, 'files');
    const viewerDb = await viewerRows(d, 'duckdb');
    expect(viewerDb.from).toBe('duckdb');
    expect(viewerDb.runs).toEqual(viewerFiles.runs);
    expect(viewerDb.spans).toEqual(viewerFiles.spans);

    const cols = await ask(d, 'duckdb', 'SELECT column_name FROM (DESCRIBE spans)');
    expect(cols.rows.map((r) => r.column_name)).toEqual(SPAN_COLUMNS.map(([n]) => n));
    expect(await spanColumns(path.join(d, 'telemetry.duckdb'))).toEqual([...SPAN_COLUMNS.map(([n]) => n), ...ATTRIBUTE_KEYS]);
  });

  it('the report is the same from the database and from the files', async () => {
    const d = copy(base);
    const files = await runCli(['report', '--since', 'all', '--json', '--dir', d, '--source', 'files']);
    const db = await runCli(['report', '--since', 'all', '--json', '--dir', d]);
    expect(files.code, files.stderr).toBe(0);
    expect(db.code, db.stderr).toBe(0);
    // Means and sums of doubles depend on the order DuckDB's threads add them in: compared to 12 digits.
    const parse = (text: string) => JSON.parse(text, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
    expect(parse(db.stdout)).toEqual(parse(files.stdout));
    expect(parse(db.stdout).llm_by_model.length).toBeGreaterThan(0);
  });

  it('rows the files gained since the last ingest are parsed and joined to the typed rows', async () => {
    const d = copy(base);
    await ask(d, 'auto', 'SELECT 1'); // the database holds everything
    const end = new Date(Date.now() - 30_000);
    writeFile(d, 'spans/2026-01-01T000000Z-1-001.jsonl', fs.readFileSync(path.join(d, 'spans/2026-01-01T000000Z-1-001.jsonl'), 'utf8') +
      spanRow('chat late', end, { id: 'late1', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm-late', 'gen_ai.usage.input_tokens': 5 } }));
    const db = await everything(d, 'duckdb'); // the database as it is, plus nothing: it lacks the late row
    const mixed = await QuerySession.open(d, 'auto', { waitMs: 0 });
    try {
      expect(mixed.source).toBe('duckdb'); // the catch-up loaded the late row
    } finally {
      mixed.close();
    }
    const files = await everything(d, 'files');
    const after = await everything(d, 'duckdb');
    for (const k of [...VIEWS, 'span_attrs']) expect(after[k], k).toEqual(files[k]);
    expect((after.llm_calls as string[]).length).toBe((db.llm_calls as string[]).length + 1);
  });

  it('a database without them (an older version) answers the same as it is, and the next writer adds them', async () => {
    const d = copy(base);
    const files = await everything(d, 'files');
    await ask(d, 'auto', 'SELECT 1');
    const dbFile = path.join(d, 'telemetry.duckdb');
    await makeOld(dbFile);
    expect(await spanColumns(dbFile)).toEqual(SPAN_COLUMNS.map(([n]) => n));

    const old = await everything(d, 'duckdb'); // read only: parsed at query time
    expect(old.stored).toBe(false);
    for (const k of [...VIEWS, 'span_attrs']) expect(old[k], k).toEqual(files[k]);
    const viewerOld = await viewerRows(d, 'duckdb'); // the viewer parses them too
    const viewerFiles = await viewerRows(d, 'files');
    expect(viewerOld.from).toBe('duckdb');
    expect(viewerOld.runs).toEqual(viewerFiles.runs);
    expect(viewerOld.spans).toEqual(viewerFiles.spans);
    expect(await spanColumns(dbFile)).toEqual(SPAN_COLUMNS.map(([n]) => n)); // readers do not change it

    const migrated = await everything(d, 'auto'); // a writer may: the catch-up adds the columns
    expect(migrated.stored).toBe(true);
    for (const k of [...VIEWS, 'span_attrs']) expect(migrated[k], k).toEqual(files[k]);
    expect(await spanColumns(dbFile)).toEqual([...SPAN_COLUMNS.map(([n]) => n), ...ATTRIBUTE_KEYS]);
    const count = await ask(d, 'duckdb', 'SELECT count(*) AS n, count(DISTINCT span_id) AS u FROM spans');
    expect(count.rows).toEqual((await ask(d, 'files', 'SELECT count(*) AS n, count(DISTINCT span_id) AS u FROM spans')).rows);
  });
});
