// The engine's event queue, ordered by (time, order of insertion): events at one timestamp come
// out in the order they were scheduled, so runs are deterministic without comparing payloads.
// Keys live in typed arrays the queue grows itself: times past 2^31 ms (25 days) are not small
// integers, and a JS array's push/pop of them boxed a number per event in a 4.5-year replay.
import type { Ms } from '../../scheduler/core/index.js';

export interface Timed {
  time: Ms;
}

export class EventHeap<T extends Timed> {
  private times = new Float64Array(64);
  /** Insertion order, the tie-break among equal times. */
  private seqs = new Float64Array(64);
  private items: (T | undefined)[] = [];
  private n = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n;
  }

  push(item: T): void {
    if (this.n === this.times.length) this.grow();
    const { times, seqs, items } = this;
    const time = item.time;
    const seq = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
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
    return this.n === 0 ? Infinity : this.times[0]!;
  }

  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const { times, seqs, items } = this;
    const top = items[0];
    const n = --this.n;
    const time = times[n]!;
    const seq = seqs[n]!;
    const item = items[n];
    items[n] = undefined;
    if (n === 0) return top;
    // Sift the last entry down from the root.
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const ct = times[c]!;
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < seqs[c]!)) c = r;
      }
      const ct = times[c]!;
      if (ct > time || (ct === time && seqs[c]! > seq)) break;
      times[i] = ct;
      seqs[i] = seqs[c]!;
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
