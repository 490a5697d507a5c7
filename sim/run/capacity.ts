// Capacity: the highest sustained rate (analyses/day) the cluster keeps up with. A rate passes
// when, over `analyses` analyses arriving at that mean rate,
//   - the p95 turnaround of urgent clinical analyses (QoS `urgent`) is ≤ targetHours, and
//   - the p95 turnaround of all analyses is ≤ allTargetHours.
// The second condition is what "sustained" means: urgent work outranks and preempts the rest,
// so its turnaround alone stays short long after the backlog of everything else grows without
// bound. Search: start at the modelled rate, double (or halve) until the verdict flips, bisect.
// A probe stops as soon as its verdict is certain (enough analyses are already late), which
// keeps overloaded probes, whose queues make every pass slow, short.
// A finite run can hide overload: if all `analyses` arrive within a few days, even a rate far
// above capacity finishes its backlog within the bound. A pass therefore only counts when the
// arrivals span at least SPAN_FACTOR × allTargetHours; a shorter passing probe ends the search
// with `inconclusive` set (run more analyses).
import type { Ms } from '../../scheduler/core/index.js';
import type { EndedJob, SimObserver, Submission } from '../engine/index.js';
import { SimOptionError } from '../errors.js';
import { checkAnalyses, ngcSubmissions, runNgc, URGENT_QOS, type NgcRunOptions, type NgcRunResult } from './ngc.js';

/** The centre's planned mean rate: 60,000 analyses over 4.5 years (≈ 36.5 a day). */
export const MODELLED_PER_DAY = 60_000 / (4.5 * 365.25);

/** The slowest rate the search tries: `analyses` spread over this many years. */
export const MAX_SPAN_YEARS = 50;

/** A passing probe is conclusive when its arrivals span at least this many all-analyses bounds. */
export const SPAN_FACTOR = 4;

/** Default bound on the p95 turnaround of all analyses: one week. */
export const DEFAULT_ALL_TARGET_HOURS = 168;

const HOUR: Ms = 3_600_000;

export interface CapacityOptions extends Omit<NgcRunOptions, 'scenario' | 'perDay' | 'stopWhen' | 'observer'> {
  /** p95 turnaround of urgent analyses must stay ≤ this many hours. */
  targetHours: number;
  /** p95 turnaround of all analyses must stay ≤ this many hours (default 168). */
  allTargetHours?: number;
  /** First rate tried (analyses/day); default MODELLED_PER_DAY. */
  startPerDay?: number;
  /** Stop when the bracket is this tight, relative (default 0.02). */
  tolerance?: number;
  /** Most simulations run (default 16). */
  maxRuns?: number;
  onProbe?: (p: CapacityProbe) => void;
}

export interface CapacityProbe {
  perDay: number;
  ok: boolean;
  /** p95 turnarounds in hours over the analyses that ended (null: none ended). */
  urgentP95H: number | null;
  allP95H: number | null;
  /** The probe stopped early because it could no longer pass. */
  stoppedEarly: boolean;
  /** Days over which the analyses arrive (analyses / perDay). */
  spanDays: number;
  wallS: number;
}

export interface CapacityResult {
  /** Highest rate that passed (0 when none did). */
  perDay: number;
  /** Lowest rate that failed (null when none failed within the run limit). */
  failedAtPerDay: number | null;
  targetHours: number;
  allTargetHours: number;
  probes: CapacityProbe[];
  /** The run at `perDay` (null when no rate passed). */
  best: NgcRunResult | null;
  /**
   * The search stopped at a passing rate whose arrivals spanned too short a time to show
   * overload: the capacity is at least `perDay`, maybe much more. Run with more analyses.
   */
  inconclusive: boolean;
}

/** How many of `n` values may exceed a bound before the nearest-rank p95 does. */
export function p95Allowance(n: number): number {
  return n - Math.ceil(0.95 * n) + 1;
}

/** Counts analyses that are, or certainly will be, later than a bound. */
class LatenessWatch implements SimObserver {
  /** Open jobs in submission order (a Map iterates in insertion order). */
  private readonly open = new Map<number, { at: Ms; urgent: boolean }>();
  private lateUrgent = 0;
  private lateAll = 0;

  constructor(
    private readonly urgentBound: Ms,
    private readonly allBound: Ms,
    private readonly urgentAllowance: number,
    private readonly allAllowance: number,
  ) {}

  onSubmitted(ids: number[], item: Submission, now: Ms): void {
    const urgent = item.job.qos === URGENT_QOS;
    for (const id of ids) this.open.set(id, { at: now, urgent });
  }

  onJobEnded(job: EndedJob): void {
    const o = this.open.get(job.id);
    if (!o) return;
    this.open.delete(job.id);
    const turnaround = job.endedAt - job.submittedAt;
    if (o.urgent && turnaround > this.urgentBound) this.lateUrgent++;
    if (turnaround > this.allBound) this.lateAll++;
  }

  /**
   * The verdict at the end of a run: jobs still open then (e.g. held for consent, which no rate
   * changes) count as late, but a handful of them cannot sink a p95 over thousands.
   */
  passedAtEnd(): boolean {
    let openUrgent = 0;
    for (const o of this.open.values()) if (o.urgent) openUrgent++;
    return this.lateUrgent + openUrgent < this.urgentAllowance && this.lateAll + this.open.size < this.allAllowance;
  }

  /** True once enough analyses are late (ended late, or still open past the bound) to fail a p95. */
  lost(now: Ms): boolean {
    let u = this.lateUrgent;
    let a = this.lateAll;
    const youngest = Math.min(this.urgentBound, this.allBound);
    for (const o of this.open.values()) {
      if (u >= this.urgentAllowance || a >= this.allAllowance) return true;
      const age = now - o.at;
      if (age <= youngest) break; // the rest were submitted later still
      if (o.urgent && age > this.urgentBound) u++;
      if (age > this.allBound) a++;
    }
    return u >= this.urgentAllowance || a >= this.allAllowance;
  }
}

export function findCapacity(opts: CapacityOptions): CapacityResult {
  checkAnalyses(opts.analyses);
  const { targetHours, allTargetHours = DEFAULT_ALL_TARGET_HOURS, startPerDay, tolerance = 0.02, maxRuns = 16, onProbe, ...base } = opts;
  if (!(targetHours > 0) || !Number.isFinite(targetHours)) throw new SimOptionError('targetHours', targetHours, 'a positive number of hours');
  if (!(allTargetHours > 0) || !Number.isFinite(allTargetHours)) throw new SimOptionError('allTargetHours', allTargetHours, 'a positive number of hours');
  const probes: CapacityProbe[] = [];
  let best: NgcRunResult | null = null;

  const probe = (perDay: number): boolean => {
    // The verdict needs the number of urgent analyses up front: the model is lazy and cheap, count them.
    let urgentTotal = 0;
    for (const item of ngcSubmissions({ ...base, scenario: 'steady', perDay })) if (item.job.qos === URGENT_QOS) urgentTotal++;
    const watch = new LatenessWatch(
      targetHours * HOUR,
      allTargetHours * HOUR,
      urgentTotal > 0 ? p95Allowance(urgentTotal) : Infinity,
      p95Allowance(base.analyses),
    );
    const r = runNgc({ ...base, scenario: 'steady', perDay, observer: watch, stopWhen: (p) => watch.lost(p.now) });
    const all = r.metrics.turnaround.count > 0 ? r.metrics.turnaround.p95 / 3600 : null;
    // Late counts against p95 allowances: the same test as comparing each p95 with its bound.
    const ok = !r.outcome.stopped && watch.passedAtEnd();
    const spanDays = base.analyses / perDay;
    const p: CapacityProbe = { perDay, ok, urgentP95H: r.urgentP95H, allP95H: all, stoppedEarly: r.outcome.stopped, spanDays, wallS: r.wallS };
    probes.push(p);
    onProbe?.(p);
    // The bracket only moves up on a pass, so each pass is the best so far.
    if (ok) best = r;
    return ok;
  };

  const tooShort = (perDay: number): boolean => base.analyses / perDay < (SPAN_FACTOR * allTargetHours) / 24;
  let lo = 0;
  let hi: number | null = null;
  let rate = startPerDay ?? MODELLED_PER_DAY;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new SimOptionError('startPerDay', rate, 'a positive number of analyses per day');
  if (probe(rate)) {
    lo = rate;
    while (probes.length < maxRuns && !tooShort(lo)) {
      rate *= 2;
      if (probe(rate)) lo = rate;
      else {
        hi = rate;
        break;
      }
    }
  } else {
    hi = rate;
    // Halve, but not past one run spanning MAX_SPAN_YEARS: below that the answer is "none".
    while (probes.length < maxRuns && lo === 0 && base.analyses / (rate / 2) <= MAX_SPAN_YEARS * 365.25) {
      rate /= 2;
      if (probe(rate)) lo = rate;
      else hi = rate;
    }
  }
  while (hi !== null && lo > 0 && probes.length < maxRuns && (hi - lo) / lo > tolerance && !tooShort(lo)) {
    const mid = (lo + hi) / 2;
    if (probe(mid)) lo = mid;
    else hi = mid;
  }
  return { perDay: lo, failedAtPerDay: hi, targetHours, allTargetHours, probes, best, inconclusive: lo > 0 && tooShort(lo) };
}
