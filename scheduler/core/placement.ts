// Where a task goes: a small pipeline of feasibility checks (cheapest first) and a ranking.
//   feasible: node up, not draining, enough free cores, enough free memory, and, while an
//             EASY reservation holds a node, only the cores and memory it can spare
//   rank:     same container as the job's earlier tasks (data locality), then warm-water
//             cooled (its heat is recovered), then best fit (fewest cores left over), then
//             the node's fixed order, so ties are stable.
import type { NodeRt, PartitionRt, TaskRt } from './state.js';
import type { Ms } from './types.js';

/** An EASY reservation: the head task will start on `node` at `at`; `extra*` is what it can spare. */
export interface Reservation {
  node: NodeRt;
  at: Ms;
  extraCores: number;
  extraMem: number;
}

/**
 * `open` holds the nodes that are up, not draining and have a free core: when the cluster is
 * busy they are few, so a placement looks at those and not at every node.
 */
export function pickNode(
  open: Iterable<NodeRt>,
  part: PartitionRt,
  cores: number,
  memMb: number,
  container: number,
  reserved: Reservation | null,
  admit?: (n: NodeRt) => boolean,
): NodeRt | null {
  let best: NodeRt | null = null;
  let bestScore = Infinity;
  for (const n of open) {
    if (n.freeCores < cores || n.freeMem < memMb || part.member[n.idx] === 0) continue;
    if (reserved !== null && n === reserved.node && (cores > reserved.extraCores || memMb > reserved.extraMem)) continue;
    if (admit !== undefined && !admit(n)) continue;
    // Packed score: locality miss, then air cooling, then leftover cores, then the fixed order.
    const score = ((container >= 0 && n.containerIdx !== container ? 2 : 0) + (n.warm ? 0 : 1)) * 2 ** 40 + (n.freeCores - cores) * 2 ** 20 + n.pref;
    if (score < bestScore) {
      best = n;
      bestScore = score;
    }
  }
  return best;
}

export interface Victims {
  node: NodeRt;
  tasks: TaskRt[];
}

/**
 * Preemption for urgent clinical work: the node where the fewest research tasks must be
 * requeued to make room, preferring the youngest victims. Only tasks of preemptible
 * partitions are ever considered.
 */
export function findVictims(part: PartitionRt, cores: number, memMb: number): Victims | null {
  let best: Victims | null = null;
  let bestOldest = -Infinity;
  for (const n of part.nodes) {
    if (!n.up || n.drain || n.spec.cores < cores || n.spec.memMb < memMb) continue;
    let needCores = cores - n.freeCores;
    let needMem = memMb - n.freeMem;
    const candidates: TaskRt[] = [];
    for (const t of n.running) if (t.job.partition.spec.preemptible) candidates.push(t);
    if (candidates.length === 0) continue;
    // Largest first keeps the count low; among equals the youngest (latest start) goes first.
    candidates.sort((a, b) => b.cores - a.cores || (b.startedAt ?? 0) - (a.startedAt ?? 0) || b.id - a.id);
    const chosen: TaskRt[] = [];
    for (const t of candidates) {
      if (needCores <= 0 && needMem <= 0) break;
      chosen.push(t);
      needCores -= t.cores;
      needMem -= t.memMb;
    }
    if (needCores > 0 || needMem > 0) continue;
    const oldest = Math.min(...chosen.map((t) => t.startedAt ?? 0));
    if (best === null || chosen.length < best.tasks.length || (chosen.length === best.tasks.length && oldest > bestOldest)) {
      best = { node: n, tasks: chosen };
      bestOldest = oldest;
    }
  }
  return best;
}
