// Running tasks by when their time limit runs out, for the pass to kill those past it and to
// wake at the next one.

/** What the heap needs of a task: its id (the tie-breaker) and a field for its place. */
export interface Filed {
  readonly id: number;
  /** Its index in the heap while filed, else -1. */
  limitSlot: number;
}

/**
 * A min-heap of running tasks ordered by deadline, then id, whose entries know their place, so
 * a task that stops running leaves it at once. Before, a task that ended before its limit (most
 * do) stayed filed until its deadline came up, and passes popped such stale entries, each a
 * look-up of a task record long out of the cache (4.4% of the NGC steady run's CPU profile);
 * each record also carried two boxed deadline fields. Holding only running tasks, it keeps no
 * forgotten job alive.
 */
export class DeadlineHeap<T extends Filed> {
  /** Deadlines and ids beside the items: sifting compares numbers, not fields of records. */
  private readonly keys: number[] = [];
  private readonly ids: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline, or Infinity when empty. */
  peekKey(): number {
    return this.items.length === 0 ? Infinity : (this.keys[0] as number);
  }

  /** The task of the earliest deadline (the least id among equal ones). */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Files `t` (not filed now) under `deadline`. */
  add(t: T, deadline: number): void {
    const i = this.items.length;
    this.keys.push(deadline);
    this.ids.push(t.id);
    this.items.push(t);
    this.siftUp(i, deadline, t.id, t);
  }

  /** Takes `t` out; a no-op when it is not filed. */
  remove(t: T): void {
    const i = t.limitSlot;
    if (i < 0) return;
    t.limitSlot = -1;
    const { keys, ids, items } = this;
    // pop() rather than a length assignment: the length setter is a slow runtime call.
    const key = keys.pop() as number;
    const id = ids.pop() as number;
    const last = items.pop() as T;
    if (i === items.length) return;
    // The last entry fills the hole, then moves up or down to its place.
    if (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk > key || (pk === key && (ids[p] as number) > id)) {
        this.siftUp(i, key, id, last);
        return;
      }
    }
    this.siftDown(i, key, id, last);
  }

  /** Puts the entry (key, id, item) at `i` or above, moving larger parents down. */
  private siftUp(i: number, key: number, id: number, item: T): void {
    const { keys, ids, items } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk < key || (pk === key && (ids[p] as number) < id)) break;
      const moved = items[p] as T;
      keys[i] = pk;
      ids[i] = ids[p] as number;
      items[i] = moved;
      moved.limitSlot = i;
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
    items[i] = item;
    item.limitSlot = i;
  }

  /** Puts the entry (key, id, item) at `i` or below, moving smaller children up. */
  private siftDown(i: number, key: number, id: number, item: T): void {
    const { keys, ids, items } = this;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        const lk = keys[l] as number;
        const rk = keys[r] as number;
        if (rk < lk || (rk === lk && (ids[r] as number) < (ids[l] as number))) c = r;
      }
      const ck = keys[c] as number;
      if (ck > key || (ck === key && (ids[c] as number) > id)) break;
      const moved = items[c] as T;
      keys[i] = ck;
      ids[i] = ids[c] as number;
      items[i] = moved;
      moved.limitSlot = i;
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
    items[i] = item;
    item.limitSlot = i;
  }
}
