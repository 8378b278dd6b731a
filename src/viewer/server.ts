import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { QueryError, type Source } from '../query/session.js';
import { createApi } from './api.js';
import { ViewerLogs } from './logs.js';
import { loadAssets } from './assets.js';
import { ParamError } from './params.js';
import { ViewerStore } from './store.js';
import { isLoopback, loopbackHosts } from '../parse/loopback.js';
import { PORT_ACCEPTED, portValue } from '../parse/port.js';

export interface ViewerOptions {
  /** The telemetry directory. */
  dir: string;
  /** Port (default 4319; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1). Anything but loopback needs `allowRemote`. */
  host?: string;
  /** Consent to bind a non-loopback address: anyone who can reach it reads the telemetry. */
  allowRemote?: boolean;
  /** Base URL of a Jaeger UI: traces get an "open in Jaeger" link to `<url>/trace/<id>`. */
  jaegerUrl?: string;
  source?: Source;
  /** How often the directory is checked for new rows (ms, default 2000). */
  pollMs?: number;
}

export interface Viewer {
  /** Where the page is, e.g. `http://127.0.0.1:4319/`. */
  url: string;
  host: string;
  port: number;
  store: ViewerStore;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4319;
export const DEFAULT_HOST = '127.0.0.1';

/** A Jaeger base URL: http(s), no query or fragment; returned without a trailing slash. */
export function jaegerBase(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new QueryError(`--jaeger-url must be an http(s) URL such as http://localhost:16686; got ${JSON.stringify(raw)}`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username || u.password) {
    throw new QueryError(`--jaeger-url must be an http(s) URL without query, fragment or credentials; got ${JSON.stringify(raw)}`);
  }
  return u.href.replace(/\/+$/, '');
}

/** Sent with every response: the page runs only this server's scripts and styles, and nothing sniffs types. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Why a request from another site is refused, or undefined when it is not. Browsers say where a request
 * comes from: `Sec-Fetch-Site` (same-origin, or none for a typed URL or a bookmark) and `Origin`
 * (must be this server's own, `http://<Host>`). A top-level navigation to the page itself is allowed
 * (a link to a trace); the data under /api and the assets are not served to other sites.
 */
export function crossSite(req: { path: string; header(name: string): string | undefined }): string | undefined {
  const site = req.header('sec-fetch-site');
  const navigation = req.header('sec-fetch-mode') === 'navigate' && req.header('sec-fetch-dest') === 'document' && !req.path.startsWith('/api/');
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) return `Sec-Fetch-Site: ${site}`;
  const origin = req.header('origin');
  if (origin !== undefined && origin !== `http://${req.header('host') ?? ''}`) return `Origin: ${origin}`;
  return undefined;
}

/** The whole app: security headers, the Host and cross-site checks, the page and its assets, the API. */
export function createApp(store: ViewerStore, o: { jaegerUrl?: string; pollMs: number; allowedHosts?: Set<string> }, logs = new ViewerLogs(store.dir)): Hono {
  const assets = loadAssets();
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      return c.text('method not allowed: this viewer is read-only\n', 405);
    }
    // A page elsewhere cannot reach this server through a DNS name it controls (DNS rebinding).
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (o.allowedHosts && !o.allowedHosts.has(host)) return c.text('unexpected Host header\n', 403);
    // Nor read it from its own origin (a page on another site or another local port).
    const why = crossSite({ path: c.req.path, header: (n) => c.req.header(n) });
    if (why) return c.text(`cross-site request refused (${why}): open the viewer from its own address\n`, 403);
    await next();
  });
  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  app.route('/api', createApi(store, o, logs));
  const notFound = (c: Context) => (c.req.path.startsWith('/api/') ? c.json({ error: `no endpoint ${c.req.path}` }, 404) : c.text('not found\n', 404));
  app.get('*', (c) => {
    const asset = assets.get(c.req.path);
    if (!asset) return notFound(c);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
  });
  app.notFound(notFound);
  app.onError((err, c) => {
    if (err instanceof ParamError) return c.json({ error: err.message }, 400);
    if (err instanceof QueryError) return c.json({ error: err.message }, 503);
    return c.json({ error: `internal error: ${(err as Error).message}` }, 500);
  });
  return app;
}

/**
 * Starts the viewer: indexes `dir` (in the background; the page shows progress), serves the page and
 * its API, and follows the directory for new rows. Refuses a non-loopback host without `allowRemote`.
 */
export async function startViewer(o: ViewerOptions): Promise<Viewer> {
  const host = o.host ?? DEFAULT_HOST;
  const port = portValue(o.port ?? DEFAULT_PORT);
  if (port === undefined) throw new QueryError(`--port must be ${PORT_ACCEPTED}; got ${JSON.stringify(o.port)}`);
  const loopback = isLoopback(host);
  if (!loopback && !o.allowRemote) {
    throw new QueryError(`refusing to serve telemetry on ${host}, which is not a loopback address: anyone who can reach it could read ` +
      'prompts, outputs and errors. Pass --allow-remote to do it anyway, or keep the default --host 127.0.0.1');
  }
  const jaegerUrl = o.jaegerUrl ? jaegerBase(o.jaegerUrl) : undefined;
  const pollMs = o.pollMs ?? 2000;
  const store = await ViewerStore.open({ dir: o.dir, source: o.source, pollMs });
  const logs = new ViewerLogs(store.dir); // its own in-memory DuckDB, closed with the viewer
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  // Filled once the port is known (0 picks one); empty until then, so nothing is answered before.
  const allowedHosts = loopback ? new Set<string>() : undefined;
  let server: Server;
  try {
    const app = createApp(store, { jaegerUrl, pollMs, allowedHosts }, logs);
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
        ? new QueryError(`port ${port} on ${host} is in use (another viewer?); choose another with --port, or --port 0 for any free one`)
        : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
          ? new QueryError(`cannot listen on ${host}: ${err.message}`)
          : err));
      server.listen(port, bare, () => resolve());
    });
  } catch (err) {
    logs.close();
    await store.close();
    throw err;
  }
  const addr = server.address() as AddressInfo;
  if (allowedHosts) for (const h of loopbackHosts(bare, addr.port)) allowedHosts.add(h);
  const urlHost = net.isIPv6(addr.address) ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${addr.port}/`,
    host: addr.address,
    port: addr.port,
    store,
    close: () => (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      logs.close();
      await store.close();
    })()),
  };
}
