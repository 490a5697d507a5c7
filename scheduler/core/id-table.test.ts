import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdTable } from './id-table.js';

describe('IdTable', () => {
  it('answers like a Map for increasing adds and any deletes, also with long-lived stragglers', () => {
    // Each step adds the next id or deletes one: mostly recent ids, sometimes any (stragglers
    // that outlive their neighbours push the table to spill to its map and compact).
    const step = fc.oneof(fc.constant<['add']>(['add']), fc.tuple(fc.constant('del' as const), fc.nat(), fc.boolean()));
    fc.assert(
      fc.property(fc.array(step, { minLength: 5_000, maxLength: 20_000 }), fc.integer({ min: 1, max: 5 }), (ops, gap) => {
        const t = new IdTable<number>();
        const m = new Map<number, number>();
        // Differences are collected and asserted once: an expect per step (a few million in all)
        // took most of a minute, and timed the test out on a loaded machine.
        const wrong: string[] = [];
        let next = 1;
        for (const op of ops) {
          if (op[0] === 'add') {
            t.add(next, next * 10);
            m.set(next, next * 10);
            next += gap;
          } else {
            const recent = op[2];
            const id = recent ? next - 1 - (op[1] % 50) * gap : 1 + (op[1] % next);
            const [got, want] = [t.delete(id), m.delete(id)];
            if (got !== want) wrong.push(`delete ${id}: ${got}, a Map says ${want}`);
          }
        }
        expect(t.size).toBe(m.size);
        for (let id = 0; id <= next + 1; id++) if (t.get(id) !== m.get(id)) wrong.push(`get ${id}: ${t.get(id)}, a Map says ${m.get(id)}`);
        expect(wrong.slice(0, 5)).toEqual([]);
        expect([...t.values()].sort((a, b) => a - b)).toEqual([...m.values()].sort((a, b) => a - b));
      }),
      { numRuns: 20 },
    );
  });

  it('keeps its window small while one old id lives on', () => {
    const t = new IdTable<string>();
    t.add(1, 'held');
    for (let id = 2; id < 200_000; id++) {
      t.add(id, 'x');
      t.delete(id);
    }
    expect(t.get(1)).toBe('held');
    expect(t.size).toBe(1);
    // The straggler was spilled: the window does not hold 200,000 slots.
    expect((t as unknown as { slots: unknown[] }).slots.length).toBeLessThan(20_000);
    expect(t.delete(1)).toBe(true);
    expect(t.get(1)).toBeUndefined();
    expect(t.size).toBe(0);
    t.add(300_000, 'later');
    expect(t.get(300_000)).toBe('later');
  });

  it('refuses an id that is not above the ones before', () => {
    const t = new IdTable<number>();
    t.add(5, 5);
    expect(() => t.add(5, 5)).toThrow(RangeError);
    expect(() => t.add(3, 3)).toThrow(RangeError);
  });
});
