// Records keyed by integer ids that are handed out in increasing order and mostly retired in
// about the same order: the core's tasks. A replay creates and forgets millions of them, and a
// Map paid for hashing and for rehashing its table as it grew and shrank; here an id is an
// index into a window that starts at the oldest live id.

/** Ids that stay live long after their neighbours (a job held for days) move to a small map
 * once the window is mostly empty, so the window never grows with everything created since. */
const MIN_SPAN = 4096;

export class IdTable<T> {
  /**
   * The window is slots [head, end); slots from `end` on are spare room, all undefined. The
   * window moves back to the front of the same list, which keeps its room: a copy of it into a
   * list of just its size grew again by reallocation, 30-60 B per id added (a replay adds
   * millions).
   */
  private readonly slots: (T | undefined)[] = [];
  private end = 0;
  /** Slots before `head` may still hold records spilled to `old` (else all before it are undefined). */
  private spilled = false;
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
    return k < this.end ? this.slots[k] : undefined;
  }

  /** Adds a record under `id`, which must be larger than every id added before. */
  add(id: number, value: T): void {
    if (this.size === 0 && this.end === this.head) {
      // Empty: every slot is undefined unless some were spilled, so starting over costs nothing.
      if (this.spilled) this.toFront();
      this.head = this.end = 0;
      this.base = id;
    }
    const k = this.head + (id - this.base);
    if (!Number.isInteger(id) || k < this.end) throw new RangeError(`id ${id} is not above every id added before`);
    const s = this.slots;
    while (s.length < k) s.push(undefined);
    if (k < s.length) s[k] = value;
    else s.push(value);
    this.end = k + 1;
    this.inWindow++;
  }

  delete(id: number): boolean {
    const i = id - this.base;
    if (i < 0) return this.old.delete(id);
    const k = this.head + i;
    if (k >= this.end || this.slots[k] === undefined) return false;
    this.slots[k] = undefined;
    this.inWindow--;
    this.trim();
    return true;
  }

  /** Moves the window's start past retired ids, then compacts or spills stragglers. */
  private trim(): void {
    const s = this.slots;
    while (this.head < this.end && s[this.head] === undefined) {
      this.head++;
      this.base++;
    }
    const span = this.end - this.head;
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
      this.spilled = true;
      this.trim();
      return;
    }
    if (this.head > MIN_SPAN && this.head * 2 > this.end) this.toFront();
  }

  /** Moves the window to the front of the list and clears the rest (spilled records included). */
  private toFront(): void {
    const s = this.slots;
    const n = this.end - this.head;
    for (let i = 0; i < n; i++) s[i] = s[this.head + i];
    for (let i = n; i < this.end; i++) s[i] = undefined;
    this.head = 0;
    this.end = n;
    this.spilled = false;
  }

  *values(): IterableIterator<T> {
    yield* this.old.values();
    for (let k = this.head; k < this.end; k++) {
      const v = this.slots[k];
      if (v !== undefined) yield v;
    }
  }
}
