import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { insertAt, removeAt, sortInPlace } from './lists.js';

describe('in-place list edits', () => {
  it('insertAt and removeAt agree with splice', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 40 }), fc.nat(), fc.integer(), (list, at, x) => {
        const i = list.length === 0 ? 0 : at % (list.length + 1);
        const a = [...list];
        const b = [...list];
        insertAt(a, i, x);
        b.splice(i, 0, x);
        expect(a).toEqual(b);
        const j = at % a.length;
        removeAt(a, j);
        b.splice(j, 1);
        expect(a).toEqual(b);
      }),
    );
  });

  it('sortInPlace sorts stably, like Array.prototype.sort', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ k: fc.integer({ min: 0, max: 5 }), id: fc.nat() }), { maxLength: 60 }), (list) => {
        const cmp = (x: { k: number }, y: { k: number }): number => x.k - y.k;
        const a = [...list];
        sortInPlace(a, cmp);
        expect(a).toEqual([...list].sort(cmp));
      }),
    );
  });
});
