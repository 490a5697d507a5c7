// FitMemo: a shape answers "fails" only when a recorded failure of the same partition, an ask
// no stricter, and no more cores or memory covers it, and everything is forgotten once the
// state's release count moves on.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FitMemo, OPEN, RESERVED } from './fit-memo.js';
import type { PartitionRt } from './state.js';

const P = { spec: { name: 'p' } } as unknown as PartitionRt;
const Q = { spec: { name: 'q' } } as unknown as PartitionRt;

describe('FitMemo', () => {
  it('covers exactly the shapes at least as large as a recorded failure', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.boolean(), kind: fc.constantFrom(OPEN, RESERVED), cores: fc.integer({ min: 1, max: 64 }), mem: fc.integer({ min: 1, max: 8 }) }), { maxLength: 12 }),
        fc.array(fc.record({ p: fc.boolean(), kind: fc.constantFrom(OPEN, RESERVED), cores: fc.integer({ min: 1, max: 64 }), mem: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 20 }),
        (fails, asks) => {
          const memo = new FitMemo();
          for (const f of fails) memo.failed(f.p ? P : Q, f.kind, f.cores, f.mem, 0);
          for (const a of asks) {
            // At most 12 failures, under the memo's 16: none was forgotten.
            const covered = fails.some((f) => f.p === a.p && f.kind <= a.kind && f.cores <= a.cores && f.mem <= a.mem);
            expect(memo.fails(a.p ? P : Q, a.kind, a.cores, a.mem, 0)).toBe(covered);
          }
        },
      ),
    );
  });

  it('forgets every failure once resources were released, and when cleared', () => {
    const memo = new FitMemo();
    memo.failed(P, OPEN, 4, 100, 7);
    expect(memo.fails(P, RESERVED, 8, 200, 7)).toBe(true);
    expect(memo.fails(P, OPEN, 8, 200, 8)).toBe(false);
    expect(memo.fails(P, OPEN, 8, 200, 8)).toBe(false);
    memo.failed(P, OPEN, 4, 100, 8);
    memo.clear();
    expect(memo.fails(P, OPEN, 8, 200, 8)).toBe(false);
  });

  it('keeps answering correctly past its capacity (it forgets, never invents)', () => {
    const memo = new FitMemo();
    for (let c = 40; c > 0; c--) memo.failed(P, OPEN, c, 1000 - c, 0);
    expect(memo.fails(P, OPEN, 1, 999, 0)).toBe(true);
    expect(memo.fails(P, OPEN, 1, 998, 0)).toBe(false);
  });
});
