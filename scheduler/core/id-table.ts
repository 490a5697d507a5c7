// Records keyed by integer ids that are handed out in increasing order and mostly retired in
// about the same order: the core's tasks. A replay creates and forgets millions of them, and a
// Map paid for hashing and for rehashing its table as it grew and shrank; here an id is an
// index into a window that starts at the oldest live id.

/** Ids that stay live long after their neighbours (a job held for days) move to a small map
 * once the window is mostly empty, so the window never grows with everything created since. */
const MIN_SPAN = 4096;

export class IdTable<T> {
  private slots: (T | undefined)[] = [];
  /** Index in `slots` of the first slot still in use; `base` is that slot's id. */
  private head = 0;
  private base = 0;
  private inWindow = 0;
  private readonly old = new Map<number, T>();

  get size(): number {
    return this.inWindow + this.old.size;
  }

  get(id: number): T | undefined {
    const i = id - this.base;
    if (i < 0) return this.old.get(id);
    const k = this.head + i;
    return k < this.slots.length ? this.slots[k] : undefined;
  }

  /** Adds a record under `id`, which must be larger than every id added before. */
  add(id: number, value: T): void {
    if (this.size === 0 && this.slots.length === this.head) {
      this.slots = [];
      this.head = 0;
      this.base = id;
    }
    const k = this.head + (id - this.base);
    if (!Number.isInteger(id) || k < this.slots.length) throw new RangeError(`id ${id} is not above every id added before`);
    while (this.slots.length < k) this.slots.push(undefined);
    this.slots.push(value);
    this.inWindow++;
  }

  delete(id: number): boolean {
    const i = id - this.base;
    if (i < 0) return this.old.delete(id);
    const k = this.head + i;
    if (k >= this.slots.length || this.slots[k] === undefined) return false;
    this.slots[k] = undefined;
    this.inWindow--;
    this.trim();
    return true;
  }

  /** Moves the window's start past retired ids, then compacts or spills stragglers. */
  private trim(): void {
    const s = this.slots;
    while (this.head < s.length && s[this.head] === undefined) {
      this.head++;
      this.base++;
    }
    const span = s.length - this.head;
    if (span > MIN_SPAN && span > 8 * this.inWindow) {
      // Mostly empty: spill the live records of the older half to the map.
      const cut = this.head + (span >> 1);
      for (let k = this.head; k < cut; k++) {
        const v = s[k];
        if (v !== undefined) {
          this.old.set(this.base + (k - this.head), v);
          this.inWindow--;
        }
      }
      this.base += cut - this.head;
      this.head = cut;
      this.trim();
      return;
    }
    if (this.head > MIN_SPAN && this.head * 2 > s.length) {
      this.slots = s.slice(this.head);
      this.head = 0;
    }
  }

  *values(): IterableIterator<T> {
    yield* this.old.values();
    for (let k = this.head; k < this.slots.length; k++) {
      const v = this.slots[k];
      if (v !== undefined) yield v;
    }
  }
}
