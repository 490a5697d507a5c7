import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeadlineLanes } from './deadline-lanes.js';

interface Rec {
  id: number;
  limitSlot: number;
}

describe('DeadlineLanes', () => {
  it('gives the least deadline, then id, of the tasks filed, for any sequence of adds, removals and takes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 12 }), limit: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('take' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const h = new DeadlineLanes<Rec>();
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
            h.add(r, o.key, o.limit);
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

  it('keeps the order as a run does: time going forward, tasks ending mostly early, more limits than lanes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3 }), limits: fc.integer({ min: 1, max: 1_300 }), end: fc.nat(), take: fc.boolean() }), { minLength: 1, maxLength: 600 }),
        fc.integer({ min: 1, max: 1_300 }),
        (steps, spread) => {
          const h = new DeadlineLanes<Rec>();
          const filed: Rec[] = [];
          const key = new Map<Rec, number>();
          let now = 0;
          let nextId = 0;
          for (const st of steps) {
            now += st.dt;
            const limit = 1 + ((st.limits * 7) % spread);
            const r: Rec = { id: (nextId++ * 7919) % 10007, limitSlot: -1 };
            h.add(r, now + limit, limit);
            filed.push(r);
            key.set(r, now + limit);
            // Most tasks end before their limit: a random one leaves.
            const gone = filed.splice(st.end % filed.length, 1)[0] as Rec;
            if (st.take || gone === r) {
              h.remove(gone);
              key.delete(gone);
            } else filed.push(gone);
            let best: Rec | undefined;
            for (const f of filed) if (best === undefined || (key.get(f) as number) < (key.get(best) as number) || (key.get(f) === key.get(best) && f.id < best.id)) best = f;
            expect(h.peek()).toBe(best);
            expect(h.size).toBe(filed.length);
          }
          let last = -Infinity;
          while (h.size > 0) {
            const k = h.peekKey();
            expect(k).toBeGreaterThanOrEqual(last);
            last = k;
            const t = h.peek() as Rec;
            expect(key.get(t)).toBe(k);
            h.remove(t);
            expect(t.limitSlot).toBe(-1);
          }
          expect(h.peek()).toBeUndefined();
          expect(h.peekKey()).toBe(Infinity);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops the dead entries of a busy lane that never empties', () => {
    const h = new DeadlineLanes<Rec>();
    const running: Rec[] = [];
    for (let i = 0; i < 10_000; i++) {
      const r: Rec = { id: i, limitSlot: -1 };
      h.add(r, i + 100, 100);
      running.push(r);
      if (running.length > 50) h.remove(running.shift() as Rec);
    }
    expect(h.size).toBe(50);
    // Places stay small: a lane holds about as many dead entries as live ones.
    for (const r of running) expect(r.limitSlot).toBeLessThan(200 * 1024);
    expect(h.peek()).toBe(running[0]);
  });

  it('keeps the order with more distinct limits than lanes (they share lanes)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.boolean()), { minLength: 1_100, maxLength: 1_500 }), (adds) => {
        const h = new DeadlineLanes<Rec>();
        const key = new Map<Rec, number>();
        let now = 0;
        adds.forEach(([limit, leave], i) => {
          now += i % 3;
          const r: Rec = { id: (i * 7919) % 10007, limitSlot: -1 };
          h.add(r, now + limit, limit);
          key.set(r, now + limit);
          if (leave) {
            h.remove(r);
            key.delete(r);
          }
        });
        const want = [...key].sort(([a, ka], [b, kb]) => ka - kb || a.id - b.id).map(([r]) => r);
        const got: Rec[] = [];
        for (let t = h.peek(); t !== undefined; t = h.peek()) {
          got.push(t);
          h.remove(t);
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 20 },
    );
  });
});
