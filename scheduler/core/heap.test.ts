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

  it('retain drops the entries refused and pops the rest in the same order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }), (keys, gone) => {
        // Two heaps shaped by the same pushes and pops; one keeps every entry, one is retained.
        const build = (): KeyedHeap<number> => {
          const h = new KeyedHeap<number>();
          keys.forEach((key, tag) => h.push(key, (tag * 7919) % 10007, tag));
          for (let i = 0; i < keys.length >> 2; i++) h.pop();
          return h;
        };
        const dropped = new Set(gone);
        const kept = build();
        kept.retain((tag, key) => {
          expect(key).toBe(keys[tag]);
          return !dropped.has(tag);
        });
        const want = drain(build()).filter((t) => !dropped.has(t));
        expect(kept.size).toBe(want.length);
        expect(drain(kept)).toEqual(want);
      }),
    );
  });
});

function drain(h: KeyedHeap<number>): number[] {
  const out: number[] = [];
  for (let t = h.pop(); t !== undefined; t = h.pop()) out.push(t);
  return out;
}
