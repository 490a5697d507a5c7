import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compressHostlist, expandHostlist } from './hostlist.js';

describe('compressHostlist', () => {
  it('folds runs of numbered names', () => {
    expect(compressHostlist(['c1-n001', 'c1-n002', 'c1-n003', 'c2-n007'])).toBe('c1-n[001-003],c2-n007');
    expect(compressHostlist(['c1-n004', 'c1-n001', 'c1-n002', 'c1-n009'])).toBe('c1-n[001-002,004,009]');
    expect(compressHostlist(['c1-n001'])).toBe('c1-n001');
    expect(compressHostlist(['login', 'c1-n001', 'c1-n001'])).toBe('c1-n001,login');
    expect(compressHostlist([])).toBe('');
  });

  it('expands back to the same set of names', () => {
    const name = fc
      .tuple(fc.constantFrom('c1-n', 'c2-n', 'gpu'), fc.integer({ min: 0, max: 300 }), fc.constantFrom(1, 3))
      .map(([p, n, w]) => p + String(n).padStart(w, '0'));
    fc.assert(
      fc.property(fc.array(name, { maxLength: 40 }), (names) => {
        const back = expandHostlist(compressHostlist(names));
        expect(back.sort()).toEqual([...new Set(names)].sort());
      }),
    );
  });
});
