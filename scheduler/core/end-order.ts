// A node's running tasks in order of expected end (start + time limit, then id), kept as they
// start and end, so planning a reservation reads them in order without sorting. A node of
// 64 cores holds a few dozen; a flat node of 100,000 cores thousands, so the order is kept in
// blocks of at most 2·BLOCK: an insertion or removal shifts one block, not the whole list.
import { insertAt, removeAt } from './lists.js';
import type { TaskRt } from './state.js';

const BLOCK = 64;

/** The order's key of a task: when its time limit runs out. Fixed while it runs. */
export function endKey(t: TaskRt): number {
  return t.startedAt + t.timeLimitMs;
}

/** Whether `a` ends before `b` (then lower id first). */
function endsBefore(a: TaskRt, b: TaskRt): boolean {
  const ka = endKey(a);
  const kb = endKey(b);
  return ka < kb || (ka === kb && a.id < b.id);
}

export class EndOrder {
  /** Non-empty blocks, each sorted, every task of one block ending before those of the next. */
  readonly blocks: TaskRt[][] = [];
  /** The first task's end key (Infinity when none): planning skips a node whose first end is too late without reading a task. */
  first = Infinity;
  /** Counts adds and deletes: what planning remembered of this order holds while it is unchanged. */
  version = 0;
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

  /** Files a task that just started (its start time and limit are set). */
  add(t: TaskRt): void {
    this.version++;
    const blocks = this.blocks;
    if (blocks.length === 0) {
      blocks.push([t]);
      this.first = endKey(t);
      return;
    }
    const bi = this.blockFor(t);
    const b = blocks[bi] as TaskRt[];
    const lo = lowerBound(b, t);
    insertAt(b, lo, t);
    if (bi === 0 && lo === 0) this.first = endKey(t);
    if (b.length > 2 * BLOCK) blocks.splice(bi + 1, 0, b.splice(BLOCK));
  }

  /** Takes out a task that is stopping (before its start time changes). */
  delete(t: TaskRt): void {
    this.version++;
    const blocks = this.blocks;
    if (blocks.length === 0) return;
    const bi = this.blockFor(t);
    const b = blocks[bi] as TaskRt[];
    const lo = lowerBound(b, t);
    if (b[lo] !== t) return;
    removeAt(b, lo);
    if (b.length === 0) blocks.splice(bi, 1);
    if (bi === 0 && lo === 0) this.first = blocks.length === 0 ? Infinity : endKey((blocks[0] as TaskRt[])[0] as TaskRt);
  }

  /** The first block whose last task does not end before `t` (the last block if none). */
  private blockFor(t: TaskRt): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid] as TaskRt[];
      if (endsBefore(b[b.length - 1] as TaskRt, t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first place in block `b` (sorted by end) where `t` belongs: after every task ending before it. */
function lowerBound(b: readonly TaskRt[], t: TaskRt): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (endsBefore(b[mid] as TaskRt, t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
