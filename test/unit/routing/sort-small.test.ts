import { describe, expect, it } from 'vitest';
import { sortSmall } from '../../../src/routing/sort-small.js';

/** A small deterministic generator, so that a failure names inputs that can be replayed. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('sortSmall', () => {
  it('orders as Array.prototype.sort does, stably, for every size up to past the insertion-sort bound', () => {
    const random = generator(7);
    for (let size = 0; size <= 40; size++) {
      for (let round = 0; round < 20; round++) {
        // Few distinct keys, so that ties are common and stability shows.
        const items = Array.from({ length: size }, (_, index) => ({ key: Math.floor(random() * 4), index }));
        const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
        const expected = [...items].sort(byKey);
        const sorted = sortSmall(items, byKey);
        expect(sorted).toBe(items);
        expect(sorted.map((item) => item.index)).toEqual(expected.map((item) => item.index));
      }
    }
  });

  it('keeps equal items in their first order', () => {
    const items = ['b1', 'a1', 'b2', 'a2', 'b3'];
    expect(sortSmall(items, (x, y) => x.charCodeAt(0) - y.charCodeAt(0))).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
  });
});
