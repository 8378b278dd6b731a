// A local OTLP/HTTP receiver for the tests: decodes what the exporters send with the official OTLP
// protobuf schema (the generated decoders of @opentelemetry/otlp-transformer 0.216.0, pinned as the
// dev dependency `otlp-transformer-0216`) or as OTLP JSON, into one plain shape to assert on.
import http from 'node:http';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const root = require('otlp-transformer-0216/build/src/generated/root.js') as any;
const proto = root.opentelemetry.proto;
const TraceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const TraceResponse = proto.collector.trace.v1.ExportTraceServiceResponse;
const MetricsRequest = proto.collector.metrics.v1.ExportMetricsServiceRequest;
const MetricsResponse = proto.collector.metrics.v1.ExportMetricsServiceResponse;

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export interface ReceivedSpan {
  traceId: string; spanId: string; parentSpanId: string; name: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string;
  attributes: Record<string, Value>;
  events: Array<{ name: string; timeUnixNano: string; attributes: Record<string, Value> }>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, Value> }>;
  status: { code: number; message: string };
  resource: Record<string, Value>;
  scope: { name: string; version: string };
}

export interface ReceivedMetric {
  name: string; unit: string; description: string;
  /** sum | gauge | histogram | exponentialHistogram */
  type: string;
  /** 1 delta, 2 cumulative */
  aggregationTemporality?: number;
  isMonotonic?: boolean;
  dataPoints: Array<Record<string, unknown> & { attributes: Record<string, Value> }>;
  resource: Record<string, Value>;
  scope: { name: string; version: string };
}

export interface ReceivedRequest { path: string; contentType: string; headers: http.IncomingHttpHeaders; bytes: number }

type AnyValueObj = Record<string, unknown>;
const hex = (b: unknown): string => (typeof b === 'string' ? (/^[0-9a-f]*$/i.test(b) ? b.toLowerCase() : Buffer.from(b, 'base64').toString('hex')) : '');

function anyValue(v: AnyValueObj | undefined): Value {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as { values?: AnyValueObj[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attrs((v.kvlistValue as { values?: unknown[] }).values);
  if ('bytesValue' in v) return hex(v.bytesValue);
  return null;
}

function attrs(list: unknown): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of (list as Array<{ key: string; value?: AnyValueObj }> | undefined) ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** protobuf → the proto3 JSON mapping (base64 bytes, string longs), the same shape OTLP JSON has except ids. */
const toObject = (Type: { toObject(m: unknown, o: object): unknown }, msg: unknown) =>
  Type.toObject(msg, { longs: String, bytes: String, enums: Number, defaults: false, arrays: true, oneofs: false });

function spansOf(req: { resourceSpans?: unknown[] }): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (req.resourceSpans ?? []) as Array<Record<string, unknown>>) {
    const resource = attrs((rs.resource as { attributes?: unknown } | undefined)?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Array<Record<string, unknown>>) {
      const sc = (ss.scope ?? {}) as { name?: string; version?: string };
      for (const s of (ss.spans ?? []) as Array<Record<string, unknown>>) {
        const status = (s.status ?? {}) as { code?: number; message?: string };
        out.push({
          traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId), name: String(s.name),
          kind: Number(s.kind ?? 0), startTimeUnixNano: String(s.startTimeUnixNano), endTimeUnixNano: String(s.endTimeUnixNano),
          attributes: attrs(s.attributes),
          events: ((s.events ?? []) as Array<Record<string, unknown>>).map((e) => ({ name: String(e.name), timeUnixNano: String(e.timeUnixNano), attributes: attrs(e.attributes) })),
          links: ((s.links ?? []) as Array<Record<string, unknown>>).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), attributes: attrs(l.attributes) })),
          status: { code: Number(status.code ?? 0), message: status.message ?? '' },
          resource, scope: { name: sc.name ?? '', version: sc.version ?? '' },
        });
      }
    }
  }
  return out;
}

function metricsOf(req: { resourceMetrics?: unknown[] }): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const rm of (req.resourceMetrics ?? []) as Array<Record<string, unknown>>) {
    const resource = attrs((rm.resource as { attributes?: unknown } | undefined)?.attributes);
    for (const sm of (rm.scopeMetrics ?? []) as Array<Record<string, unknown>>) {
      const sc = (sm.scope ?? {}) as { name?: string; version?: string };
      for (const m of (sm.metrics ?? []) as Array<Record<string, unknown>>) {
        const type = ['sum', 'gauge', 'histogram', 'exponentialHistogram'].find((t) => m[t]) ?? 'unknown';
        const data = (m[type] ?? {}) as { dataPoints?: Array<Record<string, unknown>>; aggregationTemporality?: number; isMonotonic?: boolean };
        out.push({
          name: String(m.name), unit: String(m.unit ?? ''), description: String(m.description ?? ''), type,
          aggregationTemporality: data.aggregationTemporality, isMonotonic: data.isMonotonic,
          dataPoints: (data.dataPoints ?? []).map((p) => ({ ...p, attributes: attrs(p.attributes) })),
          resource, scope: { name: sc.name ?? '', version: sc.version ?? '' },
        });
      }
    }
  }
  return out;
}

export interface Receiver {
  url: string;
  port: number;
  spans: ReceivedSpan[];
  metrics: ReceivedMetric[];
  requests: ReceivedRequest[];
  /** Answer the next `n` requests with this status (e.g. 503 to exercise retries). */
  failNext(n: number, status?: number): void;
  /** Accept `n` more requests, then answer every one after with this status. */
  failAfter(n: number, status?: number): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (a free port unless given); POST /v1/traces and /v1/metrics. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'port' | 'close'> & { failing: number; failStatus: number; acceptLeft: number } = {
    spans: [], metrics: [], requests: [], failing: 0, failStatus: 503, acceptLeft: Infinity,
    failNext(n, status = 503) { r.failing = n; r.failStatus = status; },
    failAfter(n, status = 400) { r.acceptLeft = n; r.failStatus = status; },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const contentType = String(req.headers['content-type'] ?? '');
      const path = (req.url ?? '').split('?')[0]!;
      r.requests.push({ path, contentType, headers: req.headers, bytes: body.length });
      if (r.acceptLeft <= 0) r.failing = Math.max(r.failing, 1);
      else if (r.failing === 0) r.acceptLeft--;
      if (r.failing > 0) {
        r.failing--;
        res.writeHead(r.failStatus).end();
        return;
      }
      const isProto = contentType.includes('protobuf');
      try {
        if (path === '/v1/traces') {
          const msg = isProto ? toObject(TraceRequest, TraceRequest.decode(body)) : JSON.parse(body.toString('utf8'));
          r.spans.push(...spansOf(msg as { resourceSpans?: unknown[] }));
          const reply = isProto ? Buffer.from(TraceResponse.encode(TraceResponse.create({})).finish()) : Buffer.from('{}');
          res.writeHead(200, { 'content-type': isProto ? 'application/x-protobuf' : 'application/json' }).end(reply);
        } else if (path === '/v1/metrics') {
          const msg = isProto ? toObject(MetricsRequest, MetricsRequest.decode(body)) : JSON.parse(body.toString('utf8'));
          r.metrics.push(...metricsOf(msg as { resourceMetrics?: unknown[] }));
          const reply = isProto ? Buffer.from(MetricsResponse.encode(MetricsResponse.create({})).finish()) : Buffer.from('{}');
          res.writeHead(200, { 'content-type': isProto ? 'application/x-protobuf' : 'application/json' }).end(reply);
        } else {
          res.writeHead(404).end();
        }
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as { port: number }).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
