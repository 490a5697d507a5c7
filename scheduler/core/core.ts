// The scheduling core: a deterministic step machine. Events and the time they happened go
// in; decisions and "wake me at t" come out. No I/O, no clocks, no randomness: the simulator
// and the live scheduler drive this same class, and the same inputs give the same decisions.
//
// This class is a facade over the pipeline (README.md has the picture):
//   state        core-state.ts   collections, counters and the shared transitions
//   events       events.ts       events in, checked, applied to the state
//   filters      filters/        may this job start now? (a named reason when not)
//   policies     policies/       FCFS, EASY, conservative: one Planner interface
//   pass         pass.ts         time limits, priorities, the walk; records reasons
//   read model   read-model.ts   views, queue positions, reason counts
import { CoreState } from './core-state.js';
import { applyEvent } from './events.js';
import type { FairShareView } from './fairshare.js';
import { PassRunner, type PassReport } from './pass.js';
import { PLANNERS, type ReservationView } from './policies/index.js';
import { ReadModel, type EndedJobView, type JobFilter, type RunningTaskView } from './read-model.js';
import { restoreInto, snapshotOf, type CoreSnapshot } from './snapshot.js';
import { reservationViews } from './advance-reservations.js';
import type { AdvanceReservationView, ClusterConfig, ClusterView, ConsentStatus, CoreEvent, EventResult, JobView, Ms, NodeView, StepResult, TaskView } from './types.js';

export { MAX_NODE_REQUEUES } from './core-state.js';
export { PRIORITY_PERIOD_MS, type PassReport } from './pass.js';
export { BACKFILL_INTERVAL_MS } from './policies/index.js';
export type { EndedJobView, JobFilter, RunningTaskView } from './read-model.js';

export class SchedulerCore {
  /** The config in force (a reconfigure event replaces it). */
  config: ClusterConfig;
  private readonly s: CoreState;
  private readonly passes: PassRunner;
  private readonly read: ReadModel;

  constructor(config: ClusterConfig) {
    this.config = config;
    this.s = new CoreState(config);
    const planner = new PLANNERS[config.scheduler.policy](this.s);
    this.passes = new PassRunner(this.s, planner);
    this.read = new ReadModel(this.s, planner, this.passes);
  }

  /**
   * The whole state as plain data (snapshot.ts). A core built from the same config and given
   * it with `restore` decides exactly as this one would from here on.
   */
  snapshot(): CoreSnapshot {
    return snapshotOf(this, this.config);
  }

  /** Takes on a snapshot's state. Only for a fresh core (no event applied yet) of the same config. */
  restore(snap: CoreSnapshot): void {
    restoreInto(this, this.config, snap);
    this.s.recount(); // snapshots do not carry the running and task counts
  }

  /** Applies one event at `now`. Bad input is refused with a reason, never thrown. */
  apply(event: CoreEvent, now: Ms): EventResult {
    this.s.advance(now);
    this.s.changes++;
    const r = applyEvent(this.s, event);
    if (event.type === 'reconfigure' && r.ok) this.config = this.s.config;
    return r;
  }

  /** Applies each event, then runs one scheduling pass. */
  step(now: Ms, events: CoreEvent[]): StepResult & { results: EventResult[] } {
    const results = events.map((e) => this.apply(e, now));
    return { ...this.schedule(now), results };
  }

  /**
   * One pass at `now`: time limits, then placement under the configured policy. Time limits are
   * enforced up to `limitsAt` (default `now`): a live driver whose event loop was blocked passes
   * an earlier time, so that tasks whose reports sat unread meanwhile are not killed for the
   * scheduler's own silence. A deadline it defers does not wake the next pass; the caller does.
   */
  schedule(now: Ms, limitsAt: Ms = now): StepResult {
    this.s.advance(now);
    this.s.changes++;
    return this.passes.run(Math.min(limitsAt, this.s.now));
  }

  // ------------------------------------------------------------------ views (read-model.ts)

  job(id: number): JobView | undefined {
    return this.read.job(id);
  }

  /** A job's class, times and core-ms without its whole view (see ReadModel.endedJob). */
  endedJob(id: number): EndedJobView | undefined {
    return this.read.endedJob(id);
  }

  jobs(filter: JobFilter = {}): JobView[] {
    return this.read.jobs(filter);
  }

  /** Pending jobs in priority order. */
  queue(): JobView[] {
    return this.read.queue();
  }

  /** The first reservation of the last pass (EASY's head), or null. */
  reservation(): ReservationView | null {
    return this.read.reservation();
  }

  /** Every reservation of the last pass, in queue order (EASY: the head's; conservative: up to backfillDepth). */
  reservations(): ReservationView[] {
    return this.read.reservations();
  }

  /** The earliest time a pending task could start given what runs now (by time limits). */
  earliestStart(taskId: number): Ms | null {
    return this.read.earliestStart(taskId);
  }

  task(taskId: number): (TaskView & { jobId: number }) | undefined {
    return this.read.task(taskId);
  }

  runningTasks(): RunningTaskView[] {
    return this.read.runningTasks();
  }

  nodes(): NodeView[] {
    return this.read.nodes();
  }

  cluster(): ClusterView {
    return this.read.cluster();
  }

  /** How many pending jobs wait for each reason: the latest pass's counts, or with at most `exactUpTo` pending each job's own (see ReadModel). */
  pendingReasons(exactUpTo = 0): PassReport {
    return this.read.pendingReasons(exactUpTo);
  }

  /** Every QoS and account with limits: the limits, cores held and jobs per owner (none when unconfigured). */
  limitUsage(): ReturnType<CoreState['limits']['usage']> {
    return this.s.limits.usage();
  }

  /** Advance reservations, by start time. */
  advanceReservations(): AdvanceReservationView[] {
    return reservationViews(this.s);
  }

  fairshare(): FairShareView[] {
    return this.read.fairshare();
  }

  consentOf(pseudonym: string): ConsentStatus | null {
    return this.read.consentOf(pseudonym);
  }

  /** How many jobs and tasks the core holds in memory (the driver's cue to forget). */
  get size(): { jobs: number; tasks: number } {
    return this.read.size();
  }
}
