import { diag, type Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { Redactor } from './redaction.js';

/** Attribute values seen on metrics are few (low cardinality): remembered, so a measurement scans each once. */
const CACHE_LIMIT = 10_000;

/**
 * Redacts metric data point attributes as they are measured, before aggregation, so no reader or
 * exporter (JSONL, DuckDB, OTLP, Prometheus) ever sees the original. Two series whose labels differ
 * only by a redacted value become one series (their values are aggregated together).
 */
export class RedactingAttributesProcessor implements IAttributesProcessor {
  /** key → value → redacted value: two Map lookups per attribute, no key string built per measurement. */
  private readonly cache = new Map<string, Map<string, string>>();
  private cached = 0;
  private failed = false;

  constructor(private readonly redactor: Redactor) {}

  process(incoming: Attributes): Attributes {
    try {
      let out: Attributes | undefined;
      for (const key in incoming) {
        const v = incoming[key];
        const r = typeof v === 'string' && this.redactor.keyRule(key) === null ? this.string(key, v) : this.redactor.value(key, v) as Attributes[string];
        if (r !== v) (out ??= { ...incoming })[key] = r;
      }
      return out ?? incoming;
    } catch (err) {
      // Never throw into a measurement; a value that cannot be scanned is not passed on either.
      if (!this.failed) diag.error('agent-otel: metric attribute redaction failed; attributes dropped', err);
      this.failed = true;
      return {};
    }
  }

  private string(key: string, v: string): string {
    let values = this.cache.get(key);
    let r = values?.get(v);
    if (r === undefined) {
      r = this.redactor.value(key, v) as string;
      if (this.cached >= CACHE_LIMIT) { this.cache.clear(); this.cached = 0; values = undefined; }
      if (!values) this.cache.set(key, (values = new Map()));
      values.set(v, r);
      this.cached++;
    }
    return r;
  }
}

/**
 * The MeterProvider views that redact every instrument's attributes (none without a redactor). A view
 * replaces the readers' own aggregation choice with the default one (per instrument type, honouring
 * bucket advice); the readers agent-otel builds use the default anyway.
 */
export function redactionViews(redactor: Redactor | undefined): ViewOptions[] {
  if (!redactor) return [];
  return [{ instrumentName: '*', attributesProcessors: [new RedactingAttributesProcessor(redactor)] }];
}
