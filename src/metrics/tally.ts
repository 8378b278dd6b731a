import type { Attributes, Meter, Observable, ObservableResult } from '@opentelemetry/api';
import { AttributeTrie } from './attributeTrie.js';

/**
 * A counter kept per attribute set and reported through an observable instrument at collection time.
 * A synchronous SDK counter sorts and serializes the attributes on every add (~1–2 µs); this costs a
 * few Map lookups (AttributeTrie), which matters on the helpers' path (several counters per call).
 */
export class Tally {
  /** The observable instrument it reports through (set by tally()). */
  instrument?: Observable;
  private readonly trie = new AttributeTrie<{ attributes: Attributes; value: number }>();
  private readonly entries: Array<{ attributes: Attributes; value: number }> = [];

  add(value: number, attributes: Attributes): void {
    const node = this.trie.node(attributes);
    if (node.entry) node.entry.value += value;
    else this.entries.push((node.entry = { attributes: defined(attributes), value }));
  }

  observe(result: ObservableResult): void {
    // Call sites may order the same keys differently: merge by sorted keys before reporting.
    const merged = new Map<string, { attributes: Attributes; value: number }>();
    for (const e of this.entries) {
      const key = JSON.stringify(Object.entries(e.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
      const m = merged.get(key);
      if (m) m.value += e.value;
      else merged.set(key, { attributes: e.attributes, value: e.value });
    }
    for (const m of merged.values()) result.observe(m.value, m.attributes);
  }
}

function defined(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const k in attributes) if (attributes[k] !== undefined) out[k] = attributes[k];
  return out;
}

export function tally(meter: Meter, kind: 'counter' | 'upDown', name: string, options: { unit: string; description: string }): Tally {
  const t = new Tally();
  const instrument = kind === 'counter' ? meter.createObservableCounter(name, options) : meter.createObservableUpDownCounter(name, options);
  instrument.addCallback((result) => t.observe(result));
  t.instrument = instrument;
  return t;
}
