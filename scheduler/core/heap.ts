// A binary min-heap, the one the core's begin times and consent holds and the workload's
// consent changes share (time limits have their own, deadline-lanes.ts; the
// simulator's event queue too, sim/engine/heap.ts, with its times in typed arrays).

/**
 * A min-heap ordered by a numeric key, then a numeric tie-breaker, kept in arrays beside the
 * items: sifting compares numbers in place instead of reading fields of objects spread over
 * the heap. Time-ordered queues of millions of entries (time limits, simulated task ends)
 * spent most of their time in those reads.
 */
export class KeyedHeap<T> {
  private readonly keys: number[] = [];
  private readonly ties: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The least key, or Infinity when empty. */
  peekKey(): number {
    return this.items.length === 0 ? Infinity : (this.keys[0] as number);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(key: number, tie: number, item: T): void {
    const { keys, ties, items } = this;
    let i = items.length;
    keys.push(key);
    ties.push(tie);
    items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk < key || (pk === key && (ties[p] as number) <= tie)) break;
      keys[i] = pk;
      ties[i] = ties[p] as number;
      items[i] = items[p] as T;
      i = p;
    }
    keys[i] = key;
    ties[i] = tie;
    items[i] = item;
  }

  /**
   * Keeps only the entries `keep` accepts (the others are dropped), then restores the heap
   * order in O(n). Entries compare by key, then tie, so when no two share both, what pops next
   * is the same as if the dropped ones had been popped and skipped.
   */
  retain(keep: (item: T, key: number) => boolean): void {
    const { keys, ties, items } = this;
    let o = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as T;
      const key = keys[i] as number;
      if (!keep(item, key)) continue;
      keys[o] = key;
      ties[o] = ties[i] as number;
      items[o++] = item;
    }
    while (items.length > o) {
      keys.pop();
      ties.pop();
      items.pop();
    }
    for (let i = (o >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Moves the entry at `i` down to its place. */
  private siftDown(i: number): void {
    const { keys, ties, items } = this;
    const n = items.length;
    const key = keys[i] as number;
    const tie = ties[i] as number;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        const lk = keys[l] as number;
        const rk = keys[r] as number;
        if (rk < lk || (rk === lk && (ties[r] as number) < (ties[l] as number))) c = r;
      }
      const ck = keys[c] as number;
      if (ck > key || (ck === key && (ties[c] as number) >= tie)) break;
      keys[i] = ck;
      ties[i] = ties[c] as number;
      items[i] = items[c] as T;
      i = c;
    }
    keys[i] = key;
    ties[i] = tie;
    items[i] = item;
  }

  pop(): T | undefined {
    const { keys, ties, items } = this;
    const top = items[0];
    // pop() rather than a length assignment: the length setter is a slow runtime call.
    const key = keys.pop() as number;
    const tie = ties.pop() as number;
    const item = items.pop() as T;
    if (items.length === 0) return top;
    keys[0] = key;
    ties[0] = tie;
    items[0] = item;
    this.siftDown(0);
    return top;
  }
}
