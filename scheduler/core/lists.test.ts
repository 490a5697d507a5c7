import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { insertAt, removeAt, SlotList, sortInPlace } from './lists.js';

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

  it('SlotList holds what a Set would, through any adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 19 })), { maxLength: 200 }), (ops) => {
        const items = Array.from({ length: 20 }, (_, id) => ({ id, slot: -1 }));
        const list = new SlotList<(typeof items)[number]>();
        const model = new Set<number>();
        for (const [add, id] of ops) {
          const x = items[id] as (typeof items)[number];
          if (add && !model.has(id)) {
            list.add(x);
            model.add(id);
          } else if (!add) {
            list.delete(x); // also when it is not in the list: a no-op
            model.delete(id);
          }
          expect(list.size).toBe(model.size);
          expect(new Set(list.toArray().map((y) => y.id))).toEqual(model);
          expect([...list].map((y) => y.id).sort()).toEqual([...model].sort());
          for (let i = 0; i < list.size; i++) expect(list.at(i).slot).toBe(i);
        }
      }),
    );
  });
});
