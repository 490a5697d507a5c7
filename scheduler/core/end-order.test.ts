// EndOrder against a sorted copy: after any starts and stops, its blocks read the running
// tasks in order of start + time limit, then id, across block splits and emptied blocks, kept
// as they change or rebuilt from the node's running tasks after going unread.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EndOrder, endKey } from './end-order.js';
import { SlotList } from './lists.js';
import type { TaskRt } from './state.js';

function task(id: number, startedAt: number, timeLimitMs: number): TaskRt {
  return { id, startedAt, timeLimitMs, slot: -1 } as unknown as TaskRt;
}

describe('EndOrder', () => {
  // Slack 0 drops the order at the first change unread; the default keeps it while it is read.
  it.each([0, undefined])('reads its tasks in order of expected end, then id, after any adds, deletes and reads (unread slack %s)', (slack) => {
    fc.assert(
      fc.property(
        // Enough tasks to split blocks of 128 several times; few distinct ends, so ties are common.
        fc.array(fc.record({ add: fc.boolean(), read: fc.nat(40), pick: fc.nat(), start: fc.integer({ min: 0, max: 20 }), limit: fc.integer({ min: 1, max: 20 }) }), { maxLength: 600 }),
        (ops) => {
          const order = new EndOrder(slack);
          const running = new SlotList<TaskRt>();
          const live: TaskRt[] = [];
          let nextId = 1;
          const check = (): void => {
            const expected = [...live].sort((a, b) => a.startedAt + a.timeLimitMs - (b.startedAt + b.timeLimitMs) || a.id - b.id);
            const read = order.current(running);
            expect(read.blocks.flat()).toEqual(expected);
            expect(read.first).toBe(expected.length === 0 ? Infinity : endKey(expected[0] as TaskRt));
            expect(read.blocks.every((b) => b.length > 0)).toBe(true);
            expect(read.keys.flat()).toEqual(expected.map(endKey));
          };
          for (const o of ops) {
            if (o.add || live.length === 0) {
              const t = task(nextId++, o.start, o.limit);
              order.add(t);
              running.add(t);
              live.push(t);
            } else {
              const [t] = live.splice(o.pick % live.length, 1);
              order.delete(t as TaskRt);
              running.delete(t as TaskRt);
            }
            if (o.read === 0) check();
          }
          check();
        },
      ),
    );
  });

  it('stops keeping an order that is not read, and keeps one that is', () => {
    const order = new EndOrder();
    const running = new SlotList<TaskRt>();
    const live: TaskRt[] = [];
    // Five tasks running, one ending and another starting at a time: 40 changes unread.
    const churn = (from: number, read: boolean): void => {
      for (let i = from; i < from + 20; i++) {
        const t = task(i, i, 1000 - 2 * i); // later starts end sooner
        order.add(t);
        running.add(t);
        live.push(t);
        if (live.length > 5) {
          const old = live.shift() as TaskRt;
          order.delete(old);
          running.delete(old);
        }
        if (read) order.current(running);
      }
    };
    churn(1, false);
    expect(order.kept).toBe(false);
    expect(order.current(running).blocks.flat()).toEqual([...live].reverse());
    churn(21, true);
    expect(order.kept).toBe(true);
    expect(order.blocks.flat()).toEqual([...live].reverse());
  });

  it('ignores a task it does not hold', () => {
    const order = new EndOrder();
    const a = task(1, 0, 10);
    order.add(a);
    order.delete(task(2, 0, 10));
    expect(order.blocks.flat()).toEqual([a]);
  });
});
