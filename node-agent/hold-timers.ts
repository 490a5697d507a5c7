// The agent's task holds, kept in whole-millisecond buckets behind one Node timer. A burst holds
// thousands of tasks at once, each with its own (fractional) wall duration: one setTimeout each
// meant a Timeout object, a timer list per distinct duration and a priority-queue insert per task.
// Node's timers have millisecond granularity anyway; here a bucket is a due millisecond.

/** Ends holds at their due time (performance.now() ms), to the nearest millisecond. */
export class HoldTimers<T> {
  /** Due millisecond -> what ends then, in the order added. */
  private readonly buckets = new Map<number, T[]>();
  /** The buckets' due milliseconds, a binary min-heap. */
  private readonly heap: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The due millisecond the timer is armed for. */
  private armedFor = Infinity;

  constructor(private readonly onDue: (item: T) => void) {}

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.length;
    return n;
  }

  /** Ends `item`'s hold at `dueAt` (ms on performance.now()'s clock). Cancel by making onDue ignore it. */
  add(dueAt: number, item: T): void {
    const key = Math.round(dueAt);
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.push(item);
      return;
    }
    this.buckets.set(key, [item]);
    this.push(key);
    if (key < this.armedFor) this.arm(key);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    this.buckets.clear();
    this.heap.length = 0;
  }

  private arm(key: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = key;
    this.timer = setTimeout(() => this.fire(), Math.max(0, key - performance.now()));
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    // Node's timers fire on its loop's whole-millisecond clock, up to a millisecond before the
    // precise time: a bucket due within the next half millisecond ends now rather than a turn later.
    const now = performance.now() + 0.5;
    while (this.heap.length > 0 && (this.heap[0] as number) <= now) {
      const key = this.pop();
      const bucket = this.buckets.get(key);
      this.buckets.delete(key);
      if (bucket) for (const item of bucket) this.onDue(item);
    }
    const next = this.heap[0];
    if (next !== undefined && next < this.armedFor) this.arm(next);
  }

  private push(key: number): void {
    const h = this.heap;
    let i = h.length;
    h.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as number) <= key) break;
      h[i] = h[p] as number;
      i = p;
    }
    h[i] = key;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= last) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
