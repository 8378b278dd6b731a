import { describe, expect, it } from 'vitest';
import { AttributeTrie } from '../dist/src/metrics/attributeTrie.js';

// The trie behind Tally and BatchedHistogram: one node per attribute set, whatever order sets come in
// (each node remembers its last step; a different set must never be taken for it).
describe('AttributeTrie', () => {
  it('finds the same node for the same set and a different one for any other, in any sequence', () => {
    const trie = new AttributeTrie<string>();
    const sets = [
      { op: 'chat', model: 'a', agent: 'x' },
      { op: 'chat', model: 'b', agent: 'x' },
      { op: 'chat', model: 'a', agent: 'y' },
      { op: 'chat', model: 'a' },
      { op: 'chat', model: 'a', agent: 'x', error: 'timeout' },
      { op: 'chat', model: 'a', agent: undefined },
      { op: 'chat', model: NaN },
      { op: 'chat', model: ['a', 'b'] },
      { model: 'a', op: 'chat' },
    ];
    const first = sets.map((s) => trie.node(s));
    expect(new Set(first).size).toBe(sets.length);
    for (let round = 0; round < 3; round++) {
      for (const i of [0, 0, 1, 0, 2, 8, 3, 4, 4, 5, 6, 7, 1, 1, 0]) {
        // a fresh object each time, arrays included: found by value, not identity
        expect(trie.node({ ...sets[i]!, ...(Array.isArray(sets[i]!.model) ? { model: [...sets[i]!.model as string[]] } : {}) })).toBe(first[i]);
      }
    }
  });

  it('starts over after clear()', () => {
    const trie = new AttributeTrie<number>();
    const a = trie.node({ k: 'v' });
    a.entry = 1;
    trie.clear();
    const b = trie.node({ k: 'v' });
    expect(b).not.toBe(a);
    expect(b.entry).toBeUndefined();
  });
});
