import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { countError, warnOnce } from '../errorCounts.js';

/**
 * What the agent passes to the helpers, read defensively: the TypeScript types are a promise the
 * caller may not keep (plain JS, `any`, data from a model). A getter that throws is counted
 * (`helper.options`) and read as absent; a value of the wrong type is coerced or ignored with one
 * warning per option. Nothing here throws.
 */

/** `options[key]`, or undefined when options is not an object or the getter throws. */
export function field(options: unknown, key: string): unknown {
  if (options === null || (typeof options !== 'object' && typeof options !== 'function')) return undefined;
  try {
    return (options as Record<string, unknown>)[key];
  } catch (err) {
    countError('helper.options', err);
    return undefined;
  }
}

/**
 * Sets `key` only to a defined value. Start attributes are built this way: the SDK copies every key it is
 * given twice at span start (an entry array per key, undefined ones too).
 */
export function put(attributes: Attributes, key: string, value: AttributeValue | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A string: numbers, booleans and bigints as their text, anything else ignored (warned once per `what`). */
export function asString(v: unknown, what: string): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    warnOnce(what, `${what} must be a string; got the ${typeof v} ${String(v)}, recorded as text`);
    return String(v);
  }
  warnOnce(what, `${what} must be a string; got ${typeName(v)}; ignored`);
  return undefined;
}

/** A finite number, else ignored (warned once per `what`). */
export function asNumber(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  warnOnce(what, `${what} must be a finite number; got ${typeName(v)}${typeof v === 'number' ? ` ${v}` : ''}; ignored`);
  return undefined;
}

const isPrimitive = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** One attribute value as OpenTelemetry takes it (a primitive, or an array of one primitive type with nulls), else undefined. */
export function attributeValue(v: unknown): AttributeValue | undefined {
  if (isPrimitive(v)) return v;
  if (!Array.isArray(v)) return undefined;
  const out: Array<string | number | boolean | null | undefined> = [];
  let type: string | undefined;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (x === null || x === undefined) { out.push(x); continue; }
    if (!isPrimitive(x) || (type !== undefined && typeof x !== type)) return undefined;
    type = typeof x;
    out.push(x);
  }
  return out as AttributeValue;
}

const SKIP = Symbol('skip');

/** A plain copy of user attributes: values OpenTelemetry would reject, and throwing getters, left out (warned once). */
export function asAttributes(v: unknown, what: string): Attributes {
  const out: Attributes = {};
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) {
    warnOnce(what, `${what} must be an object of attribute values; got ${typeName(v)}; ignored`);
    return out;
  }
  let skipped = false;
  try {
    for (const key of Object.keys(v)) {
      let value: unknown;
      try {
        value = (v as Record<string, unknown>)[key];
        // the array's own getters are read here, once, inside the try
        value = value === undefined ? undefined : attributeValue(value) ?? SKIP;
      } catch (err) {
        countError('helper.options', err);
        continue;
      }
      if (value === SKIP) { skipped = true; continue; }
      if (value !== undefined) out[key] = value as AttributeValue;
    }
  } catch (err) {
    countError('helper.options', err); // a Proxy whose ownKeys trap throws
  }
  if (skipped) warnOnce(what, `${what}: values that are not a string, number, boolean or an array of one of those are left out`);
  return out;
}
