import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiCopy } from './apiCopies.js';
import { readPackageJson } from './nodeModules.js';
import { check, type Check } from './types.js';

/**
 * Run in a child process of the project: registers agent-otel (writing nothing) as the app would, then
 * starts a span through every copy of the API, loaded by path. A copy that cannot see the global
 * providers hands out non-recording spans. Prints one JSON object.
 */
const CHILD = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const input = JSON.parse(process.env.AGENT_OTEL_DOCTOR_INPUT);
const out = { copies: [] };
try {
  const m = await import(pathToFileURL(input.entry).href);
  const h = m.registerTelemetry({ dir: input.dir, jsonl: false, duckdb: false, prometheus: false, otlp: false, handleSignals: false, git: false, logLevel: 'none' });
  const req = createRequire(input.project + '/');
  for (const dir of input.copies) {
    try {
      const span = req(dir).trace.getTracer('agent-otel-doctor').startSpan('doctor');
      out.copies.push({ dir, recording: span.isRecording() });
      span.end();
    } catch (e) { out.copies.push({ dir, error: String(e && e.message || e) }); }
  }
  await h.shutdown();
} catch (e) { out.error = String(e && e.message || e); }
process.stdout.write(JSON.stringify(out));
`;

interface ChildOutput { error?: string; copies: Array<{ dir: string; recording?: boolean; error?: string }> }

/** agent-otel's main module in its package folder (its `exports['.']`, else `main`). */
function entryOf(agentOtelDir: string): string | undefined {
  const pkg = readPackageJson(agentOtelDir) as { exports?: Record<string, unknown>; main?: string } | undefined;
  const dot = pkg?.exports?.['.'];
  const rel = typeof dot === 'string' ? dot : (dot as { default?: string; import?: string } | undefined)?.import ?? (dot as { default?: string } | undefined)?.default ?? pkg?.main;
  const file = rel ? path.join(agentOtelDir, rel) : undefined;
  return file && fs.existsSync(file) ? file : undefined;
}

function runChild(project: string, input: object): Promise<ChildOutput> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: project, timeout: 20_000, maxBuffer: 4 << 20,
      env: { ...process.env, AGENT_OTEL_DOCTOR_INPUT: JSON.stringify(input), OTEL_SDK_DISABLED: 'false' },
    }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout) as ChildOutput);
      } catch {
        resolve({ error: (stderr.trim().split('\n').pop() || (err as Error | null)?.message) ?? 'no output', copies: [] });
      }
    });
  });
}

/** The runtime counterpart of the version rule: does each copy really see agent-otel's tracer provider? */
export async function checkApiAtRuntime(project: string, agentOtelDir: string | undefined, copies: ApiCopy[]): Promise<Check | undefined> {
  if (!agentOtelDir || copies.length === 0) return undefined;
  const entry = entryOf(agentOtelDir);
  if (!entry) return check('api.runtime', 'warn', `runtime check skipped: agent-otel at ${agentOtelDir} is not built (no main module); the version rule above still applies`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-otel-doctor-'));
  try {
    const out = await runChild(project, { entry, dir, project, copies: copies.map((c) => c.real) });
    if (out.error) return check('api.runtime', 'warn', `runtime check: registering agent-otel in a child process failed (${out.error}); the version rule above still applies`);
    const name = (real: string) => copies.find((c) => c.real === real)?.path ?? real;
    const blind = out.copies.filter((c) => c.recording === false);
    const unloadable = out.copies.filter((c) => c.error !== undefined);
    const seen = out.copies.filter((c) => c.recording).length;
    const extra = unloadable.length ? [`could not load: ${unloadable.map((c) => `${name(c.dir)} (${c.error})`).join('; ')}`] : undefined;
    if (blind.length) {
      return check('api.runtime', 'problem', `at runtime, spans started through ${blind.map((c) => name(c.dir)).join(', ')} are no-ops: ` +
        `they cannot see the providers agent-otel registered (${seen} of ${out.copies.length} copies can)`, extra);
    }
    if (seen === 0) return check('api.runtime', 'warn', 'runtime check: no copy of the API could be loaded; the version rule above still applies', extra);
    return check('api.runtime', 'ok', `checked at runtime: agent-otel registered in a child process, and spans started through ${seen === 1 ? 'the one copy' : `each of the ${seen} copies`} of the API are recorded`, extra);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
