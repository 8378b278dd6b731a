import { context, INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind } from '@opentelemetry/api';
import { stringify } from 'safe-stable-stringify';
import { ERROR_TYPE } from '../../semconv/attributes.js';
import { countError, describeError } from '../errorCounts.js';
import { current } from '../metrics/instruments.js';

/** `error.type` for a thrown value: its class name (or code), `_OTHER` when there is none. Never throws. */
export function errorType(err: unknown): string {
  try {
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      const name: unknown = err.name;
      if (typeof name === 'string' && name && name !== 'Error') return name;
      if (typeof code === 'string' && code) return code;
      const ctor: unknown = err.constructor?.name;
      return typeof ctor === 'string' && ctor ? ctor : 'Error';
    }
  } catch { /* a getter that throws: the value is still the agent's, only its type is unknown */ }
  return '_OTHER';
}

/**
 * Telemetry must never break the agent: anything thrown while recording is counted under
 * `helper.<what>` (health().errors) and logged once, not rethrown.
 */
export function safely(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    countError(`helper.${what}`, err);
  }
}

/**
 * Span names made by `format(prefix, name)` (semconv/spans.ts), the same string object for the same
 * name: a new string per call costs its building and, downstream, its flattening and hashing
 * (redaction's cache, the JSONL row).
 */
const names = new Map<string, Map<string, string>>();
export function spanName(prefix: string, name: string, format: (prefix: string, name: string) => string): string {
  let byName = names.get(prefix);
  if (!byName) names.set(prefix, (byName = new Map()));
  let full = byName.get(name);
  if (full === undefined) {
    full = format(prefix, name);
    if (byName.size >= 1024) byName.clear();
    byName.set(name, full);
  }
  return full;
}

/** Content (prompts, tool arguments) as an attribute value: strings as they are, the rest as JSON. */
export function contentValue(value: unknown): string {
  return typeof value === 'string' ? value : stringify(value) ?? String(value);
}

export interface SpanOutcome {
  span: Span;
  /** Seconds from start to end (0 unless `withSpan` was asked to time the call). */
  seconds: number;
  /** The thrown value's `error.type`, when the callback threw. */
  errorType?: string;
}

/** The span, even when starting it with these attributes fails (then without them: the call is still seen). */
function startSpan(name: string, kind: SpanKind, attributes: Attributes, ctx: Context): Span {
  const { tracer } = current();
  try {
    return tracer.startSpan(name, { kind, attributes }, ctx);
  } catch (err) {
    countError('helper.start_span', err);
    try {
      return tracer.startSpan(name, { kind }, ctx);
    } catch {
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
  }
}

/**
 * Runs `fn` inside a new active span: records a thrown error (exception event, `error.type`, ERROR
 * status) and rethrows it, then calls `finish` (metrics) and ends the span. Shared by all helpers.
 * Whatever the telemetry does, `fn`'s value or its own thrown value comes back unchanged. `timed`:
 * `finish` gets the call's seconds (runs and workflows record them; a call's metrics take the span's
 * own duration, so they do without two clock reads per call).
 */
export async function withSpan<H, T>(
  name: string, kind: SpanKind, attributes: Attributes, ctx: Context,
  makeHandle: (span: Span) => H, fn: (handle: H) => T | Promise<T>, finish: (outcome: SpanOutcome) => void, timed = false,
): Promise<T> {
  const span = startSpan(name, kind, attributes, ctx);
  const start = timed ? performance.now() : 0;
  const outcome: SpanOutcome = { span, seconds: 0 };
  let active = ctx;
  // try/catch written out here rather than safely(): no closures on every call of every helper
  try { active = trace.setSpan(ctx, span); } catch (err) { countError('helper.context', err); }
  try {
    return await context.with(active, callWithHandle<H, T>, undefined, span, makeHandle, fn);
  } catch (err) {
    outcome.errorType = errorType(err);
    safely('record_error', () => {
      span.setAttribute(ERROR_TYPE, outcome.errorType!);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? errorMessage(err) : describeError(err) });
    });
    safely('record_exception', () => {
      try {
        span.recordException(err instanceof Error ? err : new Error(describeError(err)));
      } catch {
        span.recordException(new Error(describeError(err))); // an error whose name or stack getter throws
      }
    });
    throw err;
  } finally {
    if (timed) outcome.seconds = (performance.now() - start) / 1000;
    try { finish(outcome); } catch (err) { countError('helper.metrics', err); }
    try { span.end(); } catch (err) { countError('helper.end_span', err); }
  }
}

/** `fn` with its handle, made inside the span's context (the run-start marker is the span's child); no closure per call. */
function callWithHandle<H, T>(span: Span, makeHandle: (span: Span) => H, fn: (handle: H) => T | Promise<T>): T | Promise<T> {
  let handle: H | undefined;
  try { handle = makeHandle(span); } catch (err) { countError('helper.handle', err); }
  return fn(handle as H);
}

function errorMessage(err: Error): string {
  try {
    const m: unknown = err.message;
    return typeof m === 'string' ? m : describeError(m);
  } catch {
    return describeError(err);
  }
}
