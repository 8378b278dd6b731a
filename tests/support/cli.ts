import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, spawnCollect, type ChildResult, type Spawned } from './harness.js';

export const BIN = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');

/** The real CLI in a child process, without colours and without the caller's AGENT_OTEL_DIR. */
export function spawnCli(args: string[], env: Record<string, string> = {}): Spawned {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.FORCE_COLOR;
  delete base.AGENT_OTEL_DIR;
  return spawnCollect(process.execPath, [BIN, ...args], { ...base, ...env });
}

export const runCli = (args: string[], env: Record<string, string> = {}): Promise<ChildResult> => spawnCli(args, env);

/** A span row as the JSONL exporter writes it; `end` sets end_time (start is `ms` before it). */
export function spanRow(name: string, end: Date, o: { ms?: number; attributes?: Record<string, unknown>; status?: string; message?: string; id?: string } = {}): string {
  const ms = o.ms ?? 5;
  const iso = (d: Date) => d.toISOString().replace('Z', '000Z');
  return JSON.stringify({
    trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: (o.id ?? name).padEnd(16, '0').slice(0, 16), parent_span_id: null,
    name, kind: 'INTERNAL', start_time: iso(new Date(end.getTime() - ms)), end_time: iso(end), duration_ms: ms,
    status_code: o.status ?? 'UNSET', status_message: o.message ?? null, scope: { name: 'test', version: null },
    attributes: o.attributes ?? {}, events: [], links: [], service_name: 'fixture', resource: { 'service.name': 'fixture' },
  }) + '\n';
}

/** Writes `text` to `<dir>/<rel>` (creating folders) and, with `ageMs`, sets its mtime that long ago. */
export function writeFile(dir: string, rel: string, text: string, ageMs?: number): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  if (ageMs !== undefined) setAge(file, ageMs);
  return file;
}

export function setAge(file: string, ageMs: number): void {
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
}

/** Non-empty lines of every `.jsonl` file in `<dir>/<sub>`. */
export function jsonlLines(dir: string, sub: string): string[] {
  const d = path.join(dir, sub);
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d).filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(d, f), 'utf8').split('\n').filter((l) => l.trim()));
}

/** One number from `agent-otel sql "<query>" --csv`. */
export async function sqlCount(dir: string, query: string, source = 'auto'): Promise<number> {
  const r = await runCli(['sql', query, '--dir', dir, '--source', source, '--csv']);
  if (r.code !== 0) throw new Error(`sql failed (${r.code}): ${r.stderr}`);
  return Number(r.stdout.trim().split('\n')[1]);
}

/** A pid no process has: one of a process that has just exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('close', r));
  return child.pid!;
}
