// A set of small non-negative integers with next-at-or-above and last-at-or-below queries in
// O(log32 size): a tree of 32-bit words where a bit above says "the word below is not empty".
// The free-core index keeps the free-core counts that have an open node in these, so finding
// the best fit on a node of 100,000 cores costs a few word reads instead of a scan per core.

export class LevelSet {
  /** levels[0] holds one bit per member; each level above, one bit per word of the one below. */
  private readonly levels: Uint32Array[] = [];

  constructor(readonly size: number) {
    let words = Math.max(1, Math.ceil(size / 32));
    for (;;) {
      this.levels.push(new Uint32Array(words));
      if (words === 1) break;
      words = Math.ceil(words / 32);
    }
  }

  has(i: number): boolean {
    return (((this.levels[0] as Uint32Array)[i >>> 5] as number) & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    for (const level of this.levels) {
      const w = i >>> 5;
      const was = level[w] as number;
      level[w] = was | (1 << (i & 31));
      if (was !== 0) return; // the levels above already know this word is not empty
      i = w;
    }
  }

  delete(i: number): void {
    for (const level of this.levels) {
      const w = i >>> 5;
      const now = (level[w] as number) & ~(1 << (i & 31));
      level[w] = now;
      if (now !== 0) return;
      i = w;
    }
  }

  /** The smallest member ≥ i, or -1. */
  next(i: number): number {
    if (i < 0) i = 0;
    if (i >= this.size) return -1;
    const { levels } = this;
    // Climb while the rest of the current word is empty, then descend to the lowest bit.
    let k = 0;
    for (; k < levels.length; k++) {
      const level = levels[k] as Uint32Array;
      const w = i >>> 5;
      if (w >= level.length) return -1;
      const rest = ((level[w] as number) >>> (i & 31)) << (i & 31);
      if (rest !== 0) {
        i = (w << 5) + lowBit(rest);
        break;
      }
      i = w + 1;
    }
    if (k === levels.length) return -1;
    for (k--; k >= 0; k--) i = (i << 5) + lowBit((levels[k] as Uint32Array)[i] as number);
    return i;
  }

  /** The largest member ≤ i, or -1. */
  prev(i: number): number {
    if (i >= this.size) i = this.size - 1;
    if (i < 0) return -1;
    const { levels } = this;
    let k = 0;
    for (; k < levels.length; k++) {
      const level = levels[k] as Uint32Array;
      const w = i >>> 5;
      const keep = 31 - (i & 31);
      // The bits at or below i's position in its word.
      const rest = keep === 0 ? (level[w] as number) : ((level[w] as number) << keep) >>> keep;
      if (rest !== 0) {
        i = (w << 5) + highBit(rest);
        break;
      }
      if (w === 0) return -1;
      i = w - 1;
    }
    if (k === levels.length) return -1;
    for (k--; k >= 0; k--) i = (i << 5) + highBit((levels[k] as Uint32Array)[i] as number);
    return i;
  }
}

function lowBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function highBit(x: number): number {
  return 31 - Math.clz32(x);
}
