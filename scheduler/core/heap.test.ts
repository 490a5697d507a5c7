import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyedHeap } from './heap.js';

describe('KeyedHeap', () => {
  it('pops by key, then tie-breaker, for any sequence of pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const h = new KeyedHeap<number>();
        const model: { key: number; tie: number; tag: number }[] = [];
        let tag = 0;
        for (const key of ops) {
          if (key < 0) {
            model.sort((a, b) => a.key - b.key || a.tie - b.tie);
            const want = model.shift();
            expect(h.peekKey()).toBe(want?.key ?? Infinity);
            expect(h.pop()).toBe(want?.tag);
          } else {
            // Unique tie-breakers in an order unrelated to insertion.
            const tie = (tag * 7919) % 10007;
            h.push(key, tie, tag);
            model.push({ key, tie, tag: tag++ });
          }
          expect(h.size).toBe(model.length);
        }
      }),
    );
  });
});
