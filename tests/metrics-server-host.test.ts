// Issue 10, finding 11: `/metrics` and `/healthz` bound to loopback answer only to loopback Host headers
// with their port, so a web page cannot read them through a DNS name re-pointed at 127.0.0.1 (DNS rebinding).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTelemetry } from '../dist/src/index.js';
import { tmpDir } from './support/harness.js';

let handle: ReturnType<typeof registerTelemetry>;
let port: number;

beforeAll(async () => {
  handle = registerTelemetry({ dir: tmpDir(), duckdb: false, prometheus: { port: 0, host: '127.0.0.1' } });
  const deadline = Date.now() + 5000;
  while (!handle.health().prometheus?.listening && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  port = Number(new URL(handle.health().prometheus!.url).port);
  expect(port).toBeGreaterThan(0);
});
afterAll(async () => { await handle.shutdown(); });

/** GET with a chosen Host header, as a browser under DNS rebinding would send it. */
const get = (path: string, host: string): Promise<number> => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
});

describe('/metrics and /healthz on loopback check the Host header', () => {
  it.each(['/metrics', '/healthz'])('%s answers 127.0.0.1:port, localhost:port and [::1]:port', async (path) => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) expect(await get(path, host), host).toBe(200);
  });

  it.each(['/metrics', '/healthz'])('%s refuses any other name, and another port', async (path) => {
    for (const host of [`attacker.example:${port}`, 'attacker.example', `localhost:${port + 1}`, 'localhost', `127.0.0.1.nip.io:${port}`]) {
      expect(await get(path, host), host).toBe(403);
    }
  });
});
