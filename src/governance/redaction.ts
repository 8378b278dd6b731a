import { AgentOtelConfigError } from '../errors.js';

/** A user rule: redact whole values of matching attribute keys, and/or every match of a pattern. */
export interface RedactionRule {
  /** Attribute key (exact) or pattern of keys whose values are replaced entirely. */
  key?: string | RegExp;
  /** Text to find in any string value (a RegExp, or a string compiled as one). */
  pattern?: string | RegExp;
  /** Name shown in the marker, `[REDACTED:<name>]` (default `custom`). */
  name?: string;
}

export interface RedactionOptions {
  /** Built-in patterns on (default true). */
  builtins?: boolean;
  rules?: RedactionRule[];
}

/**
 * Built-in patterns: secrets of common providers, tokens, personal data. Order matters (longest first).
 * Each runs in linear time (a 256 KB value in a few ms): a match may only start where a run of its
 * characters starts (the lookbehinds), repeated parts are bounded, and no two adjacent parts can match
 * the same text, so the engine never rescans a run from each of its positions.
 */
const BUILTINS: Array<[name: string, re: RegExp]> = [
  ['private_key', /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s]*(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?/g],
  ['jwt', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g],
  ['bearer_token', /\b(?:Bearer|Basic)\s{1,8}[A-Za-z0-9._~+/=-]{8,}/gi],
  ['api_key', /(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-(?:api\d\d-)?|or-v1-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|AIza[0-9A-Za-z_-]{35}|xox[abpors]-[A-Za-z0-9-]{10,}|[rs]k_live_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,}|gsk_[A-Za-z0-9]{40,})/g],
  // Domain labels are matched one by one ("label." repeated, then the TLD): never two ways to split.
  ['email', /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g],
  ['card_number', /(?<![\d])\d(?:[ -]?\d){12,18}(?!\d)/g],
];
/**
 * Cheap test first: most values (model names, ids, enums) contain none of these. Every alternative
 * needs a character outside [0-9a-fA-F -], so hex ids (UUIDs, trace ids) skip the regex, which took
 * ~0.5 µs on a UUID.
 */
const MAYBE_SECRET = /-----BEGIN|eyJ|Bearer|Basic|sk-|AKIA|gh[pousr]_|github_pat_|AIza|xox|_live_|hf_|glpat-|gsk_|@/i;
/**
 * `MAYBE_SECRET.test(s) || /(?:\d[ -]?){12}\d/.test(s)` in one pass: 13 digits in a chain where
 * consecutive digits are at most one space or dash apart (what card_number can match) are counted
 * directly; the card regex backtracked on every digit of a UUID (~0.4 µs).
 */
function maybeSecret(s: string): boolean {
  if (isUuid(s)) return false;
  let run = 0;
  let sep = false;
  let hexOnly = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 13) return true;
      sep = false;
      continue;
    }
    const space = c === 32 || c === 45;
    if (space && run > 0 && !sep) sep = true;
    else { run = 0; sep = false; }
    if (hexOnly && !space && !((c >= 97 && c <= 102) || (c >= 65 && c <= 70))) hexOnly = false;
  }
  return !hexOnly && MAYBE_SECRET.test(s);
}
/**
 * Only lowercase letters and digits, never 13 digits in a row (the run ids the package makes, most
 * tokens): no built-in rule can match (each needs a separator, an upper-case letter, `@`, a space or a
 * card number's 13 digits), so it is not scanned, and not cached either (ids are new each time; the
 * secret test's case-insensitive regex took ~0.25 µs on one, caching it ~0.25 µs more).
 */
function isPlainToken(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits >= 13) return false;
    } else if (c >= 97 && c <= 122) digits = 0;
    else return false;
  }
  return true;
}

/**
 * A UUID (8-4-4-4-12 hex digits) is an identifier (run ids, call ids), never a secret: only its digits
 * can look like one, a card number (about 1 random UUID in 450 has a Luhn-valid chain of 13 digits
 * across its dashes, and was cut in two by the marker). Not scanned, and not cached either.
 */
function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/**
 * Short values repeat from span to span (a run's id on each of its spans, model, agent and tool names,
 * span names): the ones found clean are remembered (never one holding a secret). Bounded; cleared when full.
 */
const CACHE_MAX_LENGTH = 256;
const CACHE_LIMIT = 8192;

/**
 * Keys whose values the package itself sets from a fixed set of values (never user text): not scanned.
 * Ids and names (run ids, tool and agent names, error types, models) come from users and are scanned.
 * User rules by key still apply to these.
 */
const SAFE_KEYS = new Set([
  'gen_ai.operation.name', 'gen_ai.token.type', 'agent.run.status', 'agent.tool.outcome', 'agent.span.type',
  'agent.cost.status', 'agent.call.wrapper', 'agent.dialect',
]);

/** Luhn check, so that order numbers and timestamps are not taken for card numbers. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

export const marker = (name: string): string => `[REDACTED:${name}]`;

function compile(p: string | RegExp, where: string): RegExp {
  if (p instanceof RegExp) return new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g');
  try {
    return new RegExp(p, 'g');
  } catch (err) {
    throw new AgentOtelConfigError(`${where}: pattern ${JSON.stringify(p)} does not compile: ${(err as Error).message}`);
  }
}

/** Replaces secrets and personal data in strings with a marker; whole values for user key rules. */
export class Redactor {
  private readonly patterns: Array<[string, RegExp]>;
  private readonly keyRules: Array<[string, string | RegExp]>;
  private readonly keyCache = new Map<string, string | null>();
  private readonly clean = new Set<string>();
  /** The built-in rules and no pattern of the user's: the cheap pre-tests below know what those can match. */
  private readonly builtinsOnly: boolean;

  constructor(opts: RedactionOptions = {}) {
    const rules = opts.rules ?? [];
    if (!Array.isArray(rules)) throw new AgentOtelConfigError(`option redaction.rules must be an array of { key?, pattern?, name? }; got ${JSON.stringify(rules)}`);
    this.patterns = opts.builtins === false ? [] : BUILTINS.map(([n, re]) => [n, new RegExp(re.source, re.flags)]);
    this.keyRules = [];
    rules.forEach((r, i) => {
      const where = `option redaction.rules[${i}]`;
      if (!r || typeof r !== 'object' || (r.key === undefined && r.pattern === undefined)) {
        throw new AgentOtelConfigError(`${where} needs a key or a pattern; got ${JSON.stringify(r)}`);
      }
      const name = r.name ?? 'custom';
      if (r.pattern !== undefined) this.patterns.push([name, compile(r.pattern, where)]);
      if (r.key !== undefined) this.keyRules.push([name, typeof r.key === 'string' ? r.key : compile(r.key, where)]);
    });
    this.builtinsOnly = opts.builtins !== false && this.patterns.length === BUILTINS.length;
  }

  /** The rule name when every value of `key` is to be hidden, else null. */
  keyRule(key: string): string | null {
    let hit = this.keyCache.get(key);
    if (hit === undefined) {
      hit = null;
      for (const [name, k] of this.keyRules) {
        if (typeof k !== 'string') k.lastIndex = 0;
        if (typeof k === 'string' ? k === key : k.test(key)) { hit = name; break; }
      }
      this.keyCache.set(key, hit);
    }
    return hit;
  }

  redact(s: string): string {
    if (this.patterns.length === 0) return s;
    if (s.length > CACHE_MAX_LENGTH) return this.scan(s);
    if (isUuid(s)) return s; // a new one per run: remembering them would only churn the cache (tested first: no hashing)
    if (this.builtinsOnly && isPlainToken(s)) return s;
    if (this.clean.has(s)) return s;
    const out = this.scan(s);
    if (out === s) {
      if (this.clean.size >= CACHE_LIMIT) this.clean.clear();
      this.clean.add(s);
    }
    return out;
  }

  private scan(s: string): string {
    if (this.builtinsOnly && !maybeSecret(s)) return s;
    let out = s;
    for (const [name, re] of this.patterns) {
      re.lastIndex = 0;
      if (!re.test(out)) continue;
      re.lastIndex = 0;
      out = out.replace(re, (m) => (name === 'card_number' && !luhn(m.replace(/[ -]/g, '')) ? m : marker(name)));
    }
    return out;
  }

  /** Whether values of `key` are ever changed: false for the package's own enum keys without a user key rule. */
  scansKey(key: string): boolean {
    return this.keyRule(key) !== null || !SAFE_KEYS.has(key);
  }

  /** Redacts an attribute value of any type (strings and string arrays; other types pass). */
  value(key: string, v: unknown): unknown {
    const rule = this.keyRule(key);
    if (rule) return marker(rule);
    if (SAFE_KEYS.has(key)) return v;
    if (typeof v === 'string') return this.redact(v);
    if (Array.isArray(v) && v.some((x) => typeof x === 'string')) return v.map((x) => (typeof x === 'string' ? this.redact(x) : x));
    return v;
  }
}
