// In-place list edits. `Array.prototype.splice` returns a new array of what it removed, even
// when nothing is: on the per-task paths of a multi-year replay that was a tenth of all
// allocation, so the hot paths shift elements themselves.

/** Inserts `item` at index `i`, moving later elements up by one. */
export function insertAt<T>(list: T[], i: number, item: T): void {
  let k = list.length;
  list.push(item);
  for (; k > i; k--) list[k] = list[k - 1] as T;
  list[i] = item;
}

/** Removes the element at index `i`, keeping the order of the others. */
export function removeAt<T>(list: T[], i: number): void {
  const n = list.length - 1;
  for (let k = i; k < n; k++) list[k] = list[k + 1] as T;
  list.pop(); // not a length assignment: the length setter is a slow runtime call
}

/**
 * Insertion sort, stable and allocation-free (`Array.prototype.sort` copies into a work
 * array). Linear on a list that is already nearly sorted, as a re-ranked one usually is.
 */
export function sortInPlace<T>(list: T[], cmp: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as T;
    let k = i;
    for (; k > 0 && cmp(list[k - 1] as T, x) > 0; k--) list[k] = list[k - 1] as T;
    list[k] = x;
  }
}

/**
 * An unordered set of records that know their own place (`slot`, -1 when out). Adding and
 * deleting are a few array writes, and the storage never shrinks: a `Set` on the per-task
 * paths (a node's running tasks) reallocated its table whenever it emptied and refilled.
 */
export class SlotList<T extends { slot: number }> {
  private readonly items: (T | null)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The item at position `i` (0 ≤ i < size); positions change as items are deleted. */
  at(i: number): T {
    return this.items[i] as T;
  }

  add(x: T): void {
    const n = this.n++;
    if (n === this.items.length) this.items.push(x);
    else this.items[n] = x;
    x.slot = n;
  }

  /** Removes `x` (a no-op when it is in no list); the last item takes its place. */
  delete(x: T): void {
    if (x.slot < 0) return;
    const n = --this.n;
    const last = this.items[n] as T;
    this.items[x.slot] = last;
    last.slot = x.slot;
    this.items[n] = null;
    x.slot = -1;
  }

  toArray(): T[] {
    return this.items.slice(0, this.n) as T[];
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.n; i++) yield this.items[i] as T;
  }
}
