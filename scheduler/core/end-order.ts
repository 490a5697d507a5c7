// A node's running tasks in order of expected end (start + time limit, then id), kept as they
// start and end, so planning a reservation reads them in order without sorting. A node of
// 64 cores holds a few dozen; a flat node of 100,000 cores thousands, so the order is kept in
// blocks of at most 2·BLOCK: an insertion or removal shifts one block, not the whole list.
// Each block's end keys sit beside it in a plain array of numbers: a start or an end finds
// its place by a binary search of those, not of the task records (each a cache miss in a
// replay of 100,000 tasks ended in random order).
//
// Only planning reads the order, and on a mostly idle machine it hardly ever does (the NGC
// steady run kept it through 2.4 M starts and ends for a handful of reads). So it is kept only
// while it is read: after more changes unread than it holds tasks (plus UNREAD_SLACK), it is
// dropped, and `current` rebuilds it from the node's running tasks when planning reads it next.
// Either way a read sees the same tasks in the same order.
import { insertAt, removeAt, type SlotList } from './lists.js';
import type { TaskRt } from './state.js';

const BLOCK = 64;
/** Changes unread beyond the order's own size before it is dropped (see the file comment). */
const UNREAD_SLACK = 16;

/** The order's key of a task: when its time limit runs out. Fixed while it runs. */
export function endKey(t: TaskRt): number {
  return t.startedAt + t.timeLimitMs;
}

export class EndOrder {
  /** Non-empty blocks, each sorted, every task of one block ending before those of the next. */
  readonly blocks: TaskRt[][] = [];
  /** The end keys of each block's tasks (endKey), in the same places. */
  readonly keys: number[][] = [];
  /** The first task's end key (Infinity when none): planning skips a node whose first end is too late without reading a task. */
  first = Infinity;
  /** Counts adds and deletes: what planning remembered of this order holds while it is unchanged. */
  version = 0;
  /** Whether blocks, keys and first are kept as tasks start and stop (else `current` rebuilds them). */
  kept = true;
  /** Tasks in the kept order, and adds and deletes since `current` was last called. */
  size = 0;
  unread = 0;

  /** `unreadSlack`: tests pass 0 to drop and rebuild the order often. */
  constructor(private readonly unreadSlack = UNREAD_SLACK) {}
  /**
   * EASY's last reservation planning on this node (reservation.ts): for a task of `plannedCores`
   * and `plannedMem` at `version` `plannedAt`, the instant it could start (`reachAt`, with
   * `freeCores`/`freeMem` free then), or -1 and no instant before `notBefore`. A blocked head
   * is planned again pass after pass, and most nodes change in none of them.
   */
  plannedAt = -1;
  plannedCores = 0;
  plannedMem = 0;
  reachAt = -1;
  notBefore = 0;
  freeCores = 0;
  freeMem = 0;

  /**
   * The order made current, for planning to read: `running` must be the node's running tasks
   * (what was added and not deleted). Also marks the order read.
   */
  current(running: SlotList<TaskRt>): this {
    this.unread = 0;
    if (this.kept) return this;
    const tasks: TaskRt[] = [];
    for (let i = 0; i < running.size; i++) tasks.push(running.at(i));
    tasks.sort((a, b) => endKey(a) - endKey(b) || a.id - b.id);
    for (let i = 0; i < tasks.length; i += BLOCK) {
      const b = tasks.slice(i, i + BLOCK);
      this.blocks.push(b);
      this.keys.push(b.map(endKey));
    }
    this.first = tasks.length === 0 ? Infinity : endKey(tasks[0] as TaskRt);
    this.size = tasks.length;
    this.kept = true;
    return this;
  }

  /** Stops keeping the order after too many changes unread; whether it is kept still. */
  private keep(): boolean {
    if (!this.kept) return false;
    if (++this.unread <= this.size + this.unreadSlack) return true;
    this.kept = false;
    this.blocks.length = 0;
    this.keys.length = 0;
    this.first = Infinity;
    this.size = 0;
    return false;
  }

  /** Files a task that just started (its start time and limit are set). */
  add(t: TaskRt): void {
    this.version++;
    if (!this.keep()) return;
    this.size++;
    const blocks = this.blocks;
    const key = endKey(t);
    if (blocks.length === 0) {
      blocks.push([t]);
      this.keys.push([key]);
      this.first = key;
      return;
    }
    const bi = this.blockFor(key, t.id);
    const b = blocks[bi] as TaskRt[];
    const kb = this.keys[bi] as number[];
    const lo = lowerBound(b, kb, key, t.id);
    insertAt(b, lo, t);
    insertAt(kb, lo, key);
    if (bi === 0 && lo === 0) this.first = key;
    if (b.length > 2 * BLOCK) {
      blocks.splice(bi + 1, 0, b.splice(BLOCK));
      this.keys.splice(bi + 1, 0, kb.splice(BLOCK));
    }
  }

  /** Takes out a task that is stopping (before its start time changes). */
  delete(t: TaskRt): void {
    this.version++;
    if (!this.keep()) return;
    const blocks = this.blocks;
    if (blocks.length === 0) return;
    const key = endKey(t);
    const bi = this.blockFor(key, t.id);
    const b = blocks[bi] as TaskRt[];
    const kb = this.keys[bi] as number[];
    const lo = lowerBound(b, kb, key, t.id);
    if (b[lo] !== t) return;
    this.size--;
    removeAt(b, lo);
    removeAt(kb, lo);
    if (b.length === 0) {
      blocks.splice(bi, 1);
      this.keys.splice(bi, 1);
    }
    if (bi === 0 && lo === 0) this.first = blocks.length === 0 ? Infinity : ((this.keys[0] as number[])[0] as number);
  }

  /** The first block whose last task does not end before (key, id) (the last block if none). */
  private blockFor(key: number, id: number): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid] as TaskRt[];
      const kb = this.keys[mid] as number[];
      const last = b.length - 1;
      if (before(b, kb, last, key, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Whether the task at `i` of block `b` (keys `kb`) ends before one of end `key` and id `id` (then lower id first). */
function before(b: readonly TaskRt[], kb: readonly number[], i: number, key: number, id: number): boolean {
  const k = kb[i] as number;
  // A task record is read only on a tie of end keys.
  return k < key || (k === key && (b[i] as TaskRt).id < id);
}

/** The first place in block `b` (keys `kb`) where a task of end `key` and id `id` belongs: after every task ending before it. */
function lowerBound(b: readonly TaskRt[], kb: readonly number[], key: number, id: number): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(b, kb, mid, key, id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
