import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InstrumentationScope } from '@opentelemetry/core';
import { DIR_RESOURCES, METRIC_DEFAULTS, SPAN_DEFAULTS, type AttributeMap, type ResourceRow, type RowSignal } from '../../semconv/schema.js';
import { LOG_DEFAULTS } from '../../semconv/logs.js';

/**
 * Resources written once (format v2, semconv/README.md "Resource row"), since format v3 together with the
 * instrumentation scope of the rows that name them: the id a row names them by, the row of `resources/`,
 * and the one way JS readers put the resource, service name, scope and defaulted fields back into a row.
 */

/** `service.name` of resource attributes, as rows carry it. */
export const serviceOf = (attributes: AttributeMap): string => {
  const s = attributes['service.name'];
  return typeof s === 'string' ? s : 'unknown_service';
};

/** A scope as rows and resource rows carry it. */
export const scopeJson = (scope: InstrumentationScope): string => JSON.stringify({ name: scope.name, version: scope.version ?? null });

/** The first 16 hex digits of sha256 of the attributes' JSON (then, with a scope, a newline and the scope's JSON). */
export const resourceIdOf = (attributesJson: string, scope?: string): string =>
  crypto.createHash('sha256').update(scope === undefined ? attributesJson : attributesJson + '\n' + scope).digest('hex').slice(0, 16);

/** The row of `resources/` (with its newline) for a resource and the scope of the rows that will name it. */
export function resourceRowJson(attributes: AttributeMap, scope?: InstrumentationScope): { id: string; row: string } {
  const json = JSON.stringify(attributes);
  const sj = scope === undefined ? undefined : scopeJson(scope);
  const id = resourceIdOf(json, sj);
  return {
    id,
    row: `{"resource_id":"${id}","service_name":${JSON.stringify(serviceOf(attributes))}${sj === undefined ? '' : `,"scope":${sj}`},"resource":${json}}\n`,
  };
}

/** The `.jsonl` files of `<root>/resources/`, oldest name first (none: an older store, or only Parquet). */
export function resourceFiles(root: string): string[] {
  const dir = path.join(root, DIR_RESOURCES);
  try {
    return fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

type AnyRow = Record<string, unknown>;

/**
 * Format v3: `row` with the fields left out at their default put back (semconv SPAN_DEFAULTS,
 * METRIC_DEFAULTS, LOG_DEFAULTS). Rows that carry them (v1, v2) are left as they are.
 */
export function withDefaults<T>(row: T, signal: RowSignal): T {
  const r = row as AnyRow;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return row;
  const defaults: Record<string, unknown> = signal === 'spans' ? SPAN_DEFAULTS : signal === 'metrics' ? METRIC_DEFAULTS : LOG_DEFAULTS;
  for (const key in defaults) {
    if (r[key] === undefined) r[key] = Array.isArray(defaults[key]) ? [] : defaults[key];
  }
  return row;
}

/**
 * The resources of a telemetry directory by id, for JS readers (readJsonl, replay, the viewer's trace
 * page). Read lazily; an id not seen yet reads the directory again (a writer adds its resource before any
 * row naming it), at most once per id.
 */
export class ResourceLookup {
  private readonly byId = new Map<string, ResourceRow>();
  private readonly missed = new Set<string>();
  private loaded = false;

  /** `root` is the telemetry directory (its `resources/` is read). */
  constructor(private readonly root: string) {}

  /** The resource row of an id (`resource`, `service_name` and, since v3, `scope`). */
  get(id: string): ResourceRow | undefined {
    if (!this.loaded || (!this.byId.has(id) && !this.missed.has(id))) {
      this.loaded = true;
      this.reload();
      if (!this.byId.has(id)) this.missed.add(id);
    }
    return this.byId.get(id);
  }

  /**
   * `row` with what its resource row names filled in (`resource`, `service_name`, `scope`) and the
   * fields left out at their default put back; rows that hold them (older formats) keep their own.
   */
  fill<T>(row: T, signal: RowSignal | undefined): T {
    const r = row as AnyRow;
    if (!r || typeof r !== 'object') return row;
    if (typeof r.resource_id === 'string' && (r.resource == null || r.service_name === undefined || r.scope === undefined)) {
      const named = this.get(r.resource_id);
      if (named) {
        if (r.resource == null) r.resource = named.resource;
        if (r.service_name === undefined) r.service_name = named.service_name;
        if (r.scope === undefined && named.scope) r.scope = named.scope;
      }
    }
    return signal === undefined ? row : withDefaults(row, signal);
  }

  private reload(): void {
    for (const file of resourceFiles(this.root)) {
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch { continue; /* pruned meanwhile */ }
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as ResourceRow;
          if (typeof r.resource_id === 'string' && r.resource && typeof r.resource === 'object') this.byId.set(r.resource_id, r);
        } catch { /* a torn last line */ }
      }
    }
  }
}
