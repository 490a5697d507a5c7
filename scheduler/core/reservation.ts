// Start-time planning from running tasks' time limits: the EASY head reservation and the
// per-node availability profiles of conservative backfill. Pure arithmetic on explicit
// times, never a clock (as in flux-sched's planner).
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt, TaskRt } from './state.js';
import type { Ms } from './types.js';

/** When a running task is expected to end: its start plus its time limit, never before now. */
function endEstimate(startedAt: Ms, limit: Ms, now: Ms): Ms {
  return Math.max(now, startedAt + limit);
}

/** EASY: the earliest time some node of the partition (that `admit` allows) can host the task, and what it can spare then. */
export function reserveEarliest(part: PartitionRt, cores: number, memMb: number, now: Ms, admit?: (n: NodeRt) => boolean): Reservation | null {
  let best: Reservation | null = null;
  for (const n of part.nodes) {
    if (!n.up || n.drain || n.power !== 'on' || n.spec.cores < cores || n.spec.memMb < memMb) continue;
    if (admit !== undefined && !admit(n)) continue;
    let freeC = n.freeCores;
    let freeM = n.freeMem;
    let at = now;
    if (freeC < cores || freeM < memMb) {
      const e = n.ends.current(n.running);
      // Its first task to end ends no earlier than the best found so far: this node cannot beat it.
      if (best !== null && endEstimate(0, e.first, now) >= best.at) continue;
      // What the last planning on this node found holds while its tasks are the same and none
      // has run past its limit (no end estimate is then raised to now).
      const same = e.first > now && e.plannedAt === e.version && e.plannedCores === cores && e.plannedMem === memMb;
      if (same && e.reachAt >= 0) {
        at = e.reachAt;
        freeC = e.freeCores;
        freeM = e.freeMem;
      } else {
        if (same && best !== null && e.notBefore >= best.at) continue;
        // Its running tasks in order of expected end (kept in order as they start and stop),
        // taken instant by instant: everything ending at the same instant frees together.
        const blocks = e.blocks;
        let short = true;
        at = -1;
        /** No instant before this one can host the task (the walk stopped short there). */
        let low = Infinity;
        walk: for (let bi = 0; bi < blocks.length; bi++) {
          const b = blocks[bi] as TaskRt[];
          const kb = e.keys[bi] as number[];
          for (let i = 0; i < b.length; i++) {
            const t = b[i] as TaskRt;
            // (The block's end key is the task's start + limit: no read of those fields.)
            const end = endEstimate(0, kb[i] as number, now);
            if (end !== at) {
              // A new instant: enough was free at the last one, or this node cannot beat the best found so far.
              if (!short) break walk;
              if (best !== null && end >= best.at) {
                low = end;
                break walk;
              }
              at = end;
            }
            freeC += t.cores;
            freeM += t.memMb;
            if (freeC >= cores && freeM >= memMb) short = false;
          }
        }
        if (e.first > now) {
          e.plannedAt = e.version;
          e.plannedCores = cores;
          e.plannedMem = memMb;
          e.reachAt = short ? -1 : at;
          e.notBefore = low;
          e.freeCores = freeC;
          e.freeMem = freeM;
        }
        if (short) continue;
      }
    }
    if (best === null || at < best.at) {
      best = { node: n, at, extraCores: freeC - cores, extraMem: freeM - memMb };
      // Nothing starts before now: no later node can do better.
      if (at === now) break;
    }
  }
  return best;
}

/** A node's free cores and memory as a step function of time (conservative backfill). */
export class NodeProfile {
  private readonly t: Ms[];
  private readonly c: number[];
  private readonly m: number[];

  constructor(node: NodeRt, now: Ms) {
    this.t = [now];
    this.c = [node.freeCores];
    this.m = [node.freeMem];
    for (const task of node.running) {
      const end = endEstimate(task.startedAt, task.timeLimitMs, now);
      this.add(end, Infinity, task.cores, task.memMb);
    }
  }

  /** Earliest start ≥ the profile's origin where [start, start + dur) has room. */
  earliest(cores: number, memMb: number, dur: Ms): Ms | null {
    const { t, c, m } = this;
    let i = 0;
    while (i < t.length) {
      const start = t[i] as Ms;
      const end = start + dur;
      let j = i;
      let ok = true;
      while (j < t.length && (t[j] as Ms) < end) {
        if ((c[j] as number) < cores || (m[j] as number) < memMb) {
          ok = false;
          break;
        }
        j++;
      }
      if (ok) return start;
      i = j + 1;
    }
    return null;
  }

  /** Takes cores and memory over [start, start + dur). */
  reserve(start: Ms, dur: Ms, cores: number, memMb: number): void {
    this.add(start, start + dur, -cores, -memMb);
  }

  /** Adds dc/dm to every segment in [from, to). */
  private add(from: Ms, to: Ms, dc: number, dm: number): void {
    const a = this.split(from);
    const b = to === Infinity ? this.t.length : this.split(to);
    for (let i = a; i < b; i++) {
      this.c[i] = (this.c[i] as number) + dc;
      this.m[i] = (this.m[i] as number) + dm;
    }
  }

  /** Ensures a breakpoint at `at`; returns its index. */
  private split(at: Ms): number {
    const { t } = this;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((t[mid] as Ms) < at) lo = mid + 1;
      else hi = mid;
    }
    if (lo < t.length && t[lo] === at) return lo;
    const prev = Math.max(0, lo - 1);
    t.splice(lo, 0, at);
    this.c.splice(lo, 0, this.c[prev] as number);
    this.m.splice(lo, 0, this.m[prev] as number);
    return lo;
  }
}
