import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import { DIR_RESOURCES, type AttributeMap } from '../../semconv/schema.js';
import { AppendFile, type AppendFileOptions } from './AppendFile.js';
import { resourceRowJson } from './resources.js';

/** Where row serializers get the id of a resource and scope, written down before the first row naming it. */
export interface ResourceSink {
  /**
   * The id of the resource with the rows' instrumentation scope, once its row is on disk; undefined when it
   * could not be written (rows then carry the resource, service name and scope inline, so nothing is lost).
   */
  idFor(resource: Resource, scope: InstrumentationScope): string | undefined;
}

/**
 * `<root>/resources/`: each (resource, scope) row once, written synchronously the first time a row
 * serializer asks for its id, so no row naming it can reach disk before it. One per telemetry directory in a process,
 * shared by its span, log and metric exporters (one small file per process); AppendFile's naming, 0600
 * files and retention, so liveness and pruning treat it like the other signals' files.
 */
export class ResourceFile implements ResourceSink {
  private static readonly shared = new Map<string, { file: ResourceFile; users: number }>();

  /** The directory's ResourceFile, shared; give it back with `release()`. */
  static acquire(opts: Omit<AppendFileOptions, 'signal'>): ResourceFile {
    let entry = ResourceFile.shared.get(opts.root);
    if (!entry) ResourceFile.shared.set(opts.root, (entry = { file: new ResourceFile(opts), users: 0 }));
    entry.users++;
    return entry.file;
  }

  readonly file: AppendFile;
  /** Ids written, by Resource object (one per provider, so a handful), then by scope name and version. */
  private readonly ids = new WeakMap<Resource, Map<string, string>>();
  private readonly written = new Set<string>();
  /** When a write last failed: not tried again for a second (serializers ask once per batch). */
  private failedAt = 0;

  private constructor(private readonly opts: Omit<AppendFileOptions, 'signal'>) {
    this.file = new AppendFile({ ...opts, signal: DIR_RESOURCES });
  }

  idFor(resource: Resource, scope: InstrumentationScope): string | undefined {
    const scopeKey = scope.name + '\u0000' + (scope.version ?? '');
    const known = this.ids.get(resource)?.get(scopeKey);
    if (known !== undefined) return known;
    const { id, row } = resourceRowJson(resource.attributes as AttributeMap, scope);
    if (!this.written.has(id)) {
      if (Date.now() - this.failedAt < 1000) return undefined;
      let ok = true;
      this.file.appendSync(row, (err) => { ok = !err; });
      if (!ok) {
        this.failedAt = Date.now();
        return undefined;
      }
      this.written.add(id);
    }
    // attributes still pending may change: remember the id only for a settled resource
    if (!resource.asyncAttributesPending) {
      let byScope = this.ids.get(resource);
      if (!byScope) this.ids.set(resource, (byScope = new Map()));
      byScope.set(scopeKey, id);
    }
    return id;
  }

  /** One user is done; the last one closes the file. */
  async release(): Promise<void> {
    const entry = ResourceFile.shared.get(this.opts.root);
    if (!entry || entry.file !== this || --entry.users > 0) return;
    ResourceFile.shared.delete(this.opts.root);
    await this.file.close();
  }
}
