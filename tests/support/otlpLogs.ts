// OTLP logs requests as a collector receives them: http/protobuf decoded by the official OTLP schema's
// generated decoders (@opentelemetry/otlp-proto-exporter-base 0.51.1, `otlp-proto-0051`, whose logs.proto
// predates LogRecord.event_name: that one field, number 12, is read by its field number).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const proto = (require('otlp-proto-0051/build/src/generated/root.js') as any).opentelemetry.proto;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { Reader } = require('protobufjs/minimal') as any;
const objectOpts = { longs: String, bytes: String, enums: Number, defaults: false, arrays: true };

export type Value = unknown;
export function anyValue(v: Record<string, unknown> | undefined): Value {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return kv((v.kvlistValue as { values?: unknown[] }).values);
  return null;
}
export const kv = (list: unknown) => Object.fromEntries(((list ?? []) as Array<{ key: string; value?: Record<string, unknown> }>).map((x) => [x.key, anyValue(x.value)]));
const hex = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('hex') : '');

export interface ReceivedLog {
  time: bigint; severityNumber: number; severityText: string; body: Value; eventName: string; attributes: Record<string, Value>;
  traceId: string; spanId: string; flags: number; resource: Record<string, Value>; scope: { name: string; version?: string };
}

/** LogRecord.event_name (field 12) of every record, in order: newer than the decoders' schema. */
function eventNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const fields = (buf: Uint8Array, each: (field: number, r: typeof Reader) => boolean) => {
    const r = Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (!each(tag >>> 3, r)) r.skipType(tag & 7);
    }
  };
  fields(bytes, (f, r) => f === 1 && (fields(r.bytes(), (f2, r2) => f2 === 2 && (fields(r2.bytes(), (f3, r3) => {
    if (f3 !== 2) return false;
    let name = '';
    fields(r3.bytes(), (f4, r4) => (f4 === 12 ? ((name = r4.string()), true) : false));
    names.push(name);
    return true;
  }), true)), true));
  return names;
}

/** An ExportLogsServiceRequest, decoded by the official schema. */
export function decodeLogsRequest(bytes: Uint8Array): ReceivedLog[] {
  const Request = proto.collector.logs.v1.ExportLogsServiceRequest;
  const req = Request.toObject(Request.decode(bytes), objectOpts);
  const names = eventNames(bytes);
  const out: ReceivedLog[] = [];
  for (const rl of req.resourceLogs ?? []) {
    const resource = kv(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const lr of sl.logRecords ?? []) {
        out.push({
          time: BigInt(lr.timeUnixNano ?? 0), severityNumber: lr.severityNumber ?? 0, severityText: lr.severityText ?? '',
          body: anyValue(lr.body), eventName: names[out.length] ?? '', attributes: kv(lr.attributes),
          traceId: hex(lr.traceId), spanId: hex(lr.spanId), flags: lr.flags ?? 0, resource, scope: sl.scope ?? { name: '' },
        });
      }
    }
  }
  return out;
}
