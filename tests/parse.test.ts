// Issue 13: one definition of each parsing concept (src/parse/, src/storageConfig.ts,
// exporters/jsonl/isoTime.ts), used by the agent's config, the CLI and the viewer alike: the same
// values are accepted everywhere, and a bad one gets the same message naming what was set.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseSize } from '../dist/src/parse/size.js';
import { lookBackCutoff, parseDuration } from '../dist/src/parse/duration.js';
import { envValues, processEnv } from '../dist/src/parse/env.js';
import { isLoopback, loopbackHosts } from '../dist/src/parse/loopback.js';
import { dirFromEnv, duckdbThreadsFromEnv, retentionFromEnv } from '../dist/src/storageConfig.js';
import { hrTimeFromIso, isoMicros, isoSql, sqlTimestamp } from '../dist/exporters/jsonl/isoTime.js';
import { startViewer, type Viewer } from '../dist/src/viewer/index.js';
import { resolveLogs } from '../dist/src/logs/config.js';
import { ROOT, tmpDir } from './support/harness.js';

const BIN = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const env = (vars: Record<string, string>) => envValues((n) => vars[n]);

/** The CLI's one-line error for `args` (exit 1). */
async function cliError(args: string[], vars: Record<string, string> = {}): Promise<string> {
  const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...vars } }).then(
    () => { throw new Error(`agent-otel ${args.join(' ')} succeeded`); },
    (err: { code: number; stderr: string }) => err,
  );
  expect(r.code).toBe(1);
  return r.stderr.replace(/^agent-otel: /, '').trimEnd();
}

describe('durations', () => {
  it('one grammar: a number and a unit from ms to weeks', () => {
    expect([parseDuration('500ms', 'x'), parseDuration('10s', 'x'), parseDuration(' 15m ', 'x'), parseDuration('1.5h', 'x'),
      parseDuration('30D', 'x'), parseDuration('2w', 'x')]).toEqual([500, 10e3, 15 * 60e3, 1.5 * 3600e3, 30 * 86400e3, 14 * 86400e3]);
    for (const bad of ['', '10', 'h', '-1h', '1y', '1 hour', 'all']) {
      expect(() => parseDuration(bad, '--older-than')).toThrow(`--older-than must be a duration such as 30d, 24h, 15m or 10s; got ${JSON.stringify(bad)}`);
    }
  });

  it('a look-back is the cutoff as UTC timestamp text; `all` and a longest look-back only where allowed', () => {
    const now = Date.UTC(2026, 10, 21, 23, 38, 5, 123);
    expect(lookBackCutoff('24h', '--since', {}, now)).toBe('2026-11-20 23:38:05.123');
    expect(lookBackCutoff(undefined, '--since')).toBeUndefined();
    expect(lookBackCutoff('all', 'since', { all: true })).toBeUndefined();
    expect(() => lookBackCutoff('all', '--since')).toThrow('--since must be a duration such as 30d, 24h, 15m or 10s; got "all"');
    expect(() => lookBackCutoff('2001d', 'since', { all: true, maxDays: 2000 })).toThrow('since must be at most 2000 days (2000d, 48000h), or all; got "2001d"');
    expect(lookBackCutoff('2000d', 'since', { all: true, maxDays: 2000 }, now)).toBe(sqlTimestamp(now - 2000 * 86400e3));
    // Past what a Date holds: an error naming the option, not a RangeError from toISOString.
    expect(() => lookBackCutoff('99999999999w', '--since')).toThrow(/^--since must be a look-back that ends after the year 0/);
  });
});

describe('the CLI and the viewer give a bad look-back the same message', () => {
  let viewer: Viewer;
  beforeAll(async () => { viewer = await startViewer({ dir: tmpDir(), port: 0 }); });
  afterAll(async () => { await viewer?.close(); });
  const viewerError = async (query: string) => {
    const r = await fetch(new URL(query, viewer.url));
    expect(r.status).toBe(400);
    return ((await r.json()) as { error: string }).error;
  };

  it('report --since (which takes all) and the viewer\'s since name the same accepted values', async () => {
    const cli = await cliError(['report', '--dir', viewer.store.dir, '--since', 'forever']);
    expect(cli).toBe('--since must be a duration such as 30d, 24h, 15m or 10s, or all; got "forever"');
    expect(await viewerError('/api/runs?since=forever')).toBe(cli.replace('--since', 'since'));
  });

  it('runs, logs, tail and prune take the same durations as the agent', async () => {
    const dir = viewer.store.dir;
    for (const [args, name] of [[['runs', '--since', '1y'], '--since'], [['logs', '--since', '1y'], '--since'],
      [['tail', '--since', '1y'], '--since'], [['prune', '--older-than', '1y'], '--older-than']] as const) {
      expect(await cliError([...args, '--dir', dir])).toBe(`${name} must be a duration such as 30d, 24h, 15m or 10s; got "1y"`);
    }
  });

  it('prune reads the agent\'s retention variables with the agent\'s messages', async () => {
    expect(await cliError(['prune', '--dir', viewer.store.dir], { AGENT_OTEL_RETENTION_DAYS: 'thirty' }))
      .toBe('env AGENT_OTEL_RETENTION_DAYS must be a positive number; got "thirty"');
  });
});

describe('sizes', () => {
  it('bytes or a decimal/binary unit', () => {
    expect([parseSize(1000, 'x'), parseSize('1GiB', 'x'), parseSize('500 MB', 'x'), parseSize('1.5k', 'x')]).toEqual([1000, 1024 ** 3, 500e6, 1500]);
    expect(() => parseSize('10 parsecs', '--max-size')).toThrow(`--max-size must be a size in bytes or with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. '64MiB'; got "10 parsecs"`);
    expect(() => parseSize(0, 'option maxTotalSize')).toThrow(/^option maxTotalSize must be a size/);
  });
});

describe('environment values', () => {
  it('booleans, positive numbers and integers, each error naming the variable', () => {
    const e = env({ A: 'TRUE', B: ' 0 ', C: 'maybe', N: '2.5', U: 'lots', I: '4', F: '1.5', Z: '0', E: '' });
    expect([e.bool('A'), e.bool('B'), e.bool('E'), e.bool('unset')]).toEqual([true, false, undefined, undefined]);
    expect(() => e.bool('C')).toThrow('env C must be one of true, false, 1, 0; got "maybe"');
    expect([e.num('N'), e.int('I'), e.str('E')]).toEqual([2.5, 4, undefined]);
    expect(() => e.num('U', 'USD')).toThrow('env U must be a positive number of USD; got "lots"');
    expect(() => e.num('Z')).toThrow('env Z must be a positive number; got "0"');
    expect(() => e.int('F')).toThrow('env F must be a positive integer; got "1.5"');
  });

  it('the process environment: empty is unset', () => {
    process.env.AGENT_OTEL_PARSE_TEST = '';
    expect(processEnv('AGENT_OTEL_PARSE_TEST')).toBeUndefined();
    process.env.AGENT_OTEL_PARSE_TEST = 'x';
    expect(processEnv('AGENT_OTEL_PARSE_TEST')).toBe('x');
    delete process.env.AGENT_OTEL_PARSE_TEST;
  });

  it('the logs config reads its booleans and queue sizes with the same rules', () => {
    expect(() => resolveLogs(undefined, (n) => ({ AGENT_OTEL_LOGS_CONSOLE: 'yes' })[n])).toThrow('env AGENT_OTEL_LOGS_CONSOLE must be one of true, false, 1, 0; got "yes"');
    expect(() => resolveLogs(undefined, (n) => ({ OTEL_BLRP_MAX_QUEUE_SIZE: '1.5' })[n])).toThrow('env OTEL_BLRP_MAX_QUEUE_SIZE must be a positive integer; got "1.5"');
    expect(resolveLogs(undefined, (n) => ({ AGENT_OTEL_LOGS: '0' })[n])).toBeUndefined();
  });

  it('directory, retention and DuckDB threads: one set of defaults', () => {
    expect(dirFromEnv(env({}))).toBe('telemetry');
    expect(dirFromEnv(env({ AGENT_OTEL_DIR: '/data/t' }))).toBe('/data/t');
    expect(retentionFromEnv(env({}))).toEqual({ maxAgeMs: 30 * 86400e3, maxTotalBytes: 1024 ** 3 });
    expect(retentionFromEnv(env({ AGENT_OTEL_RETENTION_DAYS: '2', AGENT_OTEL_MAX_TOTAL_SIZE: '5MiB' }))).toEqual({ maxAgeMs: 2 * 86400e3, maxTotalBytes: 5 * 1024 ** 2 });
    expect(duckdbThreadsFromEnv(env({}))).toBeUndefined();
    expect(duckdbThreadsFromEnv(env({ AGENT_OTEL_DUCKDB_THREADS: '2' }))).toBe(2);
    expect(() => duckdbThreadsFromEnv(env({ AGENT_OTEL_DUCKDB_THREADS: 'all' }))).toThrow('env AGENT_OTEL_DUCKDB_THREADS must be a positive integer; got "all"');
  });
});

describe('loopback', () => {
  it('addresses and names', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1'].filter((h) => !isLoopback(h))).toEqual([]);
    expect(['0.0.0.0', '192.168.1.5', '::', '[::]', 'example.com', '128.0.0.1', 'localhost.example.com'].filter(isLoopback)).toEqual([]);
  });

  it('the Host headers a loopback server answers', () => {
    expect([...loopbackHosts('127.0.0.1', 9464)].sort()).toEqual(['127.0.0.1:9464', '[::1]:9464', 'localhost:9464']);
    expect(loopbackHosts('::1', 80)).toEqual(new Set(['127.0.0.1:80', '127.0.0.1', 'localhost:80', 'localhost', '[::1]:80', '[::1]']));
    expect(loopbackHosts('127.0.0.2', 1)).toContain('127.0.0.2:1');
  });
});

describe('ISO times', () => {
  it('what isoMicros writes, hrTimeFromIso reads back (to the microsecond)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4e9 }), fc.integer({ min: 0, max: 999_999_999 }), (sec, nanos) => {
      expect(hrTimeFromIso(isoMicros([sec, nanos]))).toEqual([sec, Math.floor(nanos / 1000) * 1000]);
    }));
    expect(hrTimeFromIso('2026-11-21T23:38:05+01:00')).toEqual([Date.UTC(2026, 10, 21, 22, 38, 5) / 1000, 0]);
    expect(hrTimeFromIso('yesterday')).toBeUndefined();
  });

  it('DuckDB renders a timestamp as the files write it; cutoff text compares with TIMESTAMP columns', async () => {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const t = Date.UTC(2026, 10, 21, 23, 38, 5, 123);
    const rows = (await conn.runAndReadAll(`SELECT ${isoSql("TIMESTAMP '2026-11-21 23:38:05.123456'")} AS us,
      ${isoSql("TIMESTAMP '2026-11-21 23:38:05.123456'", 'ms')} AS ms, TIMESTAMP '2026-11-21 23:38:05.124' > $1::TIMESTAMP AS later`, [sqlTimestamp(t)])).getRowObjects();
    expect(rows[0]).toEqual({ us: isoMicros([t / 1000 - 0.123, 123_456_000]), ms: '2026-11-21T23:38:05.123Z', later: true });
    conn.closeSync();
  });
});
