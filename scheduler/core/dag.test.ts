import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreState } from './core-state.js';
import { successorsOf } from './dag.js';
import { predecessorLists } from './state.js';
import { cluster } from './testing.js';

describe('shared successor tables', () => {
  const graph = (n: number): number[][] => Array.from({ length: n }, (_, i) => (i === 0 ? [] : [0, i - 1].filter((a, k, l) => l.indexOf(a) === k)));

  it('gives jobs of one task graph one table, and jobs of another graph their own', () => {
    const s = new CoreState(cluster().container('c1', 1).build());
    const a = s.shareSuccessors(successorsOf(graph(5)));
    expect(s.shareSuccessors(successorsOf(graph(5)))).toBe(a);
    const b = s.shareSuccessors(successorsOf(graph(6)));
    expect(b).not.toBe(a);
    expect(predecessorLists(b, 6)).toEqual(graph(6));
    // Same successor counts, other successors: not the same table.
    const c = s.shareSuccessors(successorsOf([[], [], [0]]));
    const d = s.shareSuccessors(successorsOf([[], [], [1]]));
    expect(d).not.toBe(c);
    expect(predecessorLists(d, 3)).toEqual([[], [], [1]]);
    // The same successor lists, split at other tasks: another graph.
    const e = s.shareSuccessors(successorsOf([[], [0], [1]]));
    const f = s.shareSuccessors(successorsOf([[], [0], [0]]));
    expect(f).not.toBe(e);
    expect(predecessorLists(f, 3)).toEqual([[], [0], [0]]);
  });

  it('past its bound keeps answering with a table of the right contents', () => {
    const s = new CoreState(cluster().container('c1', 1).build());
    // 1,250 distinct graphs of up to 251 tasks: chains with one more edge into the last task.
    let most = 0;
    for (let k = 0; k < 1_250; k++) {
      const n = 2 + (k % 250);
      const g = Array.from({ length: n }, (_, i) => (i === 0 ? [] : i === n - 1 ? [...new Set([i - 1, Math.floor(k / 250) % i])].sort((a, b) => a - b) : [i - 1]));
      expect(predecessorLists(s.shareSuccessors(successorsOf(g)), n)).toEqual(g);
      most = Math.max(most, s.successorTables.size);
    }
    expect(most).toBe(1024);
    expect(s.successorTables.size).toBeLessThan(1024);
  });

  it('keeps no table of a large graph (its key would be the size of the graph)', () => {
    const s = new CoreState(cluster().container('c1', 1).build());
    const big = graph(2_000);
    const a = s.shareSuccessors(successorsOf(big));
    expect(s.shareSuccessors(successorsOf(big))).not.toBe(a);
    expect(s.successorTables.size).toBe(0);
    expect(predecessorLists(a, 2_000)).toEqual(big);
  });

  it('successorsFor gives what shareSuccessors(successorsOf(...)) gives, table for table, for any stream of graphs', () => {
    // Small graphs from a few shapes, so that most repeat (shared) and some collide in size.
    const graphArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: i === 0 ? 0 : 3 }).map((l) => l.filter((a) => a !== i).sort((x, y) => x - y)))),
    );
    fc.assert(
      fc.property(fc.array(graphArb, { minLength: 1, maxLength: 60 }), (graphs) => {
        const old = new CoreState(cluster().container('c1', 1).build());
        const now = new CoreState(cluster().container('c1', 1).build());
        const seenOld: object[] = [];
        const seenNew: object[] = [];
        for (const g of graphs) {
          const a = old.shareSuccessors(successorsOf(g));
          const b = now.successorsFor(g);
          expect(b).toEqual(a);
          // Shared exactly when it was shared before: the same earlier table, by position.
          expect(seenNew.indexOf(b)).toBe(seenOld.indexOf(a));
          seenOld.push(a);
          seenNew.push(b);
        }
        expect([...now.successorTables.keys()]).toEqual([...old.successorTables.keys()]);
      }),
      { numRuns: 300 },
    );
  });

  it('successorsFor builds big graphs after small ones, and small after big, right', () => {
    const s = new CoreState(cluster().container('c1', 1).build());
    for (const n of [3, 700, 2, 70, 1_500, 5]) expect(predecessorLists(s.successorsFor(graph(n)), n)).toEqual(graph(n));
  });
});
