import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { CONTENT_EVENTS, SANITIZED_JSON_KEYS } from '../../semconv/content.js';
import type { Redactor } from './redaction.js';
import { CONTENT_KEY } from './contentKey.js';
import { NO_HOOK } from '../noHook.js';

export const PRIVACY_LEVELS = ['none', 'metadata', 'full'] as const;
export type PrivacyLevel = (typeof PRIVACY_LEVELS)[number];

const CONTENT_EVENT_NAMES: ReadonlySet<string> = new Set(CONTENT_EVENTS);
/** Under `none`, free text that may quote user data goes too (error types and names stay). */
const FREE_TEXT_EVENT_KEYS = new Set(['exception.message', 'exception.stacktrace']);

const KEEP = 0;
const DROP = 1;
const SANITIZE = 2;
type Verdict = typeof KEEP | typeof DROP | typeof SANITIZE;
/** A key's plan: its verdict, plus SCAN when the redactor may change its values (one cached lookup per key and span). */
const SCAN = 4;
/** …and RULE when a user rule hides its values whole. */
const RULE = 8;
interface Plan { readonly p: number; lastClean: string | undefined }

/** A value after redaction: numbers and booleans only under a user key rule (they hold no secret text). */
function redacted(redactor: Redactor, key: string, v: AttributeValue | undefined, plan: Plan): AttributeValue | undefined {
  if ((plan.p & RULE) === 0) {
    if (typeof v === 'string') {
      if (plan.lastClean === v) return v;
      const r = redactor.redact(v);
      if (r === v && v.length <= 256) plan.lastClean = v; // short ones: never hold a large content value
      return r;
    }
    if (!Array.isArray(v)) return v;
  }
  return redactor.value(key, v) as AttributeValue | undefined;
}

/** Span names remembered as clean, in a ring (the oldest replaced first; a power of 2). */
const CLEAN_NAMES = 8;
/** Distinct keys remembered; flattened lists (`llm.input_messages.N.…`) make many, so the cache is bounded. */
const CACHE_LIMIT = 20_000;

/** The JSON object without its content fields; undefined (drop the attribute) when it is not one. */
function withoutFields(v: AttributeValue | undefined, fields: readonly string[]): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const o = JSON.parse(v) as unknown;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
    let changed = false;
    for (const f of fields) if (f in o) { delete (o as Record<string, unknown>)[f]; changed = true; }
    return changed ? JSON.stringify(o) : v;
  } catch {
    return undefined;
  }
}

/**
 * Applies the privacy level and redaction to every span before any exporter sees it (in onEnding,
 * while the span is still writable): below `full`, drops content attributes of every dialect and
 * the events that exist to carry content, and content keys inside any other event; under `none`,
 * drops free text too; then replaces secrets and personal data in whatever is left with a marker.
 */
export class PrivacyProcessor implements SpanProcessor {
  /** Per key, its plan and the last string value found clean (spans in a row repeat them: agent, model, run id). */
  private readonly plans = new Map<string, Plan>();
  /**
   * The last span names found clean: an agent's spans take turns among a few names (the helpers' are
   * the same string objects each time), found here by identity before any hashing.
   */
  private readonly cleanNames: string[] = new Array<string>(CLEAN_NAMES).fill('');
  private nextName = 0;

  constructor(private readonly level: PrivacyLevel, private readonly redactor: Redactor | undefined) {}

  readonly onStart = NO_HOOK;

  onEnding(span: Span): void {
    const strip = this.level !== 'full';
    const redactor = this.redactor;
    if (strip || redactor) this.attributes(span, strip, redactor);
    const events = span.events as TimedEvent[];
    if (strip) {
      for (let i = events.length - 1; i >= 0; i--) if (CONTENT_EVENT_NAMES.has(events[i]!.name)) events.splice(i, 1);
    }
    for (const event of events) {
      const ea = event.attributes as Attributes | undefined;
      if (!ea) continue;
      for (const key in ea) {
        if (strip) {
          const verdict = this.verdict(key);
          if (verdict === SANITIZE) {
            const v = withoutFields(ea[key], SANITIZED_JSON_KEYS[key]!);
            if (v === undefined) { delete ea[key]; continue; }
            ea[key] = v;
          } else if (verdict === DROP || (this.level === 'none' && FREE_TEXT_EVENT_KEYS.has(key))) {
            delete ea[key];
            continue;
          }
        }
        if (this.redactor) ea[key] = this.redactor.value(key, ea[key]) as Attributes[string];
      }
      if (this.redactor) (event as { name: string }).name = this.redactor.redact(event.name);
    }
    if (span.links.length) this.links(span, strip);
    const status = span.status;
    if (status.message) {
      const message = this.level === 'none' ? undefined : this.redactor ? this.redactor.redact(status.message) : status.message;
      if (message !== status.message) span.setStatus({ code: status.code, message });
    }
    if (this.redactor) {
      const name = span.name;
      if (!this.cleanNames.includes(name)) {
        const r = this.redactor.redact(name);
        if (r !== name) span.updateName(r);
        else if (name.length <= 256) this.cleanNames[this.nextName++ & (CLEAN_NAMES - 1)] = name;
      }
    }
  }

  /**
   * One pass over the attributes, one plan lookup per key: content keys dropped or sanitized (below
   * `full`), then secrets redacted in what is left. Deleting keys would leave V8 a slow dictionary
   * object for every later step: at the first key to strip (rare) the span gets a copy instead.
   */
  private attributes(span: Span, strip: boolean, redactor: Redactor | undefined): void {
    const attrs = span.attributes as Attributes;
    let copy: Attributes | undefined;
    for (const key in attrs) {
      const plan = this.plan(key);
      const p = plan.p;
      let v = attrs[key];
      if (strip && (p & 3) !== KEEP) {
        if (!copy) {
          copy = {};
          for (const k in attrs) { if (k === key) break; copy[k] = attrs[k]; }
        }
        if ((p & 3) === DROP) continue;
        v = withoutFields(v, SANITIZED_JSON_KEYS[key]!);
        if (v === undefined) continue;
      }
      if (redactor && (p & SCAN) !== 0) v = redacted(redactor, key, v, plan);
      if (copy) copy[key] = v;
      else if (v !== attrs[key]) attrs[key] = v;
    }
    if (copy) (span as unknown as { attributes: Attributes }).attributes = copy;
  }

  /**
   * Links' attributes get what event attributes get. Links may be the caller's own objects (the SDK keeps
   * them as given): changed ones are replaced by copies, never edited in place.
   */
  private links(span: Span, strip: boolean): void {
    let out: Link[] | undefined;
    span.links.forEach((link, i) => {
      const la = link.attributes;
      if (!la) return;
      let copy: Attributes | undefined;
      for (const key in la) {
        const v = la[key];
        let r: AttributeValue | undefined = v;
        if (strip) {
          const verdict = this.verdict(key);
          if (verdict === SANITIZE) r = withoutFields(v, SANITIZED_JSON_KEYS[key]!);
          else if (verdict === DROP || (this.level === 'none' && FREE_TEXT_EVENT_KEYS.has(key))) r = undefined;
        }
        if (r !== undefined && this.redactor) r = this.redactor.value(key, r) as AttributeValue;
        if (r === v) continue;
        copy ??= { ...la };
        if (r === undefined) delete copy[key];
        else copy[key] = r;
      }
      if (copy) (out ??= [...span.links])[i] = { ...link, attributes: copy };
    });
    if (out) (span as unknown as { links: Link[] }).links = out;
  }

  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }

  /** Whether `key` is content (dropped), metadata embedding content (sanitized) or metadata. */
  private verdict(key: string): Verdict {
    return (this.plan(key).p & 3) as Verdict;
  }

  /** The key's verdict, SCAN when redaction applies to its values, RULE when a key rule does; cached. */
  private plan(key: string): Plan {
    let plan = this.plans.get(key);
    if (plan === undefined) {
      let p: number = Object.hasOwn(SANITIZED_JSON_KEYS, key) ? SANITIZE : CONTENT_KEY.test(key) ? DROP : KEEP;
      if (this.redactor?.scansKey(key)) p |= SCAN;
      if (this.redactor && this.redactor.keyRule(key) !== null) p |= RULE;
      if (this.plans.size >= CACHE_LIMIT) this.plans.clear();
      this.plans.set(key, (plan = { p, lastClean: undefined }));
    }
    return plan;
  }
}
