import type { Attributes } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { warnOnce } from '../errorCounts.js';
import { NO_HOOK } from '../noHook.js';

/**
 * First in the chain: makes every span hold only what OpenTelemetry allows, whatever a library wrote
 * straight into the SDK span past the API's checks (a bigint, symbol, object, circular structure or
 * throwing getter as an attribute value, a symbol as a name, an unknown kind or status code). Such a
 * value is dropped, as the API would have dropped it, so that the processors after it read plain
 * values and the exporters can write the span as one row instead of losing it. Cheap when nothing
 * is wrong: one typeof per attribute.
 */
export class SerializableSpanProcessor implements SpanProcessor {
  readonly onStart = NO_HOOK;
  onEnding(span: Span): void { makeSerializable(span); }
  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

type Mutable = {
  name: unknown; kind: unknown; status: { code: unknown; message?: unknown }; attributes: unknown; events: unknown; links: unknown;
  startTime: unknown; endTime: unknown; _duration: unknown;
};

/** Up to the end of year 9999: what an ISO-8601 timestamp (and every reader) can hold. */
const MAX_SECONDS = 253_402_300_799;
const validTime = (t: unknown): t is [number, number] =>
  Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && t[0] >= 0 && t[0] <= MAX_SECONDS &&
  typeof t[1] === 'number' && t[1] >= 0 && t[1] <= 1e9; // NaN fails every comparison
const nowTime = (): [number, number] => { const ms = Date.now(); return [Math.floor(ms / 1000), (ms % 1000) * 1e6]; };

const before = (a: [number, number], b: [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** Start and end times a row can hold (a library's NaN, infinite or year-300000 time becomes the other one, or now). */
function fixTimes(s: Mutable): void {
  const startOk = validTime(s.startTime);
  const endOk = validTime(s.endTime);
  if (startOk && endOk && !before(s.endTime as [number, number], s.startTime as [number, number])) return;
  const start = startOk ? s.startTime as [number, number] : endOk ? s.endTime as [number, number] : nowTime();
  let end = endOk ? s.endTime as [number, number] : start;
  if (before(end, start)) end = start;
  s.startTime = start.slice();
  s.endTime = end.slice();
  let sec = end[0] - start[0];
  let ns = end[1] - start[1];
  if (ns < 0) { sec -= 1; ns += 1e9; }
  s._duration = [sec, ns];
}

const isPrimitive = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function valid(v: unknown): boolean {
  if (v === undefined || isPrimitive(v)) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (x !== null && x !== undefined && !isPrimitive(x)) return false;
  }
  return true;
}

/** The attribute map with invalid values left out (a copy only when something is wrong). */
function clean(attrs: unknown, where: string): Attributes {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return {};
  let bad = false;
  try {
    for (const key in attrs) {
      if (!valid((attrs as Record<string, unknown>)[key])) { bad = true; break; }
    }
  } catch {
    bad = true; // a getter that throws
  }
  if (!bad) return attrs as Attributes;
  const out: Attributes = {};
  try {
    for (const key of Object.keys(attrs)) {
      try {
        const v = (attrs as Record<string, unknown>)[key];
        if (valid(v)) out[key] = v as Attributes[string];
      } catch { /* left out */ }
    }
  } catch { /* a Proxy: nothing readable */ }
  warnOnce(`invalid ${where} value`, `a span ${where} value that is not an OpenTelemetry attribute value (written past the API) was left out`);
  return out;
}

const nameOf = (v: unknown): string =>
  typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : '(unnamed)';

export function makeSerializable(span: Span): void {
  const s = span as unknown as Mutable;
  if (typeof s.name !== 'string') s.name = nameOf(s.name);
  if (!(typeof s.kind === 'number' && Number.isInteger(s.kind) && s.kind >= 0 && s.kind <= 4)) s.kind = 0;
  const status = s.status;
  if (!status || typeof status !== 'object' || !(status.code === 0 || status.code === 1 || status.code === 2)) s.status = { code: 0 };
  else if (status.message !== undefined && typeof status.message !== 'string') s.status = { code: status.code };
  fixTimes(s);
  const attrs = clean(s.attributes, 'attribute');
  if (attrs !== s.attributes) s.attributes = attrs;
  if (Array.isArray(s.events)) {
    for (const e of s.events as Array<{ name: unknown; attributes?: unknown; time: unknown }>) {
      if (typeof e.name !== 'string') e.name = nameOf(e.name);
      if (!validTime(e.time)) e.time = (s.endTime as [number, number]).slice();
      if (e.attributes !== undefined) {
        const a = clean(e.attributes, 'event attribute');
        if (a !== e.attributes) e.attributes = a;
      }
    }
  } else {
    s.events = [];
  }
  if (Array.isArray(s.links)) {
    for (const l of s.links as Array<{ attributes?: unknown }>) {
      if (l.attributes !== undefined) {
        const a = clean(l.attributes, 'link attribute');
        if (a !== l.attributes) l.attributes = a;
      }
    }
  } else {
    s.links = [];
  }
}
