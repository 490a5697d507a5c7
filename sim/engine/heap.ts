// The engine's event queue, ordered by (time, order of insertion): events at one timestamp come
// out in the order they were scheduled, so runs are deterministic without comparing payloads.
import { KeyedHeap, type Ms } from '../../scheduler/core/index.js';

export interface Timed {
  time: Ms;
}

export class EventHeap<T> {
  private readonly heap = new KeyedHeap<T>();
  private nextSeq = 0;

  get size(): number {
    return this.heap.size;
  }

  push(item: T & Timed): void {
    this.heap.push(item.time, this.nextSeq++, item);
  }

  /** Queues `item` at `time`, for items that do not carry their time themselves. */
  pushAt(time: Ms, item: T): void {
    this.heap.push(time, this.nextSeq++, item);
  }

  peek(): T | undefined {
    return this.heap.peek();
  }

  /** The earliest time queued, or Infinity when empty. */
  peekTime(): number {
    return this.heap.peekKey();
  }

  pop(): T | undefined {
    return this.heap.pop();
  }
}
