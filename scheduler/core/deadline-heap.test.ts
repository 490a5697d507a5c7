import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeadlineHeap } from './deadline-heap.js';

interface Rec {
  id: number;
  limitSlot: number;
}

describe('DeadlineHeap', () => {
  it('gives the least deadline, then id, of the tasks filed, for any sequence of adds, removals and takes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('take' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const h = new DeadlineHeap<Rec>();
        const model = new Map<Rec, number>();
        let nextId = 0;
        const least = (): Rec | undefined => {
          let best: Rec | undefined;
          for (const [r, k] of model) if (best === undefined || k < (model.get(best) as number) || (k === model.get(best) && r.id < best.id)) best = r;
          return best;
        };
        for (const o of ops) {
          if (o.kind === 'add') {
            // Ids unrelated to the order of adds, as tasks start out of id order.
            const r: Rec = { id: (nextId++ * 7919) % 10007, limitSlot: -1 };
            h.add(r, o.key);
            model.set(r, o.key);
          } else if (o.kind === 'remove') {
            const filed = [...model.keys()];
            const r = filed[o.pick % Math.max(1, filed.length)];
            if (r === undefined) continue;
            h.remove(r);
            expect(r.limitSlot).toBe(-1);
            h.remove(r); // a second removal is a no-op
            model.delete(r);
          } else {
            const want = least();
            expect(h.peek()).toBe(want);
            expect(h.peekKey()).toBe(want === undefined ? Infinity : model.get(want));
            if (want !== undefined) {
              h.remove(want);
              model.delete(want);
            }
          }
          expect(h.size).toBe(model.size);
        }
        const drained: number[] = [];
        for (let r = h.peek(); r !== undefined; r = h.peek()) {
          expect(r).toBe(least());
          drained.push(h.peekKey());
          h.remove(r);
          model.delete(r);
        }
        expect(drained).toEqual([...drained].sort((a, b) => a - b));
      }),
    );
  });
});
