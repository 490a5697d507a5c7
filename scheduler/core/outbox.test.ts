import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import type { Decision } from './types.js';

const ended = (jobId: number): Decision => ({ type: 'jobEnded', jobId, state: 'COMPLETED' });

describe('Outbox', () => {
  it('hands out each pass its decisions in order, few or many, and is empty after', () => {
    const box = new Outbox();
    let id = 0;
    // Sizes around the copy threshold, growing and shrinking, so both ways of handing out alternate.
    for (const n of [1, 3, 16, 17, 2, 40, 0, 16, 5, 100, 1]) {
      const want: Decision[] = [];
      for (let i = 0; i < n; i++) {
        const d = ended(++id);
        want.push(d);
        box.push(d);
      }
      expect(box.length).toBe(n);
      for (let i = 0; i < n; i++) expect(box.at(i)).toBe(want[i]);
      const got = box.take();
      expect(got).toEqual(want);
      expect(got.length).toBe(n);
      expect(box.length).toBe(0);
    }
  });

  it('keeps no decision it handed out, and a list it handed out is not written again', () => {
    const box = new Outbox();
    box.push(ended(1));
    const small = box.take();
    for (let i = 0; i < 30; i++) box.push(ended(10 + i));
    const big = box.take();
    box.push(ended(99));
    expect(small).toEqual([ended(1)]);
    expect(big.map((d) => (d as { jobId: number }).jobId)).toEqual(Array.from({ length: 30 }, (_, i) => 10 + i));
    expect(box.take()).toEqual([ended(99)]);
  });
});
