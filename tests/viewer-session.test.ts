import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QuerySession } from '../dist/src/query/session.js';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { runFixture, spawnCollect, tmpDir } from './support/harness.js';

/** Opens telemetry.duckdb for writing in another process (DuckDB's lock is per process): 'ok', or why not. */
async function openForWriting(file: string): Promise<string> {
  const r = await spawnCollect(process.execPath, ['--input-type=module', '-e',
    `import { DuckDBInstance } from '@duckdb/node-api';
     try { const i = await DuckDBInstance.create(${JSON.stringify(file)}); i.closeSync(); console.log('ok'); }
     catch (e) { console.log(String(e.message).split('\\n')[0]); }`]);
  return r.stdout.trim();
}

async function runIds(dir: string): Promise<string[]> {
  const s = await QuerySession.open(dir, 'files');
  try {
    return (await s.query('SELECT run_id FROM agent_runs ORDER BY run_id')).rows.map((r) => String(r.run_id));
  } finally {
    s.close();
  }
}

let viewer: Viewer | undefined;
afterAll(async () => { await viewer?.close(); });

describe('the viewer keeps its query session between requests', () => {
  it('holds telemetry.duckdb only during a request, answers the same, and sees new rows at once', async () => {
    const dir = tmpDir('agent-otel-viewer-session-');
    expect((await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir })).code).toBe(0);
    viewer = await startViewer({ dir, port: 0, pollMs: 60_000 });
    const runs = async () => {
      const res = await fetch(`${viewer!.url.replace(/\/$/, '')}/api/runs?limit=200`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { rows: Array<{ run_id: string }> }).rows.map((r) => r.run_id).sort();
    };
    const file = path.join(dir, 'telemetry.duckdb');
    const first = await runs();
    expect(first).toEqual(await runIds(dir));
    expect(first.length).toBeGreaterThan(0);
    // Between requests the file is free: an agent (or an ingest) can open it for writing.
    expect(await openForWriting(file)).toBe('ok');
    expect(await runs()).toEqual(first);
    expect(await openForWriting(file)).toBe('ok');
    // New runs in the files (the database not caught up: the poll is a minute away) are in the next answer.
    expect((await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir })).code).toBe(0);
    const after = await runs();
    expect(after.length).toBeGreaterThan(first.length);
    expect(after).toEqual(await runIds(dir));
    expect(await openForWriting(file)).toBe('ok');
  }, 120_000);
});
