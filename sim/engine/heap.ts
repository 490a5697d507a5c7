// The engine's event queue: a binary min-heap ordered by (time, seq). `seq` is the order of
// insertion, so events at one timestamp come out in the order they were scheduled: runs are
// deterministic without any comparison of payloads.
import type { Ms } from '../../scheduler/core/index.js';

export interface Timed {
  time: Ms;
  seq: number;
}

export class EventHeap<T extends Timed> {
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Inserts `item`, overwriting its `seq` with the next insertion number. */
  push(it: T): void {
    it.seq = this.nextSeq++;
    const a = this.items;
    let i = a.length;
    a.push(it);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as T;
      if (!before(it, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = it;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** The earliest time queued, or Infinity when empty. */
  peekTime(): number {
    const top = this.items[0];
    return top === undefined ? Infinity : top.time;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(a[r] as T, a[l] as T)) c = r;
      const child = a[c] as T;
      if (!before(child, last)) break;
      a[i] = child;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function before(x: Timed, y: Timed): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}
