// Open nodes (up, not draining, with a free core) indexed by container, cooling and free
// cores, each bucket sorted by the nodes' fixed preference. Placement then reads the best
// node off the first bucket that can hold the task instead of scanning every node: in a
// light load every one of the ~270 nodes is open, and a scan per task dominated a replay.
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt } from './state.js';

/**
 * Nodes sorted by pref in `nodes[0, len)`. The array never shrinks: a plain array emptied and
 * refilled gives its storage back and allocates it again, and nodes move between buckets on
 * every task start and end.
 */
class Bucket {
  readonly nodes: NodeRt[] = [];
  len = 0;

  insert(n: NodeRt): void {
    let k = this.len++;
    if (k === this.nodes.length) this.nodes.push(n);
    for (; k > 0 && (this.nodes[k - 1] as NodeRt).pref > n.pref; k--) this.nodes[k] = this.nodes[k - 1] as NodeRt;
    this.nodes[k] = n;
  }

  remove(n: NodeRt): void {
    let k = this.nodes.indexOf(n);
    for (this.len--; k < this.len; k++) this.nodes[k] = this.nodes[k + 1] as NodeRt;
  }
}

export class FreeIndex {
  /** buckets[container][0 warm | 1 air][free cores]. */
  private readonly buckets: Bucket[][][];
  /** Open nodes by free cores, over all containers. */
  private readonly count: Int32Array;
  /** The free-core count each node is filed under, or -1 when it is not open. */
  private readonly filed: Int32Array;
  private readonly maxCores: number;

  constructor(nodes: readonly NodeRt[], containers: number) {
    this.maxCores = Math.max(1, ...nodes.map((n) => n.spec.cores));
    this.buckets = Array.from({ length: containers }, () => [0, 1].map(() => Array.from({ length: this.maxCores + 1 }, () => new Bucket())));
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
      this.bucket(n, was).remove(n);
      this.count[was] = (this.count[was] as number) - 1;
    }
    if (now >= 0) {
      this.bucket(n, now).insert(n);
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
    // Four rounds with a home container (home warm, home air, others warm, others air), two
    // without (warm, air, over all containers). No per-call list: this runs once per start.
    const rounds = container >= 0 ? 4 : 2;
    for (let round = 0; round < rounds; round++) {
      const cooling = round & 1;
      const home = container >= 0 && round < 2;
      for (let f = cores; f <= this.maxCores; f++) {
        if ((this.count[f] as number) === 0) continue;
        let best: NodeRt | null = null;
        for (let c = 0; c < containers; c++) {
          if (container >= 0 && (c === container) !== home) continue;
          const bucket = (this.buckets[c] as Bucket[][])[cooling]?.[f] as Bucket;
          for (let k = 0; k < bucket.len; k++) {
            const n = bucket.nodes[k] as NodeRt;
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

  private bucket(n: NodeRt, free: number): Bucket {
    return this.buckets[n.containerIdx]?.[n.warm ? 0 : 1]?.[free] as Bucket;
  }
}
