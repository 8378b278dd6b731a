import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from './support/harness.js';

const BIN = path.join(ROOT, 'dist/src/cli/bin.js');

interface Run { code: number | null; stdout: string; stderr: string }

/** `agent-otel ui …`; `untilUrl`: stop it (SIGTERM) once it prints its URL, after `inspect` ran. */
function ui(args: string[], env: Record<string, string> = {}, inspect?: (url: string) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'ui', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let inspected: Promise<void> | undefined;
  child.stdout.on('data', (d) => {
    stdout += d;
    const m = /agent-otel ui: (http:\/\/\S+)/.exec(stdout);
    if (m && !inspected) {
      inspected = (inspect?.(m[1]!) ?? Promise.resolve()).finally(() => child.kill('SIGTERM'));
    }
  });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => child.on('close', async (code) => {
    try {
      await inspected;
      resolve({ code, stdout, stderr });
    } catch (err) {
      reject(err);
    }
  }));
}

describe('agent-otel ui', () => {
  it('serves on loopback, prints its URL, takes --jaeger-url from the environment and stops cleanly on SIGTERM', async () => {
    const dir = tmpDir();
    let info: any;
    const r = await ui(['--dir', dir, '--port', '0'], { AGENT_OTEL_JAEGER_URL: 'http://jaeger.local:16686' }, async (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      info = await (await fetch(`${url}api/info`)).json();
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(${dir}; read-only; Ctrl-C to stop)`);
    expect(info).toMatchObject({ dir, jaeger_url: 'http://jaeger.local:16686', spans: 0, runs: 0 });
  });

  it('refuses a non-loopback --host without --allow-remote, and warns with it', async () => {
    const dir = tmpDir();
    const refused = await ui(['--dir', dir, '--port', '0', '--host', '0.0.0.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to serve telemetry on 0\.0\.0\.0, which is not a loopback address.*--allow-remote/);
    const allowed = await ui(['--dir', dir, '--port', '0', '--host', '0.0.0.0', '--allow-remote']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/WARNING: the viewer listens on 0\.0\.0\.0.*no login/);
  });

  it('names what is wrong: a missing directory, a bad port, a bad Jaeger URL', async () => {
    const missing = await ui(['--dir', '/nonexistent/telemetry', '--port', '0']);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/no telemetry directory at \/nonexistent\/telemetry/)]);
    const port = await ui(['--dir', tmpDir(), '--port', 'http']);
    expect([port.code, port.stderr]).toEqual([1, expect.stringMatching(/--port must be a port number from 0 to 65535 \(0 picks a free port\)/)]);
    const jaeger = await ui(['--dir', tmpDir(), '--port', '0', '--jaeger-url', 'javascript:alert(1)']);
    expect([jaeger.code, jaeger.stderr]).toEqual([1, expect.stringMatching(/--jaeger-url must be an http\(s\) URL/)]);
  });
});
