// Where a task goes (the ranking lives in free-index.ts, which reads it off sorted buckets):
//   feasible: node up, not draining, enough free cores, enough free memory, and, while an
//             EASY reservation holds a node, only the cores and memory it can spare
//   rank:     same container as the job's earlier tasks (data locality), then warm-water
//             cooled (its heat is recovered), then best fit (fewest cores left over), then
//             the node's fixed order, so ties are stable.
// and whom to preempt when urgent clinical work cannot start otherwise.
import type { NodeRt, PartitionRt, TaskRt } from './state.js';
import type { Ms } from './types.js';

/** An EASY reservation: the head task will start on `node` at `at`; `extra*` is what it can spare. */
export interface Reservation {
  node: NodeRt;
  at: Ms;
  extraCores: number;
  extraMem: number;
}

export interface Victims {
  node: NodeRt;
  tasks: TaskRt[];
}

/**
 * Preemption for urgent clinical work: the node where the fewest research tasks must be
 * requeued to make room, preferring the youngest victims. Only tasks of preemptible
 * partitions are ever considered; `admit` is the node filters' say (core-state.ts).
 */
export function findVictims(part: PartitionRt, cores: number, memMb: number, admit?: (n: NodeRt) => boolean): Victims | null {
  let best: Victims | null = null;
  let bestOldest = -Infinity;
  for (const n of part.nodes) {
    if (!n.up || n.drain || n.power !== 'on' || n.spec.cores < cores || n.spec.memMb < memMb) continue;
    if (admit !== undefined && !admit(n)) continue;
    let needCores = cores - n.freeCores;
    let needMem = memMb - n.freeMem;
    // A node whose preemptible tasks together cannot make room is passed over before any list
    // is built and sorted (urgent work meets a full cluster on every node): the node keeps
    // their count and sums, so this costs no look at its tasks.
    if (n.preemptibleTasks === 0 || n.preemptibleCores < needCores || n.preemptibleMem < needMem) continue;
    const candidates: TaskRt[] = [];
    for (const t of n.running) if (t.job.partition.spec.preemptible) candidates.push(t);
    // Largest first keeps the count low; among equals the youngest (latest start) goes first.
    candidates.sort((a, b) => b.cores - a.cores || b.startedAt - a.startedAt || b.id - a.id);
    const chosen: TaskRt[] = [];
    for (const t of candidates) {
      if (needCores <= 0 && needMem <= 0) break;
      chosen.push(t);
      needCores -= t.cores;
      needMem -= t.memMb;
    }
    if (needCores > 0 || needMem > 0) continue;
    let oldest = Infinity;
    for (const t of chosen) oldest = Math.min(oldest, t.startedAt);
    if (best === null || chosen.length < best.tasks.length || (chosen.length === best.tasks.length && oldest > bestOldest)) {
      best = { node: n, tasks: chosen };
      bestOldest = oldest;
    }
  }
  return best;
}
