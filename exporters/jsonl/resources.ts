import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DIR_RESOURCES, type AttributeMap, type ResourceRow } from '../../semconv/schema.js';

/**
 * Resources written once (format v2, semconv/README.md "Resource row"): the id a row names its resource
 * by, the row of `resources/`, and the one way JS readers put the resource back into a row.
 */

/** `service.name` of resource attributes, as rows carry it. */
export const serviceOf = (attributes: AttributeMap): string => {
  const s = attributes['service.name'];
  return typeof s === 'string' ? s : 'unknown_service';
};

/** The first 16 hex digits of sha256 of the attributes' JSON. */
export const resourceIdOf = (attributesJson: string): string =>
  crypto.createHash('sha256').update(attributesJson).digest('hex').slice(0, 16);

/** A resource's row of `resources/`, with its newline. */
export function resourceRowJson(attributes: AttributeMap): { id: string; row: string } {
  const json = JSON.stringify(attributes);
  const id = resourceIdOf(json);
  return { id, row: `{"resource_id":"${id}","service_name":${JSON.stringify(serviceOf(attributes))},"resource":${json}}\n` };
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

/**
 * The resources of a telemetry directory by id, for JS readers (readJsonl, replay, the viewer's trace
 * page). Read lazily; an id not seen yet reads the directory again (a writer adds its resource before any
 * row naming it), at most once per id.
 */
export class ResourceLookup {
  private readonly byId = new Map<string, AttributeMap>();
  private readonly missed = new Set<string>();
  private loaded = false;

  /** `root` is the telemetry directory (its `resources/` is read). */
  constructor(private readonly root: string) {}

  get(id: string): AttributeMap | undefined {
    if (!this.loaded || (!this.byId.has(id) && !this.missed.has(id))) {
      this.loaded = true;
      this.reload();
      if (!this.byId.has(id)) this.missed.add(id);
    }
    return this.byId.get(id);
  }

  /** `row` with its `resource` filled in from `resource_id` (rows with an inline resource as they are). */
  fill<T extends { resource?: unknown; resource_id?: unknown }>(row: T): T {
    if (row && row.resource == null && typeof row.resource_id === 'string') {
      const r = this.get(row.resource_id);
      if (r) row.resource = r;
    }
    return row;
  }

  private reload(): void {
    for (const file of resourceFiles(this.root)) {
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch { continue; /* pruned meanwhile */ }
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as ResourceRow;
          if (typeof r.resource_id === 'string' && r.resource && typeof r.resource === 'object') this.byId.set(r.resource_id, r.resource);
        } catch { /* a torn last line */ }
      }
    }
  }
}
