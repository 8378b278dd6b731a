import { diag } from '@opentelemetry/api';

/**
 * The one place where failures inside agent-otel are counted by cause (`processor.cost`,
 * `callback.onExceeded`, `helper.metrics`, `background.budget_restore`, …) and logged once per cause
 * through `diag`; `handle.health().errors` reports the counts. Causes are fixed names from our code,
 * never user data, so the map stays small. Nothing here throws.
 */
const counts = new Map<string, number>();
const warned = new Set<string>();

/** A thrown value as text, whatever it is (null, a symbol, an object whose getters or toString throw). */
export function describeError(err: unknown): string {
  try {
    if (err instanceof Error) {
      let name = 'Error';
      let message = '';
      try { name = String(err.name); } catch { /* hostile getter */ }
      try { message = String(err.message); } catch { /* hostile getter */ }
      return `${name}: ${message}`;
    }
    return typeof err === 'symbol' ? err.toString() : String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

function log(level: 'warn' | 'error', message: string): void {
  try { diag[level](message); } catch { /* a user's diag logger that throws */ }
}

/** Counts one failure of `cause`; the first of each cause is logged. */
export function countError(cause: string, err?: unknown): void {
  const n = (counts.get(cause) ?? 0) + 1;
  counts.set(cause, n);
  if (n === 1) {
    const why = err === undefined ? '' : `: ${describeError(err).slice(0, 500)}`;
    log('warn', `agent-otel: ${cause} failed${why} (the agent is unaffected; counted in health().errors, logged once per cause)`);
  }
}

/** Logs `message` once per `key` (bad input from the agent that was coerced or ignored; not a failure). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  log('warn', `agent-otel: ${message}`);
}

/** Failures counted since the registration began, by cause. */
export function errorCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

/** A new registration starts counting (and logging) afresh. */
export function resetErrorCounts(): void {
  counts.clear();
  warned.clear();
}

/** Runs `fn`; a throw is counted under `cause`, never rethrown. */
export function guard<T>(cause: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    countError(cause, err);
    return undefined;
  }
}

/**
 * Calls a user callback that may be sync or async: a throw or a rejected promise is counted under
 * `cause` and never reaches the agent (no unhandled rejection).
 */
export function callUser(cause: string, fn: () => unknown): void {
  try {
    const r = fn();
    if (r !== null && (typeof r === 'object' || typeof r === 'function')) {
      const then = (r as { then?: unknown }).then;
      if (typeof then === 'function') then.call(r, undefined, (err: unknown) => countError(cause, err));
    }
  } catch (err) {
    countError(cause, err);
  }
}

/** A background task: its rejection is counted under `cause`, never left unhandled. */
export function background(cause: string, task: Promise<unknown>): Promise<void> {
  return task.then(() => undefined, (err: unknown) => countError(cause, err));
}
