// The engine's event queue, ordered by (time, order of insertion): events at one timestamp come
// out in the order they were scheduled, so runs are deterministic without comparing payloads.
import type { Ms } from '../../scheduler/core/index.js';

export interface Timed {
  time: Ms;
}

/**
 * A binary min-heap with its times and insertion numbers in typed arrays beside the items.
 * Its own code rather than the core's KeyedHeap (shared with the core's and the workload's
 * heaps, keys in plain arrays): a replay's sampled allocation showed 16 B per task end in that
 * pop, most likely a time past 2^31 ms boxed on its way out, and more where ends were pushed.
 */
export class EventHeap<T> {
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private items: (T | undefined)[] = [];
  private n = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n;
  }

  push(item: T & Timed): void {
    this.pushAt(item.time, item);
  }

  /** Queues `item` at `time`, for items that do not carry their time themselves. */
  pushAt(time: Ms, item: T): void {
    if (this.n === this.times.length) this.grow();
    const { times, seqs, items } = this;
    const seq = this.nextSeq++;
    let i = this.n++;
    if (i === items.length) items.push(undefined);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p] as number;
      if (pt < time || (pt === time && (seqs[p] as number) <= seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p] as number;
      items[i] = items[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  peek(): T | undefined {
    return this.n === 0 ? undefined : this.items[0];
  }

  /** The earliest time queued, or Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : (this.times[0] as number);
  }

  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const { times, seqs, items } = this;
    const top = items[0];
    const last = --this.n;
    const time = times[last] as number;
    const seq = seqs[last] as number;
    const item = items[last];
    // Nothing popped is kept alive here (the slot stays, for the next push).
    items[last] = undefined;
    if (last === 0) return top;
    // Sift the last entry down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      let c = l;
      if (r < last) {
        const lt = times[l] as number;
        const rt = times[r] as number;
        if (rt < lt || (rt === lt && (seqs[r] as number) < (seqs[l] as number))) c = r;
      }
      const ct = times[c] as number;
      if (ct > time || (ct === time && (seqs[c] as number) >= seq)) break;
      times[i] = ct;
      seqs[i] = seqs[c] as number;
      items[i] = items[c];
      i = c;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
