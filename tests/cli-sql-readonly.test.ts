import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, spanRow } from './support/cli.js';
import { runFixture, tmpDir } from './support/harness.js';

// Issue 10, finding 3: `agent-otel sql` could plant rows, write files anywhere and empty the database.
// Now it runs exactly one read-only statement over the telemetry directory, nothing else.
let dir: string;
let outside: string;

beforeAll(async () => {
  dir = tmpDir();
  outside = tmpDir();
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret\n');
  fs.mkdirSync(path.join(dir, 'spans'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'spans', 'spans-2026-01-01-host-1-aaaa.jsonl'), spanRow('one', new Date()) + '\n');
  // a database too: the attack that emptied it went through ATTACH
  const r = await runFixture('../../dist/src/cli/bin.js', {}, ['ingest', '--dir', dir]);
  expect(r.code, r.stderr).toBe(0);
});

const count = async () => {
  const r = await runCli(['sql', '--dir', dir, '--json', 'SELECT count(*) AS n FROM spans']);
  expect(r.code, r.stderr).toBe(0);
  return Number(JSON.parse(r.stdout)[0].n);
};

describe('agent-otel sql is read-only', () => {
  it('answers queries, DESCRIBE and EXPLAIN', async () => {
    expect(await count()).toBe(1);
    for (const q of ['DESCRIBE llm_calls', 'EXPLAIN SELECT * FROM spans', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x']) {
      const r = await runCli(['sql', '--dir', dir, q]);
      expect(r.code, `${q}: ${r.stderr}`).toBe(0);
    }
  });

  it('refuses more than one statement, and anything but a query, with exit 1 and a message', async () => {
    const attacks: Array<[string, RegExp]> = [
      [`SELECT 1; COPY (SELECT * FROM spans) TO '${dir}/spans/forged.jsonl'`, /exactly one statement/],
      [`COPY (SELECT 1) TO '${outside}/x.csv'`, /read-only queries.*COPY|file system operations are disabled/],
      [`SELECT 1; DETACH store; ATTACH '${dir}/telemetry.duckdb' AS w; DELETE FROM w.spans`, /exactly one statement/],
      [`ATTACH '${dir}/telemetry.duckdb' AS w`, /read-only queries/],
      ['CREATE TABLE t AS SELECT 1', /read-only queries/],
      ['INSTALL httpfs', /read-only queries/],
      ['SET enable_external_access = true', /read-only queries/],
    ];
    for (const [q, message] of attacks) {
      const r = await runCli(['sql', '--dir', dir, q]);
      expect(r.code, q).toBe(1);
      expect(r.stderr, q).toMatch(message);
    }
    expect(fs.readdirSync(path.join(dir, 'spans'))).toEqual(['spans-2026-01-01-host-1-aaaa.jsonl']);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(await count()).toBe(1);
  });

  it('reads no file outside the telemetry directory and loads no extension', async () => {
    for (const q of [`SELECT * FROM read_csv('${outside}/secret.txt')`, `SELECT * FROM read_text('${dir}/../${path.basename(outside)}/secret.txt')`, `LOAD httpfs`]) {
      const r = await runCli(['sql', '--dir', dir, q]);
      expect(r.code, q).toBe(1);
      expect(r.stdout, q).not.toContain('top secret');
    }
  });
});
