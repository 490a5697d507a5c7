// Open nodes (up, not draining, with a free core) indexed by container, cooling and free
// cores. Placement reads the best node off the first bucket that can hold the task instead of
// scanning every node: in a light load every one of the ~270 nodes is open, and a scan per
// task dominated a replay. Each bucket is a bit set over the nodes' fixed preference ranks:
// filing a node in or out is one bit (nodes move on every task start and end), and reading a
// bucket meets its nodes in preference order.
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt } from './state.js';

export class FreeIndex {
  /** Bucket (container, 0 warm | 1 air, free cores) is `words` 32-bit words from bucketAt(). */
  private readonly bits: Uint32Array;
  private readonly words: number;
  private readonly containers: number;
  /** Nodes by preference rank. */
  private readonly byPref: NodeRt[];
  /** Open nodes by free cores, over all containers. */
  private readonly count: Int32Array;
  /** The free-core count each node is filed under, or -1 when it is not open. */
  private readonly filed: Int32Array;
  private readonly maxCores: number;

  constructor(nodes: readonly NodeRt[], containers: number) {
    this.maxCores = Math.max(1, ...nodes.map((n) => n.spec.cores));
    this.containers = containers;
    this.words = Math.max(1, Math.ceil(nodes.length / 32));
    this.bits = new Uint32Array(containers * 2 * (this.maxCores + 1) * this.words);
    this.byPref = [];
    for (const n of nodes) this.byPref[n.pref] = n;
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
      const w = this.bucketAt(n.containerIdx, n.warm ? 0 : 1, was) + (n.pref >> 5);
      this.bits[w] = (this.bits[w] as number) & ~(1 << (n.pref & 31));
      this.count[was] = (this.count[was] as number) - 1;
    }
    if (now >= 0) {
      const w = this.bucketAt(n.containerIdx, n.warm ? 0 : 1, now) + (n.pref >> 5);
      this.bits[w] = (this.bits[w] as number) | (1 << (n.pref & 31));
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
    const { containers, words, bits } = this;
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
          const at = this.bucketAt(c, cooling, f);
          // Ranks ascending: the first node that qualifies is this bucket's best.
          scan: for (let wi = 0; wi < words; wi++) {
            for (let x = bits[at + wi] as number; x !== 0; x &= x - 1) {
              const n = this.byPref[wi * 32 + 31 - Math.clz32(x & -x)] as NodeRt;
              if (best !== null && n.pref >= best.pref) break scan; // nothing better here
              if (n.freeMem < memMb || part.member[n.idx] === 0) continue;
              if (reserved !== null && n === reserved.node && (cores > reserved.extraCores || memMb > reserved.extraMem)) continue;
              if (admit !== undefined && !admit(n)) continue;
              best = n;
              break scan;
            }
          }
        }
        if (best !== null) return best;
      }
    }
    return null;
  }

  private bucketAt(container: number, cooling: number, free: number): number {
    return ((container * 2 + cooling) * (this.maxCores + 1) + free) * this.words;
  }
}
