// Within one pass, free resources only shrink (tasks start) until something is released (a
// preemption's victims). So once no node can take a task of c cores and m MB, none can take
// a larger one either until the next release: a backfill pass over thousands of waiting
// tasks asks the free-core index only about shapes it has not already seen fail. The memo
// keeps the smallest failing shapes (a Pareto front) per partition and per kind of ask:
// `open` (no reservation to spare) and `reserved` (sparing the EASY reservation, which only
// narrows the choice, so an `open` failure answers a `reserved` ask too).
import type { PartitionRt } from './state.js';

/** How many failing shapes it keeps; past that it forgets the oldest (it only saves work). */
const MAX_SHAPES = 16;

export const OPEN = 0;
export const RESERVED = 1;

export class FitMemo {
  private readonly part: (PartitionRt | null)[] = new Array<PartitionRt | null>(MAX_SHAPES).fill(null);
  private readonly kind = new Int8Array(MAX_SHAPES);
  private readonly cores = new Float64Array(MAX_SHAPES);
  private readonly mem = new Float64Array(MAX_SHAPES);
  private n = 0;
  private next = 0;
  /** The state's release count the shapes were seen under (CoreState.releases). */
  private gen = -1;

  /** Forgets every shape (a pass begins). */
  clear(): void {
    for (let i = 0; i < this.n; i++) this.part[i] = null;
    this.n = 0;
    this.next = 0;
  }

  /** Whether a task of `cores` and `memMb` is known not to fit now (`gen`: the release count). */
  fails(part: PartitionRt, kind: number, cores: number, memMb: number, gen: number): boolean {
    if (gen !== this.gen) {
      this.clear();
      this.gen = gen;
      return false;
    }
    for (let i = 0; i < this.n; i++) {
      if (this.part[i] === part && (this.kind[i] as number) <= kind && (this.cores[i] as number) <= cores && (this.mem[i] as number) <= memMb) return true;
    }
    return false;
  }

  /** Notes that no node could take a task of this shape. */
  failed(part: PartitionRt, kind: number, cores: number, memMb: number, gen: number): void {
    if (gen !== this.gen) {
      this.clear();
      this.gen = gen;
    }
    // A shape it covers (same partition, an ask at least as strict, at least as large) goes.
    let o = 0;
    for (let i = 0; i < this.n; i++) {
      const covered = this.part[i] === part && (this.kind[i] as number) >= kind && (this.cores[i] as number) >= cores && (this.mem[i] as number) >= memMb;
      if (covered) continue;
      this.part[o] = this.part[i] as PartitionRt;
      this.kind[o] = this.kind[i] as number;
      this.cores[o] = this.cores[i] as number;
      this.mem[o++] = this.mem[i] as number;
    }
    for (let i = o; i < this.n; i++) this.part[i] = null;
    this.n = o;
    const at = this.n < MAX_SHAPES ? this.n++ : this.next++ % MAX_SHAPES;
    this.part[at] = part;
    this.kind[at] = kind;
    this.cores[at] = cores;
    this.mem[at] = memMb;
  }
}
