import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { registerTelemetry, withAgentRun, withLlmCall, type TelemetryHandle } from '../dist/src/index.js';
import { readMetrics, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  delete process.env.AGENT_OTEL_DUCKDB;
});

async function queryDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function work(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) {
    await withAgentRun({ agentName: 'db-agent', runKind: 'k' }, () =>
      withLlmCall({ provider: 'openai', model: 'gpt-4o' }, (c) => c.recordUsage({ inputTokens: 100 + i, outputTokens: 10 })));
  }
}

describe('DuckDB in the agent', () => {
  it('by default the agent does no database work: only JSONL files, no telemetry.duckdb, no writer', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir });
    await work(5);
    await handle.shutdown();
    expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(false);
    expect(handle.exporters.duckdb).toBeUndefined();
    expect(handle.health().duckdb).toBeUndefined();
    expect((await readSpans(dir)).length).toBe(10); // a run and its call each (the run start is a runs/ row)
  });

  it("duckdb: 'live': after shutdown telemetry.duckdb holds exactly the JSONL rows, checkpointed and closed", async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, duckdb: 'live' });
    await work();
    await handle.shutdown();
    const file = path.join(dir, 'telemetry.duckdb');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.wal`)).toBe(false); // checkpointed: nothing left in the WAL
    const spans = await readSpans(dir);
    const metrics = await readMetrics(dir);
    // closed: another instance can open it
    const [counts] = await queryDb(file, 'SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM metrics) AS metrics, (SELECT count(*) FROM run_starts) AS starts');
    expect(Number(counts!.spans)).toBe(spans.length);
    expect(Number(counts!.metrics)).toBe(metrics.length);
    expect(spans.length).toBe(40);
    expect(Number(counts!.starts)).toBe(20);
    // attributes are queryable as JSON; times are timestamps
    const [tokens] = await queryDb(file, `SELECT sum((attributes->>'gen_ai.usage.input_tokens')::INT) AS t, min(start_time) AS first FROM spans WHERE name = 'chat gpt-4o'`);
    expect(Number(tokens!.t)).toBe(Array.from({ length: 20 }, (_, i) => 100 + i).reduce((s, x) => s + x, 0));
    expect(tokens!.first).toBeTruthy();
    // the bookkeeping says which bytes of which files it holds
    const held = await queryDb(file, 'SELECT file, bytes FROM _agent_otel_ingested ORDER BY file');
    const files = ['metrics', 'resources', 'runs', 'spans'].flatMap((sub) => fs.readdirSync(path.join(dir, sub)).map((f) => `${sub}/${f}`)).sort();
    expect(held.map((r) => r.file)).toEqual(files);
    for (const r of held) expect(Number(r.bytes)).toBe(fs.statSync(path.join(dir, String(r.file))).size);
  });

  it("duckdb: 'live' loads while the agent runs (within a few seconds), and holds the file only while it loads", async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, duckdb: 'live' });
    await work(5);
    await handle.forceFlush();
    await waitFor(() => (handle!.health().duckdb?.loaded.spans ?? 0) >= 10, 5000, 'rows in DuckDB');
    expect(handle.health().duckdb).toMatchObject({ lagging: false, file: path.join(dir, 'telemetry.duckdb') });
    expect(handle.health().duckdb?.lastLoadAt).toBeTruthy();
    // between loads the file is free: another process opens it for writing
    const other = runFixture('hold-duckdb.mjs', {}, [dir]);
    let out = '';
    other.child.stdout!.on('data', (d) => { out += d; });
    await waitFor(() => out.includes('ready') || other.child.exitCode !== null, 20_000, 'the other process');
    other.child.kill('SIGKILL');
    expect((await other).stderr).toBe('');
    expect(out).toBe('ready\n');
  });

  it('duckdb: false and AGENT_OTEL_DUCKDB=false turn it off; true and AGENT_OTEL_DUCKDB=live turn the live loads on', async () => {
    const dir0 = tmpDir();
    handle = registerTelemetry({ dir: dir0, duckdb: true });
    expect([handle.config.duckdb, !!handle.exporters.duckdb]).toEqual(['live', true]);
    await handle.shutdown();
    handle = registerTelemetry({ dir: dir0, duckdb: 'readers' });
    expect([handle.config.duckdb, !!handle.exporters.duckdb]).toEqual(['readers', false]);
    await handle.shutdown();
    const dir = tmpDir();
    handle = registerTelemetry({ dir, duckdb: false, jsonl: false });
    await work(1);
    await handle.shutdown();
    expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(false);
    const dir2 = tmpDir();
    process.env.AGENT_OTEL_DUCKDB = 'false';
    handle = registerTelemetry({ dir: dir2, jsonl: false });
    await work(1);
    await handle.shutdown();
    expect(fs.existsSync(path.join(dir2, 'telemetry.duckdb'))).toBe(false);
    const dir3 = tmpDir();
    process.env.AGENT_OTEL_DUCKDB = 'live';
    handle = registerTelemetry({ dir: dir3 });
    expect(handle.config.duckdb).toBe('live');
    await work(1);
    await handle.shutdown();
    const [c] = await queryDb(path.join(dir3, 'telemetry.duckdb'), 'SELECT count(*) AS n FROM spans');
    expect(Number(c!.n)).toBe(2);
    process.env.AGENT_OTEL_DUCKDB = 'sometimes';
    expect(() => registerTelemetry({ dir: dir3 })).toThrow(/AGENT_OTEL_DUCKDB/);
    delete process.env.AGENT_OTEL_DUCKDB;
    expect(() => registerTelemetry({ dir: dir3, duckdb: 'yes' as never })).toThrow(/option duckdb must be 'readers', 'live', true or false/);
  });

  it('without JSONL, writes the database directly', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, jsonl: false });
    await work(4);
    await handle.shutdown();
    expect(fs.existsSync(path.join(dir, 'spans'))).toBe(false);
    const [c] = await queryDb(path.join(dir, 'telemetry.duckdb'), `SELECT count(*) AS n, count(DISTINCT attributes->>'agent.run.id') AS runs FROM spans`);
    expect([Number(c!.n), Number(c!.runs)]).toEqual([8, 4]);
    // Run starts are rows of the local files only: with none, there are none.
    const [s] = await queryDb(path.join(dir, 'telemetry.duckdb'), 'SELECT count(*) AS n FROM run_starts');
    expect(Number(s!.n)).toBe(0);
    const [m] = await queryDb(path.join(dir, 'telemetry.duckdb'), `SELECT count(*) AS n FROM metrics WHERE name = 'agent.runs'`);
    expect(Number(m!.n)).toBeGreaterThan(0);
  });

  it("duckdb: 'live' when another process holds the file: warns once, keeps JSONL going, catches up once it is free", async () => {
    const dir = tmpDir();
    const holder = runFixture('hold-duckdb.mjs', {}, [dir]);
    await new Promise<void>((resolve) => holder.child.stdout!.on('data', () => resolve()));
    const warnings: string[] = [];
    try {
      handle = registerTelemetry({ dir, logLevel: 'none', duckdb: 'live' });
      diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
      await work(10);
      await handle.forceFlush();
      await new Promise((r) => setTimeout(r, 2500)); // two turns that find the file held
      expect(handle.health().duckdb).toMatchObject({ lagging: true, loaded: { spans: 0 } });
      holder.child.kill('SIGKILL');
      await holder;
      await work(10);
      await handle.shutdown();
    } finally {
      diag.disable();
      holder.child.kill('SIGKILL');
    }
    const held = warnings.filter((w) => w.includes('telemetry.duckdb is in use by another process'));
    expect(held).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('agent-otel:'))).toEqual(held); // one cause, one message
    expect(handle!.health().dropped.spans).toBe(0);
    expect(await readSpans(dir)).toHaveLength(40);
    const [c] = await queryDb(path.join(dir, 'telemetry.duckdb'), 'SELECT count(*) AS n FROM spans');
    expect(Number(c!.n)).toBe(40);
  });
});
