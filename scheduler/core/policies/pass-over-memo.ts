// What an EASY backfill pass passed over at the end of its walk, kept for the next ones.
//
// Behind the head's reservation a backfill pass looks at up to backfillDepth jobs; in a
// congested queue most are passed over (pass.ts: their smallest ready task is larger than any
// free hole), and a pass over a job records nothing: not its reason, not a count. So when a
// walk reaches the first job of such a stretch again and nothing in the stretch can have
// changed, the rest of the walk (the stretch, until the depth runs out) would pass over the same
// jobs: it may end there. That is exact, not a heuristic: a pass that ends at the stretch leaves
// the state as the full walk would have (see PassRunner.visitJob and EasyPlanner.passOver).
//
// "Nothing can have changed" is checked against:
// - CoreState.planEpoch: priorities recalculated, holds, updates, node and partition state,
//   reconfiguration (anything that moves jobs in the walk order or changes what surelyPass says);
// - CoreState.consentVersion (surelyPass reads it);
// - CoreState.touched: every job whose queue membership or ready tasks changed since. None may
//   be in the stretch, and none queued may sort between its first and last job (the walk would
//   meet it there);
// - the free hole now: every job of the stretch still needs more cores than it.
// Before the stretch the walk is as it was: it counts the jobs it looked at (tested), and the
// stretch covers the depth left only if the walk reaches it having looked at as many or more.
import type { CoreState } from '../core-state.js';
import type { JobRt } from '../state.js';

export class PassOverMemo {
  // The stretch being recorded in this pass: the jobs passed over since the last visit.
  private readonly stretch: JobRt[] = [];
  private stretchFrom = 0;
  private stretchMin = Infinity;
  // The stretch kept from an earlier pass (first null when none); its jobs carry its tag.
  private first: JobRt | null = null;
  private last: JobRt | null = null;
  private tag = 0;
  /** Jobs looked at behind the head before its first job. */
  private from = 0;
  /** The smallest ready task of its jobs. */
  private minCores = 0;
  private epoch = 0;
  private consent = 0;
  /** Where this pass's entries start in the touch log. */
  private logFrom = 0;
  /** This pass's walk ended at the kept stretch. */
  private hit = false;
  /** Walks it ended (for tests: a differential test must know the memo took part). */
  hits = 0;
  /**
   * Where walks seldom meet a kept stretch intact (e.g. passes that start dozens of tasks each),
   * recording one costs more than it saves: after each stretch given up unused, the next
   * 2^misses backfill passes (up to 64) record none. One that is used resets this.
   */
  private used = false;
  private misses = 0;
  private skipFor = 0;
  /** This pass records its stretch. */
  private recording = false;

  constructor(private readonly s: CoreState) {}

  /** A backfill pass begins: the touch log covers it from here. */
  begin(): void {
    const s = this.s;
    // A kept stretch whose log overflowed can never be used: start over.
    if (this.first !== null && s.touchOverflow) this.giveUp();
    clear(this.stretch);
    this.stretchMin = Infinity;
    this.hit = false;
    if (this.skipFor > 0) this.skipFor--;
    this.recording = this.skipFor === 0;
    if (this.first === null) {
      clear(s.touched);
      s.touchOverflow = false;
    }
    s.touchOn = this.first !== null || this.recording;
    this.logFrom = s.touched.length;
  }

  /** The walk visited a job (it did not pass it over): the stretch starts again. */
  visited(): void {
    if (this.stretch.length > 0) {
      this.stretch.length = 0;
      this.stretchMin = Infinity;
    }
  }

  /**
   * The walk is about to pass over `job` with `tested` jobs looked at behind the head and free
   * holes of at most `above` cores: true when the kept stretch starts here and still holds, so
   * the walk may end (the depth would run out within the stretch).
   */
  endsHere(job: JobRt, tested: number, above: number): boolean {
    if (job !== this.first || tested < this.from) return false;
    const s = this.s;
    if (this.epoch !== s.planEpoch || this.consent !== s.consentVersion || s.touchOverflow || this.minCores <= above) return this.giveUp();
    const q = s.waiting;
    const log = s.touched;
    const first = this.first;
    const last = this.last as JobRt;
    for (let i = 0; i < log.length; i++) {
      const j = log[i] as JobRt;
      if (j.passTag === this.tag) return this.giveUp();
      if (!j.queued) continue;
      // Queued again mid-walk and not yet filed in its lane (no place to compare): assume within.
      if (j.laneCapped !== j.capped || (!q.sortsBefore(j, first) && q.sortsBefore(j, last))) return this.giveUp();
    }
    // Each job touched from now on is logged again; those logged so far are fine as they are.
    log.length = 0;
    this.hit = true;
    this.hits++;
    this.used = true;
    this.misses = 0;
    return true;
  }

  /** The walk passed over `job` with `tested` jobs looked at before it. */
  passedOver(job: JobRt, tested: number): void {
    if (!this.recording) return;
    if (this.stretch.length === 0) this.stretchFrom = tested;
    this.stretch.push(job);
    if (job.readyMinCores < this.stretchMin) this.stretchMin = job.readyMinCores;
  }

  /**
   * The pass ended; `depthOut`: its walk ended because the depth ran out (after the stretch, if
   * one was recorded). Such a stretch replaces the kept one; without a stretch the kept one stays.
   */
  end(depthOut: boolean): void {
    const s = this.s;
    // Ended at the kept stretch: it stays (what this pass passed over before it is not a stretch
    // that reached the depth by itself).
    if (this.hit) {
      this.hit = false;
      clear(this.stretch);
      return;
    }
    if (this.recording && depthOut && this.stretch.length > 0) {
      if (this.first !== null && !this.used) this.missed();
      this.used = false;
      const tag = ++this.tag;
      for (const j of this.stretch) j.passTag = tag;
      this.first = this.stretch[0] as JobRt;
      this.last = this.stretch[this.stretch.length - 1] as JobRt;
      this.from = this.stretchFrom;
      this.minCores = this.stretchMin;
      this.epoch = s.planEpoch;
      this.consent = s.consentVersion;
      // Its log starts with this pass (the jobs touched during it are checked too).
      if (this.logFrom > 0) s.touched.splice(0, this.logFrom);
      this.stretch.length = 0;
    }
    if (this.first === null) {
      s.touchOn = false;
      clear(s.touched);
      s.touchOverflow = false;
    }
  }

  /** No stretch kept (e.g. the queue ran empty): the core stops logging touches. */
  off(): void {
    this.drop();
    const s = this.s;
    s.touchOn = false;
    clear(s.touched);
    s.touchOverflow = false;
  }

  /** The kept stretch cannot be used: drop it, and if it never was, record less for a while. */
  private giveUp(): false {
    if (this.first !== null && !this.used) this.missed();
    return this.drop();
  }

  private missed(): void {
    this.misses = Math.min(this.misses + 1, 6);
    this.skipFor = 1 << this.misses;
  }

  private drop(): false {
    this.first = null;
    this.last = null;
    return false;
  }
}

/**
 * Empties a list. The length setter is a runtime call even on an empty list, and an idle pass
 * (an empty queue: most passes of a light load) cleared the empty touch log every time.
 */
function clear(list: unknown[]): void {
  if (list.length !== 0) list.length = 0;
}
