/**
 * Validation of what a request may ask: every endpoint names its query parameters, each with a
 * parser; anything else (an unknown or repeated parameter, a malformed value) is a 400 naming it.
 * Values reach SQL only as bound parameters or as fragments picked from fixed lists here.
 */
import { AgentOtelConfigError } from '../errors.js';
import { lookBackCutoff } from '../parse/duration.js';

export class ParamError extends Error {
  override name = 'ParamError';
}

export type Parser<T> = (raw: string, name: string) => T;

/** The longest look-back a `since` parameter takes (beyond it, `all`). */
export const MAX_SINCE_DAYS = 2000;

/** `?name=…` parsers. */
export const p = {
  /** An integer in [min, max]. */
  int: (min: number, max: number): Parser<number> => (raw, name) => {
    if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ParamError(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
    }
    return Number(raw);
  },
  /** One of a fixed list. */
  oneOf: <T extends string>(values: readonly T[]): Parser<T> => (raw, name) => {
    if (!(values as readonly string[]).includes(raw)) throw new ParamError(`${name} must be one of ${values.join(', ')}; got ${JSON.stringify(raw)}`);
    return raw as T;
  },
  /** A name (agent, model, tool): printable text up to 200 characters, bound as a value. */
  name: (raw: string, name: string): string => {
    // eslint-disable-next-line no-control-regex
    if (raw.length === 0 || raw.length > 200 || /[\u0000-\u001f\u007f]/.test(raw)) {
      throw new ParamError(`${name} must be 1 to 200 printable characters`);
    }
    return raw;
  },
  /**
   * A look-back such as 15m, 24h, 7d, 4w (at most MAX_SINCE_DAYS days), or `all`: the cutoff as a UTC
   * timestamp string, or undefined. The CLI's --since grammar and messages (src/parse/duration.ts).
   */
  since: (raw: string, name: string): string | undefined => lookBackCutoff(raw, name, { all: true, maxDays: MAX_SINCE_DAYS }),
};

/** A trace id: 32 lowercase hex characters (W3C trace context). */
export const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Parses `search` against the endpoint's parsers. Unknown names, repeated names and bad values throw
 * ParamError; absent ones are undefined.
 */
export function parseQuery<S extends Record<string, Parser<unknown>>>(
  search: URLSearchParams, spec: S,
): { [K in keyof S]: ReturnType<S[K]> | undefined } {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [name, raw] of search) {
    if (!Object.hasOwn(spec, name)) {
      const known = Object.keys(spec);
      throw new ParamError(`unknown query parameter ${JSON.stringify(name)}${known.length ? ` (this endpoint takes ${known.join(', ')})` : ' (this endpoint takes none)'}`);
    }
    if (seen.has(name)) throw new ParamError(`query parameter ${JSON.stringify(name)} is given more than once`);
    seen.add(name);
    if (raw === '') continue; // an empty filter field means no filter
    try {
      out[name] = spec[name]!(raw, name);
    } catch (err) {
      // The shared parsers (src/parse/) throw the config error; here a bad value is the request's fault.
      throw err instanceof AgentOtelConfigError ? new ParamError(err.message) : err;
    }
  }
  return out as { [K in keyof S]: ReturnType<S[K]> | undefined };
}
