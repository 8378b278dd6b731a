// The run-start record (`<dir>/runs/`, relation `run_starts`): what withAgentRun writes instead of the
// old `agent.run.start` marker span, how every reader gets it (files, the DuckDB file, the viewer), and
// stores written before it (marker spans) still giving the same run statuses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerTelemetry, withAgentRun, withLlmCall, type TelemetryHandle } from '../dist/src/index.js';
import { pruneFiles } from '../dist/exporters/jsonl/prune.js';
import { startViewer } from '../dist/src/viewer/index.js';
import { deadPid, runCli, setAge, spanRow, writeFile } from './support/cli.js';
import { cliJson } from './support/stores.js';
import { readRunStarts, readSpans, runFixture, tmpDir, waitFor } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const stamp = (pid: number) => `${new Date().toISOString().slice(0, 10)}T000000Z-${pid}-001.jsonl`;
const sql = async (dir: string, query: string, source: string) => {
  const r = await runCli(['sql', query, '--dir', dir, '--source', source, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};
const statuses = async (dir: string, ...args: string[]) =>
  Object.fromEntries((await cliJson<Array<{ run_id: string; status: string }>>(['runs', '--dir', dir, ...args])).map((r) => [r.run_id, r.status]));

describe('run starts', () => {
  it('`sql "SELECT * FROM run_starts"` gives the same typed rows from the files and from telemetry.duckdb', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, serviceName: 'starts' });
    for (const kind of ['a', 'b', undefined]) await withAgentRun({ agentName: 'starter', runKind: kind }, () => withLlmCall({ provider: 'openai', model: 'm' }, () => 1));
    await handle.shutdown();
    const written = (await readRunStarts(dir)).sort((a, b) => a.start_time.localeCompare(b.start_time) || a.run_id.localeCompare(b.run_id));
    expect(written).toHaveLength(3);
    const query = 'SELECT * FROM run_starts ORDER BY start_time, run_id';
    const fromFiles = await sql(dir, query, 'files');
    expect(fromFiles.map((r) => Object.keys(r))[0]).toEqual(['run_id', 'trace_id', 'span_id', 'start_time', 'agent', 'kind', 'service_name', 'host', 'pid']);
    expect(fromFiles.map((r) => [r.run_id, r.kind, r.service_name, r.host, Number(r.pid)]))
      .toEqual(written.map((w) => [w.run_id, w.kind, 'starts', os.hostname(), process.pid]));
    expect(await sql(dir, "SELECT typeof(start_time) AS t, typeof(pid) AS p FROM run_starts LIMIT 1", 'files')).toEqual([{ t: 'TIMESTAMP', p: 'BIGINT' }]);
    const ingest = await runCli(['ingest', '--dir', dir]);
    expect(ingest.stdout).toContain('3 run starts');
    expect(await sql(dir, query, 'duckdb')).toEqual(fromFiles);
    expect(await runCli(['ingest', '--dir', dir])).toMatchObject({ code: 0, stdout: expect.stringContaining('0 run starts') });
    // No marker span anywhere: the trace holds the run and its call.
    expect((await readSpans(dir)).map((s) => s.name).sort()).toEqual([...Array(3).fill('chat m'), ...Array(3).fill('invoke_agent starter')]);
  });

  it('an old store with agent.run.start marker spans gives the same statuses as before, in the CLI and the viewer', async () => {
    const dir = tmpDir();
    const dead = await deadPid();
    const marker = (runId: string, pid: number) => spanRow('agent.run.start', new Date(), {
      id: `m${runId}`, ms: 0, attributes: { 'agent.span.type': 'run_start', 'agent.run.id': runId, 'gen_ai.agent.name': 'legacy', 'agent.run.kind': 'old' },
    }).replace('"resource":{"service.name":"fixture"}', `"resource":{"service.name":"fixture","host.name":${JSON.stringify(os.hostname())},"process.pid":${pid}}`);
    const runSpan = (runId: string) => spanRow('invoke_agent legacy', new Date(), {
      id: `r${runId}`, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'legacy', 'agent.run.id': runId, 'agent.run.status': 'success' },
    });
    // Markers of a live process (this one), of a gone one, and of a run that ended.
    writeFile(dir, `spans/${stamp(process.pid)}`, marker('live', process.pid));
    writeFile(dir, `spans/${stamp(dead)}`, marker('gone', dead) + marker('done', dead) + runSpan('done'));
    // And a run start of the new kind, next to them, of the gone process.
    writeFile(dir, `runs/${stamp(dead)}`, JSON.stringify({ run_id: 'new-gone', trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8),
      start_time: new Date().toISOString().replace('Z', '000Z'), agent: 'fresh', kind: null, service_name: 'fixture', host: os.hostname(), pid: dead }) + '\n');
    const expected = { live: 'running', gone: 'abandoned', done: 'success', 'new-gone': 'abandoned' };
    expect(await statuses(dir, '--source', 'files')).toEqual(expected);
    expect(await statuses(dir)).toEqual(expected); // loaded into telemetry.duckdb first
    expect(await statuses(dir, '--source', 'duckdb')).toEqual(expected);
    const viewer = await startViewer({ dir, port: 0 });
    try {
      const res = await fetch(`${viewer.url.replace(/\/$/, '')}/api/runs?limit=50`);
      const rows = ((await res.json()) as { rows: Array<{ run_id: string; status: string }> }).rows;
      expect(Object.fromEntries(rows.map((r) => [r.run_id, r.status]))).toEqual(expected);
    } finally {
      await viewer.close();
    }
  });

  it('the viewer picks up a run start written after it started, and from Parquet once compacted', async () => {
    const dir = tmpDir();
    const dead = await deadPid();
    const row = (id: string) => JSON.stringify({ run_id: id, trace_id: 'ab'.repeat(16), span_id: id.padEnd(16, '0'),
      start_time: new Date().toISOString().replace('Z', '000Z'), agent: 'late', kind: null, service_name: 'fixture', host: os.hostname(), pid: dead }) + '\n';
    const file = writeFile(dir, `runs/${stamp(dead)}`, row('first'));
    const viewer = await startViewer({ dir, port: 0, pollMs: 100 });
    const ids = async () => ((await (await fetch(`${viewer.url.replace(/\/$/, '')}/api/runs?limit=50`)).json()) as { rows: Array<{ run_id: string }> })
      .rows.map((r) => r.run_id).sort();
    try {
      expect(await ids()).toEqual(['first']);
      fs.appendFileSync(file, row('second'));
      await viewer.store.refreshNow();
      expect(await ids()).toEqual(['first', 'second']);
      setAge(file, 2 * 86400e3);
      expect((await runCli(['compact', '--dir', dir])).code).toBe(0);
      expect(fs.readdirSync(path.join(dir, 'runs'))).toEqual([path.basename(file).replace('.jsonl', '.parquet')]);
      await viewer.store.refreshNow();
      expect(await ids()).toEqual(['first', 'second']);
      expect((await sql(dir, 'SELECT run_id FROM run_starts ORDER BY run_id', 'files')).map((r) => r.run_id)).toEqual(['first', 'second']);
    } finally {
      await viewer.close();
    }
  });

  it('a run killed before any of its spans ended is listed (running, then abandoned); `trace` says why it has no span', async () => {
    const dir = tmpDir();
    const child = runFixture('run-then-hang.mjs', { AGENT_OTEL_DUCKDB: 'false' }, [dir]);
    const { runId } = await new Promise<{ runId: string }>((resolve) => child.child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)))));
    await waitFor(async () => (await readRunStarts(dir)).length === 1, 30_000, 'the run start');
    expect(await statuses(dir)).toEqual({ [runId]: 'running' });
    child.child.kill('SIGKILL');
    await child;
    expect(await readSpans(dir)).toEqual([]);
    expect(await statuses(dir)).toEqual({ [runId]: 'abandoned' });
    const [start] = await readRunStarts(dir);
    expect(await runCli(['trace', start!.trace_id, '--dir', dir])).toMatchObject({ code: 1, stdout: '',
      stderr: `agent-otel: trace ${start!.trace_id} has no span yet: its run ${runId} started and is abandoned (no span of it ended)\n` });
    const viewer = await startViewer({ dir, port: 0 });
    try {
      const res = await fetch(`${viewer.url.replace(/\/$/, '')}/api/traces/${start!.trace_id}`);
      expect([res.status, await res.json()]).toEqual([404,
        { error: `trace ${start!.trace_id} has no span yet: its run ${runId} started and is abandoned (no span of it ended)` }]);
    } finally {
      await viewer.close();
    }
  });

  it('a write that fails is counted in health(), never thrown; with local files off nothing is written', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'runs'), 'not a directory');
    handle = registerTelemetry({ dir, logLevel: 'none' });
    expect(await withAgentRun({ agentName: 'blocked' }, () => 42)).toBe(42);
    await handle.forceFlush();
    const h = handle.health();
    expect(h.dropped.byReason).toEqual({ 'run_starts.export_failed': 1 });
    expect(h.status).toBe('degraded');
    expect((await readSpans(dir)).map((s) => s.name)).toEqual(['invoke_agent blocked']);
    await handle.shutdown();

    const off = tmpDir();
    handle = registerTelemetry({ dir: off, jsonl: false, duckdb: false });
    expect(await withAgentRun({ agentName: 'nowhere' }, () => 7)).toBe(7);
    await handle.forceFlush();
    expect(fs.readdirSync(off)).toEqual([]);
  });

  it('retention prunes old run-start files like the other signals', async () => {
    const dir = tmpDir();
    const old = writeFile(dir, `runs/2020-01-01T000000Z-${await deadPid()}-001.jsonl`, '{}\n', 10 * 86400e3);
    const r = await pruneFiles(dir, { maxAgeMs: 86400e3, maxTotalBytes: 1e9 });
    expect(r.deleted.map((d) => d.file)).toEqual([old]);
  });
});
