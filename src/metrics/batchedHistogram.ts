import { context, type Attributes, type Context, type Histogram } from '@opentelemetry/api';
import { countError } from '../errorCounts.js';
import { AttributeTrie } from './attributeTrie.js';

/*
 * The SDK's Histogram.record() sorts and serializes the attributes on every measurement (hashAttributes,
 * ~1–2 µs with the redaction view), and the helpers record 5 histogram values per agent iteration. Here
 * a measurement costs a few Map lookups (AttributeTrie): values are kept per attribute set and handed to the
 * SDK's own storage in one go — the attribute processing and hashing once per set and flush, then each
 * value straight into the set's accumulation. Flushed before every collection (an observable callback
 * of the same meter: the SDK runs those before it reads the storages, in async and sync collections
 * alike) and whenever a set holds BATCH values, so readers, views, temporality, cardinality limits and
 * exporters see exactly what direct records would have given them.
 * The storage is reached through SDK internals (@opentelemetry/sdk-metrics 2.x/3.x, as in
 * collectMetricsSync.ts), checked when the instrument is made; when they are not the expected ones,
 * every value goes to record() at once, as before.
 */

interface Accumulation { record(value: number): void }
interface DeltaStorage {
  record(value: number, attributes: Attributes, recordTime: number): void;
  _activeCollectionStorage: { get(key: Attributes): Accumulation | undefined };
}
interface SyncStorage {
  _attributesProcessor?: { process(attributes: Attributes, ctx: Context): Attributes };
  _deltaMetricStorage: DeltaStorage;
}

/** A set's values are handed over when it holds this many (bounds memory between collections). */
const BATCH = 512;
/** Distinct attribute sets kept per instrument; past this all are flushed and forgotten (the SDK caps series at 2000). */
const MAX_SETS = 2048;

interface Pending { attributes: Attributes; values: number[]; firstAt: number }

function storagesOf(h: Histogram): SyncStorage[] | undefined {
  const ws = (h as unknown as { _writableMetricStorage?: { _backingStorages?: unknown } })._writableMetricStorage;
  if (!ws || typeof ws !== 'object') return undefined;
  const list = (Array.isArray(ws._backingStorages) ? ws._backingStorages : [ws]) as SyncStorage[];
  for (const s of list) {
    const d = s?._deltaMetricStorage;
    if (typeof d?.record !== 'function' || typeof d._activeCollectionStorage?.get !== 'function') return undefined;
    if (s._attributesProcessor !== undefined && typeof s._attributesProcessor.process !== 'function') return undefined;
  }
  return list;
}

export class BatchedHistogram implements Pick<Histogram, 'record'> {
  private readonly trie = new AttributeTrie<Pending>();
  private readonly pending: Pending[] = [];
  private readonly storages: SyncStorage[] | undefined;

  constructor(readonly inner: Histogram) {
    this.storages = storagesOf(inner);
  }

  record(value: number, attributes: Attributes = {}): void {
    if (!this.storages || typeof value !== 'number' || !(value >= 0)) { this.inner.record(value, attributes); return; } // the SDK warns about bad values itself
    const node = this.trie.node(attributes);
    let p = node.entry;
    if (!p) {
      if (this.pending.length >= MAX_SETS) { this.flush(); this.trie.clear(); this.pending.length = 0; return this.record(value, attributes); }
      this.pending.push((p = node.entry = { attributes, values: [], firstAt: 0 }));
    }
    if (p.values.length === 0) p.firstAt = Date.now();
    p.values.push(value);
    if (p.values.length >= BATCH) this.hand(p);
  }

  /** Hands every pending value to the SDK's storage. */
  flush(): void {
    for (const p of this.pending) if (p.values.length) this.hand(p);
  }

  private hand(p: Pending): void {
    const values = p.values;
    p.values = [];
    try {
      const ctx = context.active();
      for (const s of this.storages!) {
        const attributes = s._attributesProcessor ? s._attributesProcessor.process(p.attributes, ctx) : p.attributes;
        const d = s._deltaMetricStorage;
        d.record(values[0]!, attributes, p.firstAt); // makes the set's accumulation (or the overflow one)
        const acc = d._activeCollectionStorage.get(attributes);
        if (acc) for (let i = 1; i < values.length; i++) acc.record(values[i]!);
        else for (let i = 1; i < values.length; i++) d.record(values[i]!, attributes, p.firstAt);
      }
    } catch (err) {
      countError('helper.metrics', err);
    }
  }
}

/** Every batched histogram of one meter, flushed together before a collection. */
export class HistogramBatches {
  private readonly all: BatchedHistogram[] = [];

  add(h: Histogram): BatchedHistogram {
    const b = new BatchedHistogram(h);
    this.all.push(b);
    return b;
  }

  flush(): void {
    for (const b of this.all) b.flush();
  }
}
