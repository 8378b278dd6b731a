import type { AnyValue, Attributes, Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { CONTENT_EVENTS } from '../../semconv/content.js';
import { LOG_EXCEPTION_MESSAGE, LOG_EXCEPTION_STACKTRACE } from '../../semconv/logs.js';
import type { PrivacyLevel } from '../governance/PrivacyProcessor.js';
import type { Redactor } from '../governance/redaction.js';
import type { LogDrops } from './LogDrops.js';
import { CONTENT_KEY } from '../governance/contentKey.js';

const CONTENT_EVENT_NAMES: ReadonlySet<string> = new Set(CONTENT_EVENTS);
/** GenAI events that describe, not quote: kept below `full` (their content keys still go). */
const GEN_AI_METADATA_EVENTS: ReadonlySet<string> = new Set(['gen_ai.evaluation.result']);
const FREE_TEXT_KEYS = [LOG_EXCEPTION_MESSAGE, LOG_EXCEPTION_STACKTRACE];
const MAX_DEPTH = 8;
/** Distinct attribute keys whose content verdict is remembered. */
const CACHE_LIMIT = 20_000;

/** A GenAI content event: the conventions' `gen_ai.*` message/choice/details events (the official instrumentations emit these). */
export function isContentEvent(name: string | undefined): boolean {
  return name !== undefined && (CONTENT_EVENT_NAMES.has(name) || (name.startsWith('gen_ai.') && !GEN_AI_METADATA_EVENTS.has(name)));
}

function redactAny(r: Redactor, key: string, v: unknown, depth: number): unknown {
  if (typeof v === 'string') return r.value(key, v);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || depth > MAX_DEPTH) return v;
  if (key && r.keyRule(key)) return r.value(key, v); // a key rule hides the whole value, nested or not
  if (Array.isArray(v)) return v.map((x) => redactAny(r, key, x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) out[k] = redactAny(r, k, (v as Record<string, unknown>)[k], depth + 1);
  return out;
}

/**
 * Privacy and redaction for log records, before any exporter sees them (the log twin of
 * PrivacyProcessor): below `full`, GenAI content events are not recorded and content attributes are
 * removed from other records; under `none`, exception messages and stacks go too; then secrets and
 * personal data in the body, attributes (nested values included) and event name are replaced by a
 * marker. What passes goes on to the export queues; a record that fails here is dropped and counted
 * (fail closed: never written unredacted).
 */
export class LogGovernance implements LogRecordProcessor {
  private readonly contentKeys = new Map<string, boolean>();

  constructor(private readonly level: PrivacyLevel, private readonly redactor: Redactor | undefined,
    private readonly next: readonly LogRecordProcessor[], private readonly drops: LogDrops) {}

  onEmit(record: ReadWriteLogRecord, ctx?: Context): void {
    try {
      if (!this.govern(record)) return;
    } catch (err) {
      this.drops.add('privacy_failed', 1, (err as Error).message);
      return;
    }
    for (const p of this.next) p.onEmit(record, ctx);
  }

  /** False: the record is not to be recorded. */
  private govern(record: ReadWriteLogRecord): boolean {
    const strip = this.level !== 'full';
    const attrs = record.attributes as Attributes;
    // Events named the older way, in an `event.name` attribute (the official GenAI instrumentations).
    const legacyName = typeof attrs['event.name'] === 'string' ? attrs['event.name'] : undefined;
    if (strip && (isContentEvent(record.eventName) || isContentEvent(legacyName))) return false;
    if (strip) {
      for (const key in attrs) if (this.isContentKey(key)) delete attrs[key];
      if (this.level === 'none') for (const key of FREE_TEXT_KEYS) delete attrs[key];
    }
    const r = this.redactor;
    if (r) {
      for (const key in attrs) {
        const v = attrs[key];
        const red = typeof v === 'string' ? r.value(key, v) : typeof v === 'object' && v !== null ? redactAny(r, key, v, 0) : v;
        if (red !== v) attrs[key] = red as Attributes[string];
      }
      const body = record.body;
      const event = record.eventName;
      if (typeof body === 'string') {
        const red = r.redact(body);
        if (red !== body) record.body = red;
        if (event === body) { if (red !== body) record.eventName = red; return true; } // logger(): one text, scanned once
      } else if (typeof body === 'object' && body !== null) {
        record.body = redactAny(r, '', body, 1) as AnyValue;
      }
      if (event) {
        const red = r.redact(event);
        if (red !== event) record.eventName = red;
      }
    }
    return true;
  }

  private isContentKey(key: string): boolean {
    let hit = this.contentKeys.get(key);
    if (hit === undefined) {
      hit = CONTENT_KEY.test(key);
      if (this.contentKeys.size < CACHE_LIMIT) this.contentKeys.set(key, hit);
    }
    return hit;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.next.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.next.map((p) => p.shutdown()));
  }
}
