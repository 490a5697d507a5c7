// The engine's event queue: the core's binary min-heap, ordered by (time, seq). `seq` is the
// order of insertion, so events at one timestamp come out in the order they were scheduled:
// runs are deterministic without any comparison of payloads.
import { MinHeap, type Ms } from '../../scheduler/core/index.js';

export interface Timed {
  time: Ms;
  seq: number;
}

const before = (x: Timed, y: Timed): boolean => x.time < y.time || (x.time === y.time && x.seq < y.seq);

export class EventHeap<T extends Timed> {
  private readonly heap = new MinHeap<T>(before);
  private nextSeq = 0;

  get size(): number {
    return this.heap.size;
  }

  /** Inserts `item`, overwriting its `seq` with the next insertion number. */
  push(item: T): void {
    item.seq = this.nextSeq++;
    this.heap.push(item);
  }

  peek(): T | undefined {
    return this.heap.peek();
  }

  /** The earliest time queued, or Infinity when empty. */
  peekTime(): number {
    const top = this.heap.peek();
    return top === undefined ? Infinity : top.time;
  }

  pop(): T | undefined {
    return this.heap.pop();
  }
}
