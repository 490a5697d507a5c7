// Open nodes (up, not draining, with a free core) indexed by container, cooling and free
// cores, each bucket sorted by the nodes' fixed preference. Placement then reads the best
// node off the first bucket that can hold the task instead of scanning every node: in a
// light load every one of the ~270 nodes is open, and a scan per task dominated a replay.
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt } from './state.js';

export class FreeIndex {
  /** buckets[container][0 warm | 1 air][free cores] → nodes sorted by pref. */
  private readonly buckets: NodeRt[][][][];
  /** Open nodes by free cores, over all containers. */
  private readonly count: Int32Array;
  /** The free-core count each node is filed under, or -1 when it is not open. */
  private readonly filed: Int32Array;
  private readonly maxCores: number;

  constructor(nodes: readonly NodeRt[], containers: number) {
    this.maxCores = Math.max(1, ...nodes.map((n) => n.spec.cores));
    this.buckets = Array.from({ length: containers }, () => [0, 1].map(() => Array.from({ length: this.maxCores + 1 }, () => [] as NodeRt[])));
    this.count = new Int32Array(this.maxCores + 1);
    this.filed = new Int32Array(nodes.length).fill(-1);
    for (const n of nodes) this.update(n);
  }

  /** Re-files a node after its free cores, up or drain state changed. */
  update(n: NodeRt): void {
    const was = this.filed[n.idx] as number;
    const now = n.up && !n.drain && n.freeCores > 0 ? n.freeCores : -1;
    if (was === now) return;
    if (was >= 0) {
      const b = this.bucket(n, was);
      b.splice(position(b, n.pref), 1);
      this.count[was] = (this.count[was] as number) - 1;
    }
    if (now >= 0) {
      const b = this.bucket(n, now);
      b.splice(position(b, n.pref), 0, n);
      this.count[now] = (this.count[now] as number) + 1;
    }
    this.filed[n.idx] = now;
  }

  /** The most free cores on any open node. */
  maxFree(): number {
    for (let f = this.maxCores; f > 0; f--) if ((this.count[f] as number) > 0) return f;
    return 0;
  }

  /** The most free cores on an open node other than `n`. */
  maxFreeExcept(n: NodeRt | null): number {
    const skip = n === null ? -1 : (this.filed[n.idx] as number);
    for (let f = this.maxCores; f > 0; f--) {
      const c = (this.count[f] as number) - (f === skip ? 1 : 0);
      if (c > 0) return f;
    }
    return 0;
  }

  /**
   * The best open node for a task: same container as `container` (when ≥ 0) before others,
   * warm-water before air, fewest cores left over, then the fixed preference order.
   */
  pick(
    part: PartitionRt,
    cores: number,
    memMb: number,
    container: number,
    reserved: Reservation | null,
    admit?: (n: NodeRt) => boolean,
  ): NodeRt | null {
    const containers = this.buckets.length;
    const classes: [number, number][] = []; // [container or -1 for "the others", cooling]
    if (container >= 0) classes.push([container, 0], [container, 1], [-1, 0], [-1, 1]);
    else classes.push([-2, 0], [-2, 1]); // -2: every container
    for (const [which, cooling] of classes) {
      for (let f = cores; f <= this.maxCores; f++) {
        if ((this.count[f] as number) === 0) continue;
        let best: NodeRt | null = null;
        for (let c = 0; c < containers; c++) {
          if (which >= 0 ? c !== which : which === -1 && c === container) continue;
          for (const n of this.buckets[c]?.[cooling]?.[f] ?? []) {
            if (best !== null && n.pref >= best.pref) break; // sorted by pref: nothing better here
            if (n.freeMem < memMb || part.member[n.idx] === 0) continue;
            if (reserved !== null && n === reserved.node && (cores > reserved.extraCores || memMb > reserved.extraMem)) continue;
            if (admit !== undefined && !admit(n)) continue;
            best = n;
            break;
          }
        }
        if (best !== null) return best;
      }
    }
    return null;
  }

  private bucket(n: NodeRt, free: number): NodeRt[] {
    return this.buckets[n.containerIdx]?.[n.warm ? 0 : 1]?.[free] as NodeRt[];
  }
}

/** Index of the first node with pref ≥ `pref` (binary search). */
function position(list: readonly NodeRt[], pref: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as NodeRt).pref < pref) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
