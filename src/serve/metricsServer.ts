import http from 'node:http';
import { diag } from '@opentelemetry/api';
import { isLoopback, loopbackHosts } from '../parse/loopback.js';
import { PrometheusReader } from './PrometheusReader.js';

/** What `health().prometheus` reports about the `/metrics` server. */
export interface MetricsServerState {
  /** `http://127.0.0.1:9464/metrics` (the bound port once listening, when 0 was asked for). */
  url: string;
  listening: boolean;
  /** Why the server is not serving (port in use, no permission), if it is not. */
  error?: string;
}

/** Resource attributes put on every series as labels (what dashboards group and filter by). */
export const RESOURCE_LABELS = /^(service\.name|service\.instance\.id)$/;

/**
 * A small node:http server in front of the Prometheus exporter (whose own server is never started):
 * `GET /metrics` is what the exporter collects, rendered by its serializer in slices that leave the event
 * loop free between them (its own request handler renders in one synchronous block: ~35 ms for 10k
 * series, too long a stall for an agent), `GET /healthz` is the handle's `health()` as JSON
 * (200 while telemetry works, ok or degraded; 503 once shut down). Binds 127.0.0.1 unless told
 * otherwise. It never keeps the process alive and never throws into the agent: a port in use is a
 * diag error and `health()` says so.
 */
export class MetricsServer {
  readonly reader: PrometheusReader;
  readonly state: MetricsServerState;
  private readonly server: http.Server;
  private closed = false;
  /** Set once listening on a loopback address: the Host headers answered (see loopbackHosts: DNS rebinding). */
  private hosts: Set<string> | undefined;

  constructor(private readonly opts: { port: number; host: string }, private readonly health: () => { status: string }) {
    this.reader = new PrometheusReader({ withResourceConstantLabels: RESOURCE_LABELS });
    this.state = { url: urlOf(opts.host, opts.port), listening: false };
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.unref();
  }

  /** Starts listening (asynchronously: registration stays synchronous); failures land in `state.error`. */
  start(): void {
    const { port, host } = this.opts;
    if (!isLoopback(host)) {
      diag.warn(`agent-otel: Prometheus metrics are served on ${host}:${port}, reachable from the network; ` +
        'bind 127.0.0.1 (prometheus.host / OTEL_EXPORTER_PROMETHEUS_HOST) unless that is intended');
    }
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.state.listening) { diag.error('agent-otel: Prometheus /metrics server error', err); return; }
      this.state.error = err.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use; set prometheus.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or 0 for any free port`
        : err.code === 'EACCES'
          ? `no permission to listen on ${host}:${port}; use a port above 1024 (prometheus.port / OTEL_EXPORTER_PROMETHEUS_PORT)`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? `cannot bind ${host}:${port}: no such local address; set prometheus.host (env OTEL_EXPORTER_PROMETHEUS_HOST)`
            : `cannot listen on ${host}:${port}: ${err.message}`;
      diag.error(`agent-otel: Prometheus /metrics is not served: ${this.state.error}. The agent and the other exporters keep running.`);
    });
    this.server.listen({ port, host }, () => {
      const addr = this.server.address();
      if (addr && typeof addr === 'object') {
        this.state.url = urlOf(host, addr.port);
        if (isLoopback(host)) this.hosts = loopbackHosts(host, addr.port);
      }
      this.state.listening = !this.closed;
      diag.info(`agent-otel: serving Prometheus metrics at ${this.state.url}`);
    });
  }

  /** Stops accepting scrapes and closes open (keep-alive) connections. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.state.listening = false;
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Streams the exposition slice by slice (waiting for the socket when it is full); 500 if collection fails first. */
  private async scrape(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let closed = false;
    res.once('close', () => { closed = true; });
    const drained = () => new Promise<void>((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
    try {
      await this.reader.render(async (chunk) => {
        if (closed) return;
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        if (req.method === 'HEAD') return;
        if (!res.write(chunk)) await drained();
      });
      res.end();
    } catch (err) {
      diag.error('agent-otel: rendering /metrics failed', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`# failed to export metrics: ${(err as Error).message}\n`);
      else res.destroy(err as Error);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (this.hosts && !this.hosts.has(String(req.headers.host ?? '').toLowerCase())) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('agent-otel: unexpected Host header\n');
      } else if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/metrics') {
        void this.scrape(req, res);
      } else if (path === '/healthz') {
        const h = this.health();
        res.writeHead(h.status === 'shutdown' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('agent-otel: try /metrics or /healthz\n');
      }
    } catch (err) {
      diag.error('agent-otel: /metrics request failed', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }
}

function urlOf(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}/metrics`;
}
