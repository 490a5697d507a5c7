// A job's task graph as given by the tasks' `after` lists (indices of tasks that must complete
// first): who waits for whom, and whether the lists form a cycle.
import type { Successors } from './state.js';

const ONE_TASK: Successors = Object.freeze({ at: Object.freeze([0, 0]), list: Object.freeze([]) });

/**
 * Who waits for whom, as one pair of arrays per job rather than a list per task: a
 * multi-year replay creates millions of tasks, and most of them have successors.
 */
export function successorsOf(after: readonly (readonly number[])[]): Successors {
  // A job of one task (most of a large queue) shares one table.
  if (after.length === 1 && (after[0] as readonly number[]).length === 0) return ONE_TASK;
  // Plain arrays: a small typed array costs an off-heap allocation the GC has to track.
  const n = after.length;
  const at: number[] = new Array<number>(n + 1).fill(0);
  for (const list of after) for (const a of list) at[a + 1] = (at[a + 1] as number) + 1;
  for (let i = 0; i < n; i++) at[i + 1] = (at[i + 1] as number) + (at[i] as number);
  const list: number[] = new Array<number>(at[n] as number).fill(0);
  const fill = at.slice(0, n);
  for (let j = 0; j < n; j++) {
    for (const a of after[j] as readonly number[]) {
      list[fill[a] as number] = j;
      fill[a] = (fill[a] as number) + 1;
    }
  }
  return { at, list };
}

/**
 * A job's successor table as successorsOf builds it, but in buffers reused from job to job:
 * `at[0..n]` and `list[0..edges)` hold it until the next call. The jobs of one pipeline
 * template have equal tables, and CoreState.successorsFor copies one out only when no equal
 * table is shared already (building and dropping a table per job was 1.9% of the NGC steady
 * run's profile, and 40 bytes of garbage a task).
 */
export interface TableScratch {
  at: Int32Array;
  list: Int32Array;
  n: number;
  edges: number;
}

const scratch: TableScratch & { fill: Int32Array } = { at: new Int32Array(64), list: new Int32Array(256), fill: new Int32Array(64), n: 0, edges: 0 };

export function successorsScratch(after: readonly (readonly number[])[]): TableScratch {
  const n = after.length;
  if (scratch.at.length < n + 1) {
    scratch.at = new Int32Array(2 * (n + 1));
    scratch.fill = new Int32Array(2 * (n + 1));
  }
  const { at, fill } = scratch;
  at.fill(0, 0, n + 1);
  for (let j = 0; j < n; j++) {
    const list = after[j] as readonly number[];
    for (let k = 0; k < list.length; k++) {
      const a = (list[k] as number) + 1;
      at[a] = (at[a] as number) + 1;
    }
  }
  for (let i = 0; i < n; i++) at[i + 1] = (at[i + 1] as number) + (at[i] as number);
  const edges = at[n] as number;
  if (scratch.list.length < edges) scratch.list = new Int32Array(2 * edges);
  const out = scratch.list;
  for (let i = 0; i < n; i++) fill[i] = at[i] as number;
  for (let j = 0; j < n; j++) {
    const list = after[j] as readonly number[];
    for (let k = 0; k < list.length; k++) {
      const a = list[k] as number;
      out[fill[a] as number] = j;
      fill[a] = (fill[a] as number) + 1;
    }
  }
  scratch.n = n;
  scratch.edges = edges;
  return scratch;
}

/** Kahn's algorithm over the successor table; returns the index of a task on a cycle, or null. */
export function findCycle(after: readonly (readonly number[])[]): number | null {
  const { at, list } = successorsOf(after);
  const indeg = after.map((a) => a.length);
  const stack: number[] = [];
  indeg.forEach((d, i) => d === 0 && stack.push(i));
  let seen = 0;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    seen++;
    for (let k = at[i] as number; k < (at[i + 1] as number); k++) {
      const j = list[k] as number;
      const d = (indeg[j] as number) - 1;
      indeg[j] = d;
      if (d === 0) stack.push(j);
    }
  }
  if (seen === after.length) return null;
  return indeg.findIndex((d) => d > 0);
}
