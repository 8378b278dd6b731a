// Format v2, lean rows: each resource once in resources/, span/metric/log rows name it by resource_id,
// and every reader (CLI views from files and from telemetry.duckdb, ingest, compaction, the viewer,
// readJsonl) gives rows their resource back; old rows with the resource inline still read right.
// Since format v3 a resource row also names the scope of the rows naming it (tests/rows-v3.test.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { logger, registerTelemetry, withAgentRun, withLlmCall, type TelemetryHandle } from '../dist/src/index.js';
import { compact } from '../dist/src/query/compact.js';
import { pruneFiles } from '../dist/exporters/jsonl/prune.js';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { SPAN_COLUMNS } from '../dist/semconv/schema.js';
import { rawRows, readMetrics, readSpans, resourcesById, tmpDir } from './support/harness.js';
import { deadPid, runCli, setAge, spanRow, writeFile } from './support/cli.js';

let handle: TelemetryHandle | undefined;
let viewer: Viewer | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await viewer?.close();
  viewer = undefined;
});

/** An agent's run with one LLM call (usage recorded) and a log record, shut down after. */
async function agent(dir: string, opts: Record<string, unknown> = {}): Promise<void> {
  handle = registerTelemetry({ dir, serviceName: 'lean-agent', handleSignals: false, ...opts });
  await withAgentRun({ agentName: 'planner' }, () => withLlmCall({ provider: 'openai', model: 'gpt-4o', operation: 'chat' }, (c) => {
    c.recordUsage({ inputTokens: 1200, outputTokens: 340 });
    c.setResponse({ model: 'gpt-4o-2024-08-06' });
    logger('planner').info('plan.made', { steps: 3 });
  }));
  await handle.shutdown();
  handle = undefined;
}

async function sql(dir: string, query: string, source = 'auto'): Promise<Array<Record<string, string>>> {
  const r = await runCli(['sql', query, '--dir', dir, '--source', source, '--json']);
  if (r.code !== 0) throw new Error(`sql failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<Record<string, string>>;
}

const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

describe('lean rows: the resource once', () => {
  it('writes each resource once to resources/, synchronously, before the rows that name it', async () => {
    const dir = tmpDir('agent-otel-lean-');
    await agent(dir);
    // format v3: one row per (resource, scope): the tracer and meter `agent-otel`, the logger `planner`
    const resources = rawRows<{ resource_id: string; service_name: string; scope: { name: string }; resource: Record<string, unknown> }>(dir, 'resources');
    expect(resources.map((r) => r.scope.name).sort()).toEqual(['agent-otel', 'planner']);
    for (const res of resources) {
      expect(Object.keys(res)).toEqual(['resource_id', 'service_name', 'scope', 'resource']);
      expect(res.service_name).toBe('lean-agent');
      expect(res.resource).toEqual(resources[0]!.resource);
      expect(res.resource).toMatchObject({ 'service.name': 'lean-agent', 'process.pid': process.pid });
      expect(res.resource_id).toBe(crypto.createHash('sha256').update(`${JSON.stringify(res.resource)}\n${JSON.stringify(res.scope)}`).digest('hex').slice(0, 16));
    }
    const ids = new Map(resources.map((r) => [r.resource_id, r.scope.name]));
    const resFile = path.join(dir, 'resources', fs.readdirSync(path.join(dir, 'resources'))[0]!);
    expect(path.basename(resFile)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d{6}Z-${process.pid}-\\d{3}\\.jsonl$`));
    expect(fs.statSync(resFile).mode & 0o777).toBe(0o600);
    for (const signal of ['spans', 'metrics', 'logs']) {
      const rows = rawRows<Record<string, unknown>>(dir, signal);
      expect(rows.length, signal).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.resource, signal).toBeUndefined();
        expect(ids.get(row.resource_id as string), signal).toBe(signal === 'logs' ? 'planner' : 'agent-otel');
        expect(row.service_name, signal).toBeUndefined(); // named by the resource row (v3)
        expect(row.scope, signal).toBeUndefined();
      }
    }
  });

  it('a typical LLM-call span row (withLlmCall with usage) is about half the size it was with the resource inline', async () => {
    const dir = tmpDir('agent-otel-lean-size-');
    handle = registerTelemetry({ dir, handleSignals: false });
    await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, (c) => { c.recordUsage({ inputTokens: 1200, outputTokens: 340 }); });
    await handle.shutdown();
    handle = undefined;
    const line = fs.readdirSync(path.join(dir, 'spans')).map((n) => fs.readFileSync(path.join(dir, 'spans', n), 'utf8')).join('').split('\n')[0]!;
    const row = JSON.parse(line) as { name: string; resource_id: string };
    expect(row.name).toBe('chat gpt-4o-mini');
    const bytes = Buffer.byteLength(line) + 1;
    const inline = bytes - Buffer.byteLength(`"resource_id":"${row.resource_id}"`) +
      Buffer.byteLength(`"resource":${JSON.stringify(resourcesById(dir).get(row.resource_id))}`);
    // measured 652 bytes in format v2 (472 in v3: tests/rows-v3.test.ts), was ~1,150 with the resource inline
    expect(bytes).toBeLessThanOrEqual(680);
    expect(bytes / inline).toBeLessThan(0.6);
  });

  it('the CLI views give every row its resource, from the files and from telemetry.duckdb (readers join it in)', async () => {
    const dir = tmpDir('agent-otel-lean-cli-');
    await agent(dir);
    const resource = [...resourcesById(dir).values()][0]!;
    for (const source of ['files', 'auto', 'duckdb']) {
      for (const relation of ['spans', 'metrics', 'logs']) {
        const rows = await sql(dir, `SELECT resource, resource_id FROM ${relation}`, source);
        expect(rows.length, `${relation} ${source}`).toBeGreaterThan(0);
        for (const r of rows) {
          expect(parseJson(r.resource), `${relation} ${source}`).toEqual(resource);
          expect(r.resource_id).toMatch(/^[0-9a-f]{16}$/);
        }
      }
    }
    // the database's tables keep, like the files, each resource once (the resources table) and its id in the rows
    const instance = await DuckDBInstance.create(path.join(dir, 'telemetry.duckdb'), { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    try {
      const rows = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE resource IS NULL)::INT AS missing, count(*)::INT AS n FROM spans`)).getRowObjectsJS();
      expect(rows).toEqual([{ missing: 2, n: 2 }]); // the run and the LLM call: the table keeps the resource once, in `resources`
      expect((await conn.runAndReadAll('SELECT resource_id, service_name FROM resources ORDER BY resource_id')).getRowObjectsJS())
        .toEqual([...resourcesById(dir).keys()].sort().map((id) => ({ resource_id: id, service_name: 'lean-agent' })));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("duckdb: 'live' loads rows whole; without JSONL files the DuckDB exporters keep the resource inline", async () => {
    const live = tmpDir('agent-otel-lean-live-');
    await agent(live, { duckdb: 'live' });
    const resource = [...resourcesById(live).values()][0]!;
    const fromDb = await sql(live, 'SELECT resource FROM spans', 'duckdb');
    expect(fromDb).toHaveLength(2);
    for (const r of fromDb) expect(parseJson(r.resource)).toEqual(resource);

    const dbOnly = tmpDir('agent-otel-lean-dbonly-');
    await agent(dbOnly, { duckdb: 'live', jsonl: false });
    expect(fs.existsSync(path.join(dbOnly, 'resources'))).toBe(false);
    const rows = await sql(dbOnly, 'SELECT resource, resource_id FROM spans', 'duckdb');
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(parseJson(r.resource)).toMatchObject({ 'service.name': 'lean-agent', 'process.pid': process.pid });
      expect(r.resource_id).toBeNull();
    }
  });

  it('a mixed store (old rows with the resource inline, new rows, a database made before resource_id) reads right everywhere', async () => {
    const dir = tmpDir('agent-otel-lean-mixed-');
    // a database of the old layout: tables without resource_id, no resources table
    const oldColumns = SPAN_COLUMNS.filter(([n]) => n !== 'resource_id').map(([n, t]) => `"${n}" ${t}`).join(', ');
    const instance = await DuckDBInstance.create(path.join(dir, 'telemetry.duckdb'));
    const conn = await instance.connect();
    await conn.run(`CREATE TABLE spans (${oldColumns})`);
    await conn.run('CREATE TABLE _agent_otel_ingested (file VARCHAR PRIMARY KEY, signal VARCHAR, bytes BIGINT, updated_at TIMESTAMP)');
    await conn.run(`INSERT INTO spans (trace_id, span_id, name, resource) VALUES ('${'a'.repeat(32)}', '${'b'.repeat(16)}', 'in the old db', '{"service.name":"db-era"}')`);
    conn.closeSync();
    instance.closeSync();
    writeFile(dir, 'spans/2026-01-01T000000Z-1-001.jsonl', spanRow('old inline', new Date()));
    await agent(dir);
    const resource = [...resourcesById(dir).values()][0]!;
    const query = `SELECT name, resource->>'service.name' AS service FROM spans ORDER BY name`;
    const expected = [
      { name: 'chat gpt-4o', service: 'lean-agent' }, { name: 'in the old db', service: 'db-era' },
      { name: 'invoke_agent planner', service: 'lean-agent' }, { name: 'old inline', service: 'fixture' },
    ];
    const fromFiles = await sql(dir, query, 'files');
    expect(fromFiles.filter((r) => r.name !== 'agent.run.start')).toEqual(expected.filter((r) => r.name !== 'in the old db'));
    const auto = await sql(dir, query, 'auto'); // ingests into the old database first (adds the column)
    expect(auto.filter((r) => r.name !== 'agent.run.start')).toEqual(expected);
    expect((await sql(dir, query, 'duckdb')).filter((r) => r.name !== 'agent.run.start')).toEqual(expected);
    const full = await sql(dir, `SELECT resource FROM spans WHERE name = 'chat gpt-4o'`, 'duckdb');
    expect(parseJson(full[0]!.resource)).toEqual(resource);
    // readJsonl: old rows as written, new ones with the resource filled in
    const rows = await readSpans(dir);
    expect(rows.find((r) => r.name === 'old inline')!.resource).toEqual({ 'service.name': 'fixture' });
    expect(rows.find((r) => r.name === 'chat gpt-4o')!.resource).toEqual(resource);
    expect((await readMetrics(dir)).every((m) => m.resource?.['service.name'] === 'lean-agent')).toBe(true);
  });

  it('compaction fills the resource into the Parquet rows; resource files stay JSONL', async () => {
    const dir = tmpDir('agent-otel-lean-compact-');
    await agent(dir);
    const resource = [...resourcesById(dir).values()][0]!;
    const r = await compact(dir, { olderThanMs: 0, now: Date.now() + 1000 });
    expect(r.skipped).toEqual([]);
    expect(r.files.map((f) => f.rel.split('/')[0]).sort()).toEqual(['logs', 'metrics', 'runs', 'spans']);
    expect(fs.readdirSync(path.join(dir, 'resources')).every((n) => n.endsWith('.jsonl'))).toBe(true);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const rows = (await conn.runAndReadAll(`SELECT resource, resource_id FROM read_parquet('${path.join(dir, 'spans')}/*.parquet')`)).getRowObjectsJS();
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(JSON.parse(String(row.resource))).toEqual(resource);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    for (const row of await sql(dir, 'SELECT resource FROM logs', 'files')) expect(parseJson(row.resource)).toEqual(resource);
  });

  it('the viewer shows a span\'s resource, read from the JSONL files and from the database', async () => {
    const dir = tmpDir('agent-otel-lean-viewer-');
    await agent(dir);
    const resource = [...resourcesById(dir).values()][0]!;
    const traceId = rawRows<{ trace_id: string }>(dir, 'spans')[0]!.trace_id;
    for (const source of ['files', 'auto'] as const) {
      viewer = await startViewer({ dir, port: 0, pollMs: 60_000, source });
      const res = await fetch(`${viewer.url.replace(/\/$/, '')}/api/traces/${traceId}`);
      expect(res.status).toBe(200);
      const body = await res.json() as { spans: Array<{ name: string; resource: Record<string, unknown> }> };
      expect(body.spans.length, source).toBeGreaterThanOrEqual(2);
      for (const s of body.spans) expect(s.resource, `${source}: ${s.name}`).toEqual(resource);
      await viewer.close();
      viewer = undefined;
    }
  });

  it('when the resource row cannot be written, rows carry the resource inline: nothing is lost', async () => {
    const dir = tmpDir('agent-otel-lean-nores-');
    fs.writeFileSync(path.join(dir, 'resources'), 'not a folder'); // resources/ cannot be made
    await agent(dir);
    const rows = rawRows<Record<string, unknown>>(dir, 'spans');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.resource_id).toBeUndefined();
      expect(row.resource).toMatchObject({ 'service.name': 'lean-agent', 'process.pid': process.pid });
    }
    for (const r of await sql(dir, 'SELECT resource FROM spans', 'files')) expect(parseJson(r.resource)['service.name']).toBe('lean-agent');
  });

  it('prune keeps a resources file while a data file of its writer is left, and deletes it after', async () => {
    const dir = tmpDir('agent-otel-lean-prune-');
    const [a, b] = [await deadPid(), await deadPid()];
    const day = 86_400_000;
    const res = (pid: number) => writeFile(dir, `resources/2026-01-01T000000Z-${pid}-001.jsonl`, '{"resource_id":"0000000000000000","service_name":"x","resource":{}}\n', 3 * day);
    const resA = res(a);
    const resB = res(b); // no data file of writer b is left
    const spansA = writeFile(dir, `spans/2026-01-01T000000Z-${a}-001.jsonl`, spanRow('x', new Date()), 60 * 60_000);
    const opts = { maxAgeMs: day, maxTotalBytes: 1 << 30 };
    const first = await pruneFiles(dir, opts);
    expect(first.deleted.map((d) => d.file)).toEqual([resB]);
    expect(fs.existsSync(resA)).toBe(true);
    setAge(spansA, 2 * day);
    const second = await pruneFiles(dir, opts);
    expect(second.deleted.map((d) => d.file)).toEqual([spansA, resA]);
  });
});
