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
});
