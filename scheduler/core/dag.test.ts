import { describe, expect, it } from 'vitest';
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
  });

  it('past its bound keeps answering with a table of the right contents', () => {
    const s = new CoreState(cluster().container('c1', 1).build());
    for (let n = 2; n < 1030; n++) expect(predecessorLists(s.shareSuccessors(successorsOf(graph(n))), n)).toEqual(graph(n));
    expect(s.successorTables.size).toBeLessThanOrEqual(1024);
  });
});
