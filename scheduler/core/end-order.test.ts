// EndOrder against a sorted copy: after any starts and stops, its blocks read the running
// tasks in order of start + time limit, then id, across block splits and emptied blocks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EndOrder, endKey } from './end-order.js';
import type { TaskRt } from './state.js';

function task(id: number, startedAt: number, timeLimitMs: number): TaskRt {
  return { id, startedAt, timeLimitMs } as unknown as TaskRt;
}

describe('EndOrder', () => {
  it('reads its tasks in order of expected end, then id, after any adds and deletes', () => {
    fc.assert(
      fc.property(
        // Enough tasks to split blocks of 128 several times; few distinct ends, so ties are common.
        fc.array(fc.record({ add: fc.boolean(), pick: fc.nat(), start: fc.integer({ min: 0, max: 20 }), limit: fc.integer({ min: 1, max: 20 }) }), { maxLength: 600 }),
        (ops) => {
          const order = new EndOrder();
          const live: TaskRt[] = [];
          let nextId = 1;
          for (const o of ops) {
            if (o.add || live.length === 0) {
              const t = task(nextId++, o.start, o.limit);
              order.add(t);
              live.push(t);
            } else {
              const [t] = live.splice(o.pick % live.length, 1);
              order.delete(t as TaskRt);
            }
          }
          const expected = [...live].sort((a, b) => a.startedAt + a.timeLimitMs - (b.startedAt + b.timeLimitMs) || a.id - b.id);
          expect(order.blocks.flat()).toEqual(expected);
          expect(order.first).toBe(expected.length === 0 ? Infinity : endKey(expected[0] as TaskRt));
          expect(order.blocks.every((b) => b.length > 0)).toBe(true);
          expect(order.keys.flat()).toEqual(expected.map(endKey));
        },
      ),
    );
  });

  it('ignores a task it does not hold', () => {
    const order = new EndOrder();
    const a = task(1, 0, 10);
    order.add(a);
    order.delete(task(2, 0, 10));
    expect(order.blocks.flat()).toEqual([a]);
  });
});
