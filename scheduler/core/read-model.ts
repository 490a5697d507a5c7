// The read model: read-only snapshots of the core's state for the API, CLI and simulator. It
// shows what the latest pass recorded (a pending job's reason) and never decides anything.
import type { CoreState } from './core-state.js';
import { runFilters } from './filters/index.js';
import type { FairShareView } from './fairshare.js';
import type { PassReport, PassRunner } from './pass.js';
import type { Planner, ReservationView } from './policies/index.js';
import { REASON_LIST } from './reasons.js';
import { NEVER, shownTime, type JobRt } from './state.js';
import type { ClusterView, ConsentStatus, JobState, JobView, Ms, NodeView, PendingReason, TaskView } from './types.js';
import { clusterView, jobView, nodeView, taskView } from './views.js';

export interface RunningTaskView {
  taskId: number;
  jobId: number;
  node: string;
  cores: number;
  memMb: number;
  startedAt: Ms;
  timeLimitMs: Ms;
  durationMs: Ms | null;
  kernel: string | null;
  /** How many times this task has been started; distinguishes a stale report from a current one. */
  starts: number;
}

/** What a job's end means to the driver's observers (metrics, consent audit): read without its whole view. */
export interface EndedJobView {
  class: string | null;
  state: JobState;
  endReason: JobView['endReason'];
  submittedAt: Ms;
  endedAt: Ms | null;
  /** Core-ms its tasks' last attempts held (cores × (end − start)), over tasks that started and ended. */
  coreMs: number;
}

export interface JobFilter {
  states?: JobState[];
  account?: string;
  partition?: string;
  owner?: string;
}

export class ReadModel {
  private positionCache: Map<number, number> | null = null;
  private cachedAt = -1;

  constructor(
    private readonly s: CoreState,
    private readonly planner: Planner,
    private readonly passes: PassRunner,
  ) {}

  job(id: number): JobView | undefined {
    const job = this.s.byId.get(id);
    if (!job) return undefined;
    return this.viewOf(job, job.state === 'PENDING' ? (this.positions().get(job.id) ?? null) : null);
  }

  /**
   * A job's class, times and core-ms, as job() would show them: no task views, priority or
   * reason, which a job that just ended (one per job, in every pass that ends one) does not need.
   */
  endedJob(id: number): EndedJobView | undefined {
    const job = this.s.byId.get(id);
    if (!job) return undefined;
    let coreMs = 0;
    for (const t of job.tasks) if (t.startedAt !== NEVER && t.endedAt !== NEVER) coreMs += t.cores * (t.endedAt - t.startedAt);
    return { class: job.cls, state: job.state, endReason: job.endReason, submittedAt: job.submittedAt, endedAt: shownTime(job.endedAt), coreMs };
  }

  jobs(filter: JobFilter = {}): JobView[] {
    const pos = this.positions();
    const out: JobView[] = [];
    for (const job of this.s.byId.values()) {
      if (filter.states && !filter.states.includes(job.state)) continue;
      if (filter.account !== undefined && job.account.name !== filter.account) continue;
      if (filter.partition !== undefined && job.partition.spec.name !== filter.partition) continue;
      if (filter.owner !== undefined && job.owner !== filter.owner) continue;
      out.push(this.viewOf(job, pos.get(job.id) ?? null));
    }
    return out;
  }

  /** Pending jobs in priority order. */
  queue(): JobView[] {
    return this.pendingInOrder().map((j, i) => this.viewOf(j, i + 1));
  }

  /** The first reservation of the last pass (EASY's head), or null. */
  reservation(): ReservationView | null {
    return this.planner.reservations()[0] ?? null;
  }

  /** Every reservation of the last pass, in queue order (EASY: the head's; conservative: up to backfillDepth). */
  reservations(): ReservationView[] {
    return this.planner.reservations();
  }

  /** The earliest time a pending task could start given what runs now (by time limits). */
  earliestStart(taskId: number): Ms | null {
    const t = this.s.tasks.get(taskId);
    if (!t || t.state !== 'PENDING') return null;
    return this.s.reserveEarliest(t)?.at ?? null;
  }

  task(taskId: number): (TaskView & { jobId: number }) | undefined {
    const t = this.s.tasks.get(taskId);
    return t ? { ...taskView(t), jobId: t.job.id } : undefined;
  }

  runningTasks(): RunningTaskView[] {
    const out: RunningTaskView[] = [];
    for (const n of this.s.nodeList) {
      for (const t of n.running) {
        out.push({
          taskId: t.id,
          jobId: t.job.id,
          node: n.spec.name,
          cores: t.cores,
          memMb: t.memMb,
          startedAt: t.startedAt,
          timeLimitMs: t.timeLimitMs,
          durationMs: t.durationMs,
          kernel: t.kernel,
          starts: t.starts,
        });
      }
    }
    return out;
  }

  nodes(): NodeView[] {
    return this.s.nodeList.map(nodeView);
  }

  cluster(): ClusterView {
    const s = this.s;
    return clusterView(s.config.name, s.containers, s.nodeList, { pendingJobs: s.pendingJobs, runningJobs: s.runningJobs, pendingTasks: s.pendingTasks, runningTasks: s.runningTasks });
  }

  /**
   * How many pending jobs wait for each reason (for /metrics and `gsched stats`). The latest
   * pass's own counts cost nothing, but a pass stops walking the queue once nothing more can
   * start, and counts the jobs behind as Priority, held ones too. With at most `exactUpTo`
   * pending jobs, each is counted by its reason as `queue` shows it (reasonOf: a held job
   * behind the walk says JobHeldUser), at O(pending) per call.
   */
  pendingReasons(exactUpTo = 0): PassReport {
    const report = this.passes.report();
    const pending = this.s.pendingJobs;
    if (pending === 0 || pending > exactUpTo) return report;
    const reasons = {} as Record<PendingReason, number>;
    for (const r of REASON_LIST) reasons[r] = 0;
    for (const job of this.s.waiting.all()) if (job.state === 'PENDING') reasons[this.reasonOf(job)]++;
    return { ...report, pendingJobs: pending, reasons };
  }

  fairshare(): FairShareView[] {
    this.s.fs.rank(this.s.now);
    return this.s.fs.view();
  }

  consentOf(pseudonym: string): ConsentStatus | null {
    return this.s.consent.get(pseudonym) ?? null;
  }

  /** How many jobs and tasks the core holds in memory (the driver's cue to forget). */
  size(): { jobs: number; tasks: number } {
    return { jobs: this.s.byId.size, tasks: this.s.tasks.size };
  }

  /**
   * A job's reason as the latest pass recorded it. For one the pass did not reach, its own
   * filters speak first (a held job, or one whose dependency is unmet, says so, as in Slurm),
   * else it waits for Priority. Filters decide nothing (the consent filter only memoises its
   * answer until consent changes), so asking them here changes no decision.
   * The pass's per-reason counts (pass.ts) count only what the pass recorded.
   */
  reasonOf(job: JobRt): PendingReason {
    if (job.state !== 'PENDING') return 'None';
    if (job.reasonPass === this.s.pass) return job.reason;
    return runFilters(job, this.s) ?? 'Priority';
  }

  private pendingInOrder(): JobRt[] {
    return this.s.waiting.all().filter((j) => j.state === 'PENDING');
  }

  /** Queue positions, computed once per state change (views may be asked for often). */
  private positions(): Map<number, number> {
    if (this.positionCache === null || this.cachedAt !== this.s.changes) {
      this.positionCache = new Map(this.pendingInOrder().map((j, i) => [j.id, i + 1]));
      this.cachedAt = this.s.changes;
    }
    return this.positionCache;
  }

  private viewOf(job: JobRt, position: number | null): JobView {
    return jobView(job, this.reasonOf(job), job.state === 'PENDING' ? position : null, this.s.priorityOf(job));
  }
}
