import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventHeap } from './heap.js';

interface Ev { time: number; seq: number; tag: number }

describe('EventHeap', () => {
  it('pops by time, then by insertion order among equal times', () => {
    const h = new EventHeap<Ev>();
    [5, 1, 5, 3, 1].forEach((time, tag) => h.push({ time, seq: 0, tag }));
    const out: number[] = [];
    for (let e = h.pop(); e; e = h.pop()) out.push(e.tag);
    expect(out).toEqual([1, 4, 3, 0, 2]);
    expect(h.peekTime()).toBe(Infinity);
  });

  it('keeps its order as it grows past its first room', () => {
    const h = new EventHeap<Ev>();
    for (let tag = 0; tag < 1000; tag++) h.push({ time: (tag * 7919) % 500, seq: 0, tag });
    let last: Ev | undefined;
    for (let e = h.pop(); e; e = h.pop()) {
      if (last) expect(e.time > last.time || (e.time === last.time && e.tag > last.tag)).toBe(true);
      last = e;
    }
    expect(h.size).toBe(0);
  });

  it('agrees with a stable sort for any sequence of pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 200 }), (ops) => {
        const h = new EventHeap<Ev>();
        const model: Ev[] = [];
        let tag = 0;
        for (const op of ops) {
          if (op < 0) {
            model.sort((a, b) => a.time - b.time || a.tag - b.tag);
            expect(h.pop()?.tag).toBe(model.shift()?.tag);
          } else {
            h.push({ time: op, seq: 0, tag });
            model.push({ time: op, seq: 0, tag: tag++ });
          }
        }
        expect(h.size).toBe(model.length);
      }),
    );
  });
});
