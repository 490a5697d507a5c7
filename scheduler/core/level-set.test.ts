// LevelSet against a plain list of booleans: after any adds and deletes, next and prev name
// the nearest member at or above / at or below every point.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LevelSet } from './level-set.js';

function nearest(member: boolean[], i: number, step: 1 | -1): number {
  for (let k = Math.min(Math.max(i, 0), member.length - 1); k >= 0 && k < member.length; k += step) {
    if (step === 1 && k < i) continue;
    if (member[k]) return k;
  }
  return -1;
}

describe('LevelSet', () => {
  it('answers next and prev like a scan of a plain list, across word and level boundaries', () => {
    fc.assert(
      fc.property(
        // Sizes from one word to three levels (32 × 32 × 2 members).
        fc.integer({ min: 1, max: 2100 }),
        fc.array(fc.record({ add: fc.boolean(), at: fc.nat() }), { maxLength: 120 }),
        fc.array(fc.integer({ min: -3, max: 2200 }), { minLength: 1, maxLength: 40 }),
        (size, ops, probes) => {
          const s = new LevelSet(size);
          const member = new Array<boolean>(size).fill(false);
          for (const o of ops) {
            const i = o.at % size;
            if (o.add) s.add(i);
            else s.delete(i);
            member[i] = o.add;
          }
          for (const p of probes) {
            expect(s.next(p)).toBe(p >= size ? -1 : nearest(member, Math.max(p, 0), 1));
            expect(s.prev(p)).toBe(p < 0 ? -1 : nearest(member, Math.min(p, size - 1), -1));
            if (p >= 0 && p < size) expect(s.has(p)).toBe(member[p]);
          }
        },
      ),
    );
  });

  it('finds the one member of a set of 100,001', () => {
    const s = new LevelSet(100_001);
    expect(s.next(0)).toBe(-1);
    s.add(100_000);
    expect(s.next(0)).toBe(100_000);
    expect(s.prev(99_999)).toBe(-1);
    expect(s.prev(100_000)).toBe(100_000);
    s.add(31);
    s.delete(100_000);
    expect(s.next(32)).toBe(-1);
    expect(s.prev(100_000)).toBe(31);
  });
});
