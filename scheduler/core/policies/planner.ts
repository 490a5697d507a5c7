// The planner interface: what a scheduling policy decides within a pass. The pass (pass.ts)
// walks the queue in priority order, asks the job filters, and records each job's reason; the
// planner decides, for the jobs that passed the filters, which tasks start now, which get a
// reservation, and when the walk ends.
import type { JobRt } from '../state.js';
import type { Ms } from '../types.js';

/**
 * Before the filters, whether the walk should look at this job: `visit` (filter it, then
 * `place` it), `last` (the same, then end the walk) or `stop` (end the walk here; this job
 * and the rest wait for Priority).
 */
export type Next = 'visit' | 'last' | 'stop';

/** A reservation a pass made: the task is planned to start on `node` at `at`. */
export interface ReservationView {
  taskId: number;
  jobId: number;
  node: string;
  at: Ms;
}

export interface Planner {
  /** A pass starts (the queue is not empty). */
  begin(): void;
  next(job: JobRt): Next;
  /**
   * The job passed every filter: start what fits now, plan what does not, and set
   * `job.reason` for what is left waiting (Resources or Priority, or a node filter's reason).
   * False ends the walk after this job.
   */
  place(job: JobRt): boolean;
  /**
   * Cores above which a job may be passed over without a visit: the pass counts such a job as
   * looked at and waiting for Priority, exactly as `next` + `place` would have, when its
   * smallest ready task needs more, every filter surely lets it through and it could not
   * preempt. Infinity when none may be (asked again after every visit).
   */
  passOverAbove(): number;
  /** A job was passed over (see passOverAbove). False ends the walk before it, as `next` 'stop'. */
  passOver(job: JobRt): boolean;
  /** The walk ended. */
  end(): void;
  /**
   * The walk was cut short by the per-pass start cap (scheduler.maxStartsPerPass) before it
   * reached every job it would have: the next pass, right after, takes up where it stopped.
   */
  cut?(): void;
  /** A pass found the queue empty. */
  idle(): void;
  /** When this planner wants a pass even if no event comes (EASY's owed backfill), or null. */
  wakeAt(): Ms | null;
  /** The reservations the last pass made, in queue order (EASY: the head's only). */
  reservations(): ReservationView[];
}
