// FCFS and EASY backfill. Tasks start in queue order while they fit. FCFS stops at the first
// that does not; EASY gives that one a reservation (the earliest time a node can host it) and
// lets later tasks start now only if they do not delay it: they end before the reservation,
// or use a node other than the reserved one, or only what it can spare.
import type { CoreState } from '../core-state.js';
import type { Reservation } from '../placement.js';
import { FitMemo, OPEN, RESERVED } from '../fit-memo.js';
import { PassOverMemo } from './pass-over-memo.js';
import type { JobRt, TaskRt } from '../state.js';
import type { Ms } from '../types.js';
import type { Next, Planner, ReservationView } from './planner.js';

/** Default least time between EASY backfill passes (Slurm's bf_interval default). */
export const BACKFILL_INTERVAL_MS = 30_000;

export class EasyPlanner implements Planner {
  protected readonly interval: Ms;
  private readonly depth: number;
  private lastBackfill: Ms = -Infinity;
  /** Set when a pass stopped at a blocked task without backfilling: a backfill pass is owed. */
  private owed = false;
  private last: ReservationView | null = null;
  // What a pass carries from one job to the next.
  /** This pass starts tasks in order only (FCFS, or EASY between backfill intervals). */
  private inOrder = true;
  private reserved: Reservation | null = null;
  private head: TaskRt | null = null;
  /** In order: the head is stuck, nothing behind it may start. */
  private blocked = false;
  /** The smallest task found to have no preemption victims this pass: larger ones have none either. */
  private noVictimCores = Infinity;
  /** Jobs looked at behind the head (bounded by backfillDepth, like Slurm's bf_max_job_test). */
  private tested = 0;
  /** next() found no free core and nothing to preempt: place() only marks the head. */
  private full = false;
  /** Task shapes no node could take this pass (unused while node filters judge per task). */
  private readonly misfits = new FitMemo();
  /** The jobs the walk passed over at its end, kept for the next backfill passes. */
  private readonly passedOver: PassOverMemo;
  /** The latest passOverAbove (the pass passes over jobs that need more cores). */
  private above = Infinity;
  /** The walk ended because the backfill depth ran out. */
  private depthOut = false;

  constructor(protected readonly s: CoreState) {
    this.interval = s.config.scheduler.backfillIntervalMs ?? BACKFILL_INTERVAL_MS;
    this.depth = s.config.scheduler.backfillDepth;
    this.passedOver = new PassOverMemo(s);
  }

  /** Whether this pass backfills: at most every backfill interval (Slurm's main loop in between). */
  protected backfillDue(): boolean {
    if (this.s.now - this.lastBackfill < this.interval) return false;
    this.lastBackfill = this.s.now;
    return true;
  }

  begin(): void {
    this.inOrder = !this.backfillDue();
    this.reserved = null;
    this.head = null;
    this.blocked = false;
    this.noVictimCores = Infinity;
    this.tested = 0;
    this.full = false;
    this.misfits.clear();
    this.s.freeStale = true;
    this.depthOut = false;
    if (!this.inOrder) this.passedOver.begin();
  }

  next(_job: JobRt): Next {
    // Stop once nothing behind can start: the head is blocked in order, the backfill depth is
    // used up, or no core is free and no urgent work could preempt.
    if (this.blocked) return 'stop';
    if (this.tested >= this.depth) {
      this.depthOut = true;
      return 'stop';
    }
    if (!this.inOrder) this.passedOver.visited();
    const s = this.s;
    s.refreshFree(this.reserved?.node ?? null);
    this.full = s.maxFree === 0 && (s.urgentQueued === 0 || s.preemptibleRunning === 0);
    if (!this.full) return 'visit';
    // A full cluster: the first job that passes the filters is still the one waiting for Resources.
    return this.head === null ? 'last' : 'stop';
  }

  place(job: JobRt): boolean {
    const s = this.s;
    if (this.full) {
      this.head = job.ready[0] as TaskRt;
      job.reason = 'Resources';
      if (!this.inOrder) this.reserved = s.reserveEarliest(this.head);
      return false;
    }
    job.reason = this.reserved === null ? 'Resources' : 'Priority';
    if (this.reserved !== null) this.tested++;
    s.rejectedBy = null;
    // Behind the head, a job none of whose tasks fits the largest free hole (and that would not
    // preempt for any of them) starts nothing: the loop below would only find that out task by
    // task. (Unless a limit would speak first: the loop asks the limits from its second task on.)
    const limitsAsked = s.limits.on && (job.runningCount > 0 || job.ready.length > 1);
    if (this.reserved !== null && !limitsAsked && job.readyMinCores > s.maxFree && !(job.readyMinCores < this.noVictimCores && s.canPreempt(job))) {
      return true;
    }
    let k = 0;
    while (k < job.ready.length) {
      const t = job.ready[k] as TaskRt;
      // The filter judged the first task; a limit may stop the job's later ones.
      const limited = k + job.runningCount > 0 && s.limits.on ? s.limits.reason(job, t) : null;
      if (limited !== null) {
        if (job.state === 'PENDING') job.reason = limited;
        break;
      }
      // A start takes the task off job.ready, so k then points at the next one.
      if (this.tryStart(t, this.reserved)) continue;
      if (s.canPreempt(job) && t.cores < this.noVictimCores) {
        if (s.preemptFor(t)) continue;
        this.noVictimCores = t.cores;
      }
      if (this.inOrder) {
        this.blocked = true;
        this.head = t;
        job.reason = s.rejectedBy ?? 'Resources';
        return true;
      }
      if (this.reserved === null) {
        this.reserved = s.reserveEarliest(t);
        this.head = t;
        s.freeStale = true;
        job.reason = s.rejectedBy ?? 'Resources';
      }
      k++;
    }
    return true;
  }

  passOverAbove(): number {
    // Behind the head's reservation, place() starts nothing of a job whose smallest ready task
    // is larger than the largest free hole (when no limit is asked and it cannot preempt).
    this.above = this.passOverAboveNow();
    return this.above;
  }

  private passOverAboveNow(): number {
    if (this.reserved === null || this.blocked || this.s.limits.on) return Infinity;
    const s = this.s;
    s.refreshFree(this.reserved.node);
    // A full cluster: next() ends the walk at the next job; let it.
    if (s.maxFree === 0 && (s.urgentQueued === 0 || s.preemptibleRunning === 0)) return Infinity;
    return s.maxFree;
  }

  passOver(job: JobRt): boolean {
    if (this.tested >= this.depth) {
      this.depthOut = true;
      return false;
    }
    this.s.rejectedBy = null;
    // The rest of the depth would pass over what an earlier pass passed over: end the walk here.
    if (this.passedOver.endsHere(job, this.tested, this.above)) {
      this.tested = this.depth;
      return false;
    }
    this.passedOver.passedOver(job, this.tested);
    this.tested++;
    return true;
  }

  end(): void {
    if (!this.inOrder) this.passedOver.end(this.depthOut);
    this.owed = this.inOrder && this.blocked;
    this.last = null;
    const { reserved, head } = this;
    if (reserved !== null && head !== null) this.last = { taskId: head.id, jobId: head.job.id, node: reserved.node.spec.name, at: reserved.at };
  }

  /** A backfill pass cut short by the start cap: the next pass backfills too, not in order only. */
  cut(): void {
    if (!this.inOrder) this.lastBackfill = -Infinity;
  }

  idle(): void {
    this.passedOver.off();
    this.last = null;
    this.owed = false;
  }

  wakeAt(): Ms | null {
    // A skipped backfill is made up at the next interval even if no event comes first.
    return this.owed && this.s.waiting.size > 0 ? this.lastBackfill + this.interval : null;
  }

  reservations(): ReservationView[] {
    return this.last === null ? [] : [{ ...this.last }];
  }

  private tryStart(t: TaskRt, r: Reservation | null): boolean {
    const s = this.s;
    s.refreshFree(r?.node ?? null);
    if (t.cores > s.maxFree) return false;
    const endsBefore = r === null || s.now + t.timeLimitMs <= r.at;
    if (!endsBefore && r !== null && t.cores > Math.max(s.maxOther, r.extraCores)) return false;
    const kind = endsBefore ? OPEN : RESERVED;
    const memo = !s.nodeFiltersOn();
    if (memo && this.misfits.fails(t.job.partition, kind, t.cores, t.memMb, s.releases)) return false;
    const n = s.pick(t, endsBefore ? null : r);
    if (n === null) {
      if (memo) this.misfits.failed(t.job.partition, kind, t.cores, t.memMb, s.releases);
      return false;
    }
    if (!endsBefore && r !== null && n === r.node) {
      r.extraCores -= t.cores;
      r.extraMem -= t.memMb;
    }
    s.start(t, n);
    return true;
  }
}

/** First come, first served: EASY that never backfills. */
export class FcfsPlanner extends EasyPlanner {
  protected override backfillDue(): boolean {
    return false;
  }

  override wakeAt(): Ms | null {
    return null;
  }
}
