import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spanRow } from './support/cli.js';
import { startMockModelServer } from './support/mockModelServer.js';
import { ROOT, runFixture, tmpDir } from './support/harness.js';

interface Check { id: string; status: 'ok' | 'warn' | 'problem'; message: string; details?: string[] }
interface Report { checks: Check[]; ok: boolean; apiCopies: Array<{ version: string; path: string; pulledInBy: string[]; seesProviders?: boolean }> }

/** Env that leaves the doctor's content/privacy checks at their defaults whatever the caller's shell says. */
const CLEAN_ENV: Record<string, string> = {
  AGENT_OTEL_PRIVACY: '', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: '', TRACELOOP_TRACE_CONTENT: '',
  OPENINFERENCE_HIDE_INPUTS: '', OPENINFERENCE_HIDE_OUTPUTS: '', AGENT_OTEL_MAX_TOTAL_SIZE: '1MiB', NODE_ENV: '',
};

function writeJson(file: string, value: object): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

interface FakeProject {
  /** The app's @opentelemetry/api (null: none). */
  api?: string | null;
  /** Packages that nest their own @opentelemetry/api: name → its version. */
  nested?: Record<string, string>;
  /** Other installed dependencies: name → version. */
  deps?: Record<string, string>;
  engines?: string;
}

/** A project folder with just the package.json files doctor reads, and agent-otel installed (not built). */
function fakeProject(o: FakeProject = {}): string {
  const dir = tmpDir('agent-otel-doctor-project-');
  const nm = path.join(dir, 'node_modules');
  const deps: Record<string, string> = { 'agent-otel': '^0.2.0', ...o.deps };
  const api = o.api === undefined ? '1.10.0' : o.api;
  if (api) {
    deps['@opentelemetry/api'] = api;
    writeJson(path.join(nm, '@opentelemetry/api/package.json'), { name: '@opentelemetry/api', version: api });
  }
  writeJson(path.join(nm, 'agent-otel/package.json'), { name: 'agent-otel', version: '0.2.0', peerDependencies: { '@opentelemetry/api': '^1.10.0' } });
  for (const [name, version] of Object.entries(o.deps ?? {})) writeJson(path.join(nm, name, 'package.json'), { name, version });
  for (const [name, version] of Object.entries(o.nested ?? {})) {
    deps[name] = '^1.0.0';
    writeJson(path.join(nm, name, 'package.json'), { name, version: '1.0.0', dependencies: { '@opentelemetry/api': version } });
    writeJson(path.join(nm, name, 'node_modules/@opentelemetry/api/package.json'), { name: '@opentelemetry/api', version });
  }
  writeJson(path.join(dir, 'package.json'), { name: 'fake-agent', version: '1.0.0', dependencies: deps, ...(o.engines ? { engines: { node: o.engines } } : {}) });
  return dir;
}

/** A telemetry directory as the agent leaves it (0700 folders, 0600 files), with spans of the given scopes. */
function telemetryDir(scopes: string[] = ['agent-otel']): string {
  const dir = tmpDir('agent-otel-doctor-dir-');
  fs.mkdirSync(path.join(dir, 'spans'), { mode: 0o700 });
  const rows = scopes.map((name, i) => {
    const row = JSON.parse(spanRow(`span ${i}`, new Date(), { id: `s${i}` }));
    return JSON.stringify({ ...row, scope: { name, version: '1.0.0' } }) + '\n';
  });
  const file = path.join(dir, 'spans', '2026-01-01T000000Z-1-001.jsonl');
  fs.writeFileSync(file, rows.join(''), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return dir;
}

/** Runs doctor on a project (static checks only unless `runtime`) and parses --json. */
async function doctor(project: string, dir: string, o: { env?: Record<string, string>; runtime?: boolean } = {}) {
  const r = await runCli(['doctor', '--project', project, '--dir', dir, '--json', ...(o.runtime ? [] : ['--static'])], { ...CLEAN_ENV, ...o.env });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as Report;
  const problems = report.checks.filter((c) => c.status === 'problem');
  const find = (id: string) => report.checks.filter((c) => c.id === id);
  return { code: r.code, report, problems, find };
}

describe('agent-otel doctor', () => {
  it('a healthy project (one API 1.10.0, private telemetry directory) exits 0 and prints one line per check', async () => {
    const project = fakeProject({ deps: { openai: '6.30.1', '@opentelemetry/instrumentation-openai': '0.22.0' } });
    const dir = telemetryDir(['agent-otel', '@opentelemetry/instrumentation-openai']);
    const { code, report, problems, find } = await doctor(project, dir);
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(find('api.root')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('@opentelemetry/api 1.10.0 is the app\'s copy') });
    expect(find('api.copies')[0]!.status).toBe('ok');
    expect(find('dir.mode')[0]).toMatchObject({ status: 'ok' });
    expect(find('instrumentation.openai')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('1 span from @opentelemetry/instrumentation-openai') });

    const text = await runCli(['doctor', '--project', project, '--dir', dir, '--static'], CLEAN_ENV);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok {7}@opentelemetry\/api 1\.10\.0 is the app's copy/m);
    expect(text.stdout).toMatch(/\d+ ok, \d+ warnings?, 0 problems\n$/);
  });

  it('a nested @opentelemetry/api of a higher minor than agent-otel registers through is a problem naming its package', async () => {
    const { code, find, report } = await doctor(fakeProject({ nested: { '@acme/instrumentation-x': '1.11.0' } }), telemetryDir());
    expect(code).toBe(1);
    const [c] = find('api.incompatible');
    expect(c!.status).toBe('problem');
    expect(c!.message).toContain('@acme/instrumentation-x uses @opentelemetry/api 1.11.0');
    expect(c!.message).toContain('spans are no-ops');
    expect(report.apiCopies.find((x) => x.version === '1.11.0')).toMatchObject({ path: 'node_modules/@acme/instrumentation-x/node_modules/@opentelemetry/api', pulledInBy: ['@acme/instrumentation-x'], seesProviders: false });
  });

  it('agent-otel with its own nested API (the 0.1 bug): it registers through that copy, which the app\'s newer copy cannot read', async () => {
    const project = fakeProject();
    writeJson(path.join(project, 'node_modules/agent-otel/node_modules/@opentelemetry/api/package.json'), { name: '@opentelemetry/api', version: '1.9.1' });
    const { code, find } = await doctor(project, telemetryDir());
    expect(code).toBe(1);
    expect(find('api.agent-otel')[0]).toMatchObject({ status: 'problem',
      message: expect.stringContaining("agent-otel registers its providers through its own copy of @opentelemetry/api 1.9.1 (node_modules/agent-otel/node_modules/@opentelemetry/api), not the app's 1.10.0: the app's spans are no-ops") });
    expect(find('api.incompatible')[0]!.message).toContain('the app uses @opentelemetry/api 1.10.0');
  });

  it('an app copy older than 1.10, or none, is a problem', async () => {
    const old = await doctor(fakeProject({ api: '1.9.1' }), telemetryDir());
    expect(old.code).toBe(1);
    expect(old.find('api.root')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining('@opentelemetry/api 1.9.1 is the app\'s copy; agent-otel needs >= 1.10.0') });
    const none = await doctor(fakeProject({ api: null }), telemetryDir());
    expect(none.code).toBe(1);
    expect(none.find('api.root')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining('no @opentelemetry/api in') });
  });

  it('a nested copy of a lower minor (1.9.1 under 1.10.0) still sees the providers: a warning, exit 0', async () => {
    const { code, find, problems } = await doctor(fakeProject({ nested: { '@traceloop/instrumentation-openai': '1.9.1', '@ai-sdk/otel': '1.9.1' } }), telemetryDir());
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    const [c] = find('api.older');
    expect(c!.status).toBe('warn');
    expect(c!.message).toContain('@ai-sdk/otel, @traceloop/instrumentation-openai nest an older @opentelemetry/api (1.9.1)');
  });

  it('a telemetry directory writable by others is a problem; readable by others a warning', async () => {
    const project = fakeProject();
    const open = telemetryDir();
    fs.chmodSync(open, 0o777);
    const r = await doctor(project, open);
    expect(r.code).toBe(1);
    expect(r.find('dir.mode')[0]).toMatchObject({ status: 'problem', details: ['0777 ./'] });

    const readable = telemetryDir();
    fs.chmodSync(path.join(readable, 'spans'), 0o755);
    const w = await doctor(project, readable);
    expect(w.code).toBe(0);
    expect(w.find('dir.mode')[0]).toMatchObject({ status: 'warn', details: ['0755 spans/'] });
  });

  it('telemetry.duckdb: a file DuckDB cannot open is a problem; one a running agent holds is a warning', async () => {
    const project = fakeProject();
    const corrupt = telemetryDir();
    fs.writeFileSync(path.join(corrupt, 'telemetry.duckdb'), 'not a database', { mode: 0o600 });
    const bad = await doctor(project, corrupt);
    expect(bad.code).toBe(1);
    expect(bad.find('dir.duckdb')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining('telemetry.duckdb cannot be read') });

    const held = tmpDir('agent-otel-doctor-dir-');
    const agent = runFixture('hold-db.mjs', {}, [held, '1']);
    try {
      await new Promise<void>((resolve) => agent.child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); }));
      const r = await doctor(project, held);
      expect(r.find('dir.duckdb')[0]).toMatchObject({ status: 'warn', message: expect.stringMatching(/telemetry\.duckdb is held by another process \(PID \d+\)/) });
      expect(r.code).toBe(0);
    } finally {
      agent.child.kill('SIGKILL');
      await agent;
    }
  });

  it('an instrumentation installed whose spans never arrived is a warning naming it', async () => {
    const project = fakeProject({ deps: { openai: '6.30.1', '@arizeai/openinference-instrumentation-openai': '4.2.7', '@langchain/core': '1.4.0' } });
    const { code, find } = await doctor(project, telemetryDir(['agent-otel']));
    expect(code).toBe(0);
    expect(find('instrumentation.openai')[0]).toMatchObject({ status: 'warn',
      message: expect.stringMatching(/^openai 6\.30\.1 installed, but no LLM spans from @arizeai\/openinference-instrumentation-openai in .*: did you register agent-otel and the instrumentation before the client is imported/) });
    expect(find('instrumentation.@arizeai/openinference-instrumentation-openai')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('installed, but no spans from it') });
    expect(find('instrumentation.langchain')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('LangChain.js makes no OpenTelemetry spans by itself') });

    // Positive control: the same project once the instrumentation's spans are there.
    const arrived = await doctor(project, telemetryDir(['agent-otel', '@arizeai/openinference-instrumentation-openai']));
    expect(arrived.find('instrumentation.openai')[0]!.status).toBe('ok');
    expect(arrived.find('instrumentation.@arizeai/openinference-instrumentation-openai')[0]!.status).toBe('ok');
  });

  it('content capture against the privacy level: contradictions are named, full privacy says content goes to disk', async () => {
    const project = fakeProject({ deps: { '@traceloop/instrumentation-openai': '0.27.0' } });
    const dir = telemetryDir(['@traceloop/instrumentation-openai']);
    const told = await doctor(project, dir, { env: { TRACELOOP_TRACE_CONTENT: 'true' } });
    expect(told.find('content.openllmetry')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('TRACELOOP_TRACE_CONTENT=true tells OpenLLMetry to record prompts') });
    expect(told.find('content.privacy')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining("privacy 'metadata'") });

    const full = await doctor(project, dir, { env: { AGENT_OTEL_PRIVACY: 'full', TRACELOOP_TRACE_CONTENT: 'false' } });
    expect(full.find('content.openllmetry')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining("privacy is 'full' but TRACELOOP_TRACE_CONTENT=false") });
    expect(full.find('content.privacy')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining(`are written to ${dir}`) });
    expect(full.code).toBe(0);

    const invalid = await doctor(project, dir, { env: { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true', AGENT_OTEL_PRIVACY: 'metadata' } });
    expect(invalid.code).toBe(1);
    expect(invalid.find('config')[0]).toMatchObject({ status: 'problem', message: expect.stringContaining("content capture is on but privacy is 'metadata'") });
  });

  it('package.json engines that allow a Node older than 22.15 are a warning', async () => {
    const low = await doctor(fakeProject({ engines: '>=20' }), telemetryDir());
    expect(low.find('node.engines')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining("engines.node is '>=20'") });
    const fine = await doctor(fakeProject({ engines: '>=22.15.0' }), telemetryDir());
    expect(fine.find('node.engines')).toEqual([]);
    expect(fine.find('node')[0]!.status).toBe('ok');
  });

  it('at runtime, a copy of the real API that cannot see agent-otel\'s providers is found', async () => {
    // agent-otel as built here, the app's API a link to the real 1.10.0, and a copy of it turned into 1.11.0.
    const project = fakeProject({ api: null });
    const nm = path.join(project, 'node_modules');
    const realApi = path.join(ROOT, 'node_modules/@opentelemetry/api');
    fs.mkdirSync(path.join(nm, '@opentelemetry'));
    fs.symlinkSync(realApi, path.join(nm, '@opentelemetry/api'));
    writeJson(path.join(nm, 'agent-otel/package.json'), { name: 'agent-otel', version: '0.2.0', type: 'module', main: 'index.js' });
    fs.writeFileSync(path.join(nm, 'agent-otel/index.js'), `export * from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};\n`);
    const newer = path.join(nm, '@acme/x/node_modules/@opentelemetry/api');
    writeJson(path.join(nm, '@acme/x/package.json'), { name: '@acme/x', version: '1.0.0' });
    fs.cpSync(realApi, newer, { recursive: true, filter: (f) => fs.statSync(f).isDirectory() || /\.(cjs|json)$/.test(f) });
    for (const f of fs.readdirSync(newer, { recursive: true }) as string[]) {
      const file = path.join(newer, f);
      if (/\.(cjs|json)$/.test(f)) fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('1.10.0', '1.11.0'));
    }
    const r = await doctor(project, telemetryDir(), { runtime: true });
    expect(r.code).toBe(1);
    expect(r.find('api.runtime')[0]).toMatchObject({ status: 'problem',
      message: 'at runtime, spans started through node_modules/@acme/x/node_modules/@opentelemetry/api are no-ops: they cannot see the providers agent-otel registered (1 of 2 copies can)' });
  });

  it('after a real app ran the official OpenAI instrumentation, its spans are counted; the OpenAI instrumentations that made none are named', async () => {
    const server = await startMockModelServer();
    const dir = tmpDir('agent-otel-doctor-dir-');
    try {
      const app = await runFixture(path.join('dialects', 'official-api-1-10-app.mjs'), { AGENT_OTEL_DIR: dir, AGENT_OTEL_DUCKDB: 'false' }, [server.url]);
      expect(app.code, app.stderr).toBe(0);
    } finally {
      await server.close();
    }
    const { find } = await doctor(ROOT, dir);
    expect(find('instrumentation.@opentelemetry/instrumentation-openai')[0]).toMatchObject({ status: 'ok', message: expect.stringMatching(/: 1 span in .* \(1 LLM call\)/) });
    expect(find('instrumentation.openai')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('1 span from @opentelemetry/instrumentation-openai') });
    expect(find('instrumentation.@traceloop/instrumentation-openai')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('installed, but no spans from it') });
  });

  it('runs on this repository: nested 1.9.1 copies are warnings, every copy records at runtime, exit 0', async () => {
    const dir = path.join(tmpDir(), 'telemetry');
    const { code, find, problems, report } = await doctor(ROOT, dir, { runtime: true });
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(find('api.root')[0]!.message).toContain('@opentelemetry/api 1.10.0 is the app\'s copy');
    expect(find('api.older')[0]!.message).toContain('@traceloop/instrumentation-openai');
    expect(report.apiCopies.filter((c) => c.version === '1.9.1').length).toBeGreaterThan(0);
    expect(find('api.runtime')[0]).toMatchObject({ status: 'ok', message: expect.stringMatching(/^checked at runtime: agent-otel registered in a child process, and spans started through each of the \d+ copies/) });
    expect(find('dir')[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('no telemetry directory') });
  });
});
