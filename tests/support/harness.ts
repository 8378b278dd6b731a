import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newReadStats, readJsonl, type ReadStats } from '../../dist/exporters/jsonl/readJsonl.js';
import type { MetricRow, ResourceRow, RunStartRow, SpanRow } from '../../dist/semconv/schema.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'tests', 'fixtures');

export function tmpDir(prefix = 'agent-otel-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function collect<T>(dir: string, stats: ReadStats): Promise<T[]> {
  if (!fs.existsSync(dir)) return [];
  const rows: T[] = [];
  for await (const row of readJsonl<T>(dir, stats)) rows.push(row);
  return rows;
}

export const readSpans = (root: string, stats = newReadStats()) => collect<SpanRow>(path.join(root, 'spans'), stats);
export const readMetrics = (root: string, stats = newReadStats()) => collect<MetricRow>(path.join(root, 'metrics'), stats);
export const readRunStarts = (root: string, stats = newReadStats()) => collect<RunStartRow>(path.join(root, 'runs'), stats);

/** The rows of `<root>/<signal>/*.jsonl` as written (JSON.parse of each line; readJsonl fills resources in). */
export function rawRows<T = Record<string, unknown>>(root: string, signal: string): T[] {
  const dir = path.join(root, signal);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()
    .flatMap((n) => fs.readFileSync(path.join(dir, n), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T));
}

/** The whole resource rows of `<root>/resources/` (resource, service name and, since format v3, scope), by id. */
export const resourceRowsById = (root: string): Map<string, ResourceRow> =>
  new Map(rawRows<ResourceRow>(root, 'resources').map((r) => [r.resource_id, r]));

/** The resource rows of `<root>/resources/`, by id. */
export const resourcesById = (root: string): Map<string, Record<string, unknown>> =>
  new Map(rawRows<{ resource_id: string; resource: Record<string, unknown> }>(root, 'resources').map((r) => [r.resource_id, r.resource]));

/** Sum of a delta counter's values over all rows matching `where`. */
export function sumMetric(rows: MetricRow[], name: string, where: Record<string, unknown> = {}): number {
  return rows.filter((r) => r.name === name && Object.entries(where).every(([k, v]) => r.attributes[k] === v))
    .reduce((s, r) => s + (r.value ?? r.count ?? 0), 0);
}

export interface ChildResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export type Spawned = Promise<ChildResult> & { child: ReturnType<typeof spawn>; output(): { stdout: string; stderr: string } };

/** `command args…` from the package root with `env` over the caller's; resolves to what it printed and how it ended. */
export function spawnCollect(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Spawned {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<ChildResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  // output(): what a still running command has printed so far.
  return Object.assign(done, { child, output: () => ({ stdout, stderr }) });
}

/** Runs a fixture script (tests/fixtures/NAME) in a child node process from the package root. */
export function runFixture(name: string, env: Record<string, string> = {}, args: string[] = [], nodeArgs: string[] = []): Spawned {
  return spawnCollect(process.execPath, [...nodeArgs, path.join(FIXTURES, name), ...args], { ...process.env, ...env });
}

/** Resolves when `predicate()` is true, polling; rejects after `ms`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
