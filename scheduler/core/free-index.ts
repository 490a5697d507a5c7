// Open nodes (up, not draining, with a free core) indexed by container, cooling and free
// cores. Placement reads the best node off the first bucket that can hold the task instead of
// scanning every node: in a light load every one of the ~270 nodes is open, and a scan per
// task dominated a replay. Each bucket is a bit set over the nodes' fixed preference ranks:
// filing a node in or out is one bit (nodes move on every task start and end), and reading a
// bucket meets its nodes in preference order. Which free-core counts have open nodes at all
// is kept in LevelSets, so neither the largest free count nor the next bucket that can fit a
// task costs a look at every core count (a one-node machine of 100,000 cores has 100,001).
import { LevelSet } from './level-set.js';
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt } from './state.js';

export class FreeIndex {
  /** Bucket (container, 0 warm | 1 air, free cores) is `words` 32-bit words from bucketAt(). */
  private readonly bits: Uint32Array;
  private readonly words: number;
  private readonly containers: number;
  /** Nodes by preference rank. */
  private readonly byPref: NodeRt[];
  /** Open nodes by free cores: over all containers, and per (container, cooling) group. */
  private readonly count: Int32Array;
  private readonly groupCount: Int32Array;
  /** Free-core counts with an open node: over all, per cooling, and per (container, cooling). */
  private readonly levels: LevelSet;
  private readonly coolingLevels: LevelSet[];
  private readonly groupLevels: LevelSet[];
  /** The words of a bucket that can hold nodes of each (container, cooling) group. */
  private readonly wordLo: Int32Array;
  private readonly wordHi: Int32Array;
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
    const levels = this.maxCores + 1;
    this.count = new Int32Array(levels);
    this.groupCount = new Int32Array(containers * 2 * levels);
    this.levels = new LevelSet(levels);
    this.coolingLevels = [new LevelSet(levels), new LevelSet(levels)];
    this.groupLevels = Array.from({ length: containers * 2 }, () => new LevelSet(levels));
    // Preference ranks follow the configuration within a cooling, so a group's nodes usually
    // sit in a few neighbouring words: reading a bucket then skips the other containers'.
    this.wordLo = new Int32Array(containers * 2).fill(this.words);
    this.wordHi = new Int32Array(containers * 2).fill(-1);
    for (const n of nodes) {
      const g = n.containerIdx * 2 + (n.warm ? 0 : 1);
      this.wordLo[g] = Math.min(this.wordLo[g] as number, n.pref >> 5);
      this.wordHi[g] = Math.max(this.wordHi[g] as number, n.pref >> 5);
    }
    this.filed = new Int32Array(nodes.length).fill(-1);
    for (const n of nodes) this.update(n);
  }

  /** Re-files a node after its free cores, up or drain state changed. */
  update(n: NodeRt): void {
    const was = this.filed[n.idx] as number;
    const now = n.up && !n.drain && n.power === 'on' && n.freeCores > 0 ? n.freeCores : -1;
    if (was === now) return;
    const group = n.containerIdx * 2 + (n.warm ? 0 : 1);
    if (was >= 0) {
      const w = this.bucketAt(n.containerIdx, n.warm ? 0 : 1, was) + (n.pref >> 5);
      this.bits[w] = (this.bits[w] as number) & ~(1 << (n.pref & 31));
      this.file(group, n.warm ? 0 : 1, was, -1);
    }
    if (now >= 0) {
      const w = this.bucketAt(n.containerIdx, n.warm ? 0 : 1, now) + (n.pref >> 5);
      this.bits[w] = (this.bits[w] as number) | (1 << (n.pref & 31));
      this.file(group, n.warm ? 0 : 1, now, 1);
    }
    this.filed[n.idx] = now;
  }

  /** Counts a node in (+1) or out (-1) of free-core count `f`, keeping the level sets. */
  private file(group: number, cooling: number, f: number, d: 1 | -1): void {
    const g = group * (this.maxCores + 1) + f;
    const gc = (this.groupCount[g] as number) + d;
    this.groupCount[g] = gc;
    const c = (this.count[f] as number) + d;
    this.count[f] = c;
    if (d === 1 ? gc === 1 : gc === 0) {
      const gl = this.groupLevels[group] as LevelSet;
      if (d === 1) gl.add(f);
      else gl.delete(f);
      // The cooling's set has f while some container's group of that cooling has it.
      const cl = this.coolingLevels[cooling] as LevelSet;
      if (d === 1) cl.add(f);
      else if (!this.anyGroupHas(cooling, f)) cl.delete(f);
    }
    if (d === 1 ? c === 1 : c === 0) {
      if (d === 1) this.levels.add(f);
      else this.levels.delete(f);
    }
  }

  private anyGroupHas(cooling: number, f: number): boolean {
    const stride = this.maxCores + 1;
    for (let c = 0; c < this.containers; c++) if ((this.groupCount[(c * 2 + cooling) * stride + f] as number) > 0) return true;
    return false;
  }

  /** The most free cores on any open node. */
  maxFree(): number {
    return Math.max(0, this.levels.prev(this.maxCores));
  }

  /** The most free cores on an open node other than `n`. */
  maxFreeExcept(n: NodeRt | null): number {
    const top = this.levels.prev(this.maxCores);
    if (top <= 0) return 0;
    const skip = n === null ? -1 : (this.filed[n.idx] as number);
    if (top !== skip || (this.count[top] as number) > 1) return top;
    return Math.max(0, this.levels.prev(top - 1));
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
    const { containers, bits } = this;
    const stride = this.maxCores + 1;
    // Four rounds with a home container (home warm, home air, others warm, others air), two
    // without (warm, air, over all containers). No per-call list: this runs once per start.
    const rounds = container >= 0 ? 4 : 2;
    for (let round = 0; round < rounds; round++) {
      const cooling = round & 1;
      const home = container >= 0 && round < 2;
      // Only free-core counts some node of this round's containers has.
      const levels = home ? (this.groupLevels[container * 2 + cooling] as LevelSet) : (this.coolingLevels[cooling] as LevelSet);
      for (let f = levels.next(cores); f >= 0; f = levels.next(f + 1)) {
        let best: NodeRt | null = null;
        for (let c = 0; c < containers; c++) {
          if (container >= 0 && (c === container) !== home) continue;
          const g = c * 2 + cooling;
          if ((this.groupCount[g * stride + f] as number) === 0) continue;
          const at = this.bucketAt(c, cooling, f);
          // Ranks ascending: the first node that qualifies is this bucket's best.
          scan: for (let wi = this.wordLo[g] as number, hi = this.wordHi[g] as number; wi <= hi; wi++) {
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
