// One scheduling pass: time limits, priorities, then a walk of the queue in priority order.
// Each job the walk reaches is asked the job filters (filters/) and, if it passes them all,
// handed to the planner of the configured policy (policies/). The pass records, per pending
// job, the reason that stopped it and counts the reasons: the read model shows them.
import { nextReservationEdge } from './advance-reservations.js';
import type { CoreState } from './core-state.js';
import { runFilters, surelyPass } from './filters/index.js';
import type { Planner } from './policies/index.js';
import { REASON_CODE, REASON_LIST } from './reasons.js';
import { NEVER, shownTime, type JobRt } from './state.js';
import type { Decision, Ms, PendingReason, StepResult } from './types.js';

/** Default for how often priorities are recalculated (Slurm's PriorityCalcPeriod default). */
export const PRIORITY_PERIOD_MS = 300_000;

const NO_DECISIONS: Decision[] = Object.freeze([]) as unknown as Decision[];

/** What the latest pass found: when it ran, and how many pending jobs wait for each reason. */
export interface PassReport {
  /** The pass's number (1 for the first) and time; 0 and null before any. */
  pass: number;
  at: Ms | null;
  pendingJobs: number;
  reasons: Record<PendingReason, number>;
}

export class PassRunner {
  private lastPriority: Ms = -Infinity;
  private readonly priorityPeriod: Ms;
  /** Pending jobs the latest pass reached, by reason code (REASON_CODE). */
  private readonly counts = new Int32Array(REASON_LIST.length);
  private counted = 0;
  private pendingAtEnd = 0;
  /** When the latest pass ran, or NEVER: a number field, as null mixed with times past 2^31 ms
   * made every pass allocate a fresh number for it (see NEVER). */
  private at: Ms = NEVER;
  /** Jobs whose smallest ready task needs more cores than this may be passed over (Planner.passOverAbove). */
  private passOverAbove = Infinity;
  /** The walk's visitor, bound once: a closure per pass would do, one per job would not. */
  private readonly visit = (job: JobRt): boolean => this.visitJob(job);
  /** scheduler.maxStartsPerPass of the config in force (a reconfigure may change it), or Infinity. */
  private maxStarts = Infinity;
  /** Starts in this pass's outbox so far, counted up to `scanned` (each entry is looked at once). */
  private starts = 0;
  private scanned = 0;
  /** This pass stopped at the start cap: another is due at once. */
  private capped = false;

  constructor(
    private readonly s: CoreState,
    private readonly planner: Planner,
  ) {
    this.priorityPeriod = s.config.scheduler.priorityCalcPeriodMs ?? PRIORITY_PERIOD_MS;
  }

  /** One pass at the state's `now`: time limits (up to `limitsAt`), then placement under the planner. */
  run(limitsAt: Ms = this.s.now): StepResult {
    const s = this.s;
    s.pass++;
    this.at = s.now;
    // Most passes in a light load reach no pending job: nothing to clear then.
    if (this.counted > 0) {
      for (let i = 0; i < this.counts.length; i++) this.counts[i] = 0;
      this.counted = 0;
    }
    s.expireTimeLimits(limitsAt);
    s.expireConsentHolds();
    this.maxStarts = s.config.scheduler.maxStartsPerPass ?? Infinity;
    this.starts = 0;
    this.scanned = 0;
    this.capped = false;
    // An empty queue needs neither new priorities nor a walk (the common case in a light load).
    if (s.waiting.size > 0) {
      if (s.weighted && s.now - this.lastPriority >= this.priorityPeriod) {
        this.lastPriority = s.now;
        s.fs.rank(s.now);
        s.waiting.reprioritize(s.now);
        s.planEpoch++;
      }
      this.planner.begin();
      this.passOverAbove = this.planner.passOverAbove();
      s.waiting.walk(this.visit);
      s.waiting.compact();
      this.planner.end();
      if (this.capped) this.planner.cut?.();
    } else this.planner.idle();
    // Power saving decides after placement, so waiting work takes idle nodes before any is suspended.
    if (s.power !== null) s.power.step();
    this.pendingAtEnd = s.pendingJobs;
    // Most passes in a light load decide nothing: share one empty list rather than allocate.
    const decisions = s.outbox.length === 0 ? NO_DECISIONS : s.outbox.take();
    // A deadline not after now was deferred by the caller (limitsAt < now), who wakes the pass for it.
    const next = s.nextDeadline();
    const limit = next !== null && next <= s.now ? null : next;
    const hold = s.nextConsentHoldAt();
    const begin = s.nextBegin();
    const edge = s.resv.size === 0 ? null : nextReservationEdge(s);
    const power = s.power === null ? null : s.power.wakeAt();
    // Pairwise rather than a loop over a list of them: a list per pass was garbage every pass.
    const deadline = earlier(earlier(earlier(earlier(limit, hold), begin), edge), power);
    const planned = this.planner.wakeAt();
    // Stopped at the start cap: the rest of the walk is due now, in the next pass.
    const wakeAt = this.capped ? s.now : planned === null ? deadline : deadline === null ? planned : Math.min(deadline, planned);
    if (s.powerOut.length > 0) {
      const power = s.powerOut;
      s.powerOut = [];
      return { decisions, wakeAt, power };
    }
    return { decisions, wakeAt };
  }

  private visitJob(job: JobRt): boolean {
    if (this.maxStarts !== Infinity && this.startsSoFar() >= this.maxStarts) {
      this.capped = true;
      return false;
    }
    // A backfill pass looks at hundreds of jobs behind the head, most too large for any free
    // hole: pass such a job over in a few field reads. Its filters let it through, so its view
    // says Priority (read-model.ts), as a visit would have recorded.
    if (job.readyMinCores > this.passOverAbove && surelyPass(job, this.s) && !this.s.canPreempt(job)) return this.planner.passOver(job);
    const next = this.planner.next(job);
    if (next === 'stop') return false;
    const reason = runFilters(job, this.s);
    let go = next === 'visit';
    if (reason !== null) job.reason = reason;
    else if (!this.planner.place(job)) go = false;
    job.reasonPass = this.s.pass;
    if (job.state === 'PENDING') {
      const c = REASON_CODE[job.reason];
      this.counts[c] = (this.counts[c] as number) + 1;
      this.counted++;
    }
    if (go) this.passOverAbove = this.planner.passOverAbove();
    return go;
  }

  /** Task starts this pass has decided so far (starts are decided in passes only). */
  private startsSoFar(): number {
    const out = this.s.outbox;
    for (; this.scanned < out.length; this.scanned++) if (out.at(this.scanned).type === 'start') this.starts++;
    return this.starts;
  }

  /** What the latest pass found; jobs it did not reach wait for Priority. */
  report(): PassReport {
    const reasons = {} as Record<PendingReason, number>;
    for (let i = 0; i < REASON_LIST.length; i++) reasons[REASON_LIST[i] as PendingReason] = this.counts[i] as number;
    reasons.Priority += Math.max(0, this.pendingAtEnd - this.counted);
    return { pass: this.s.pass, at: shownTime(this.at), pendingJobs: this.pendingAtEnd, reasons };
  }
}

/** The earlier of two times, either of which may be absent (null). */
function earlier(a: Ms | null, b: Ms | null): Ms | null {
  return a === null ? b : b === null || a <= b ? a : b;
}
