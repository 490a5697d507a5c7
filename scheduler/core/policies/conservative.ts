// Conservative backfill: every blocked task, in queue order and up to `backfillDepth`, gets a
// reservation in per-node availability profiles; a task starts now only where its whole time
// limit fits without touching any earlier reservation.
import type { CoreState } from '../core-state.js';
import { NodeProfile } from '../reservation.js';
import type { JobRt, NodeRt, TaskRt } from '../state.js';
import type { Ms } from '../types.js';
import type { Next, Planner, ReservationView } from './planner.js';

export class ConservativePlanner implements Planner {
  private readonly depth: number;
  private readonly profiles = new Map<NodeRt, NodeProfile>();
  private reserved = 0;
  // The reservations of the latest pass, in queue order: parallel arrays reused from pass to pass.
  private readonly resTask: TaskRt[] = [];
  private readonly resNode: NodeRt[] = [];
  private readonly resAt: Ms[] = [];
  /** The task being placed, read by `fitsNow` (one bound function instead of a closure per task). */
  private placing: TaskRt | null = null;
  private readonly fitsNow = (n: NodeRt): boolean => {
    const t = this.placing as TaskRt;
    return this.profile(n).earliest(t.cores, t.memMb, t.timeLimitMs) === this.s.now && this.s.admits(n, t);
  };

  constructor(private readonly s: CoreState) {
    this.depth = s.config.scheduler.backfillDepth;
  }

  begin(): void {
    this.profiles.clear();
    this.reserved = 0;
    this.resTask.length = 0;
    this.resNode.length = 0;
    this.resAt.length = 0;
  }

  passOverAbove(): number {
    return Infinity;
  }

  passOver(): boolean {
    return true;
  }

  next(_job: JobRt): Next {
    return this.reserved >= this.depth ? 'stop' : 'visit';
  }

  place(job: JobRt): boolean {
    const s = this.s;
    s.rejectedBy = null;
    let i = 0;
    while (i < job.ready.length && this.reserved < this.depth) {
      const t = job.ready[i] as TaskRt;
      // The filter judged the first task; a limit may stop the job's later ones.
      const limited = s.limits.on && i + job.runningCount > 0 ? s.limits.reason(job, t) : null;
      if (limited !== null) {
        if (job.state === 'PENDING') job.reason = limited;
        break;
      }
      s.refreshFree(null);
      this.placing = t;
      const n = t.cores > s.maxFree ? null : s.pick(t, null, this.fitsNow);
      if (n !== null || (s.canPreempt(job) && s.preemptFor(t))) {
        if (n !== null) {
          this.profile(n).reserve(s.now, t.timeLimitMs, t.cores, t.memMb);
          s.start(t, n);
        } else this.profiles.clear(); // victims left: rebuild profiles from the new state
        continue; // the start took the task off job.ready
      }
      let best: NodeRt | null = null;
      let bestAt = 0;
      for (const c of job.partition.nodes) {
        if (!c.up || c.drain || c.power !== 'on' || c.spec.cores < t.cores || c.spec.memMb < t.memMb || !s.admits(c, t)) continue;
        const at = this.profile(c).earliest(t.cores, t.memMb, t.timeLimitMs);
        if (at !== null && (best === null || at < bestAt)) {
          best = c;
          bestAt = at;
        }
      }
      if (best !== null) {
        this.profile(best).reserve(bestAt, t.timeLimitMs, t.cores, t.memMb);
        this.resTask.push(t);
        this.resNode.push(best);
        this.resAt.push(bestAt);
      }
      job.reason = s.rejectedBy ?? (this.reserved === 0 ? 'Resources' : 'Priority');
      this.reserved++;
      i++;
    }
    return true;
  }

  end(): void {
    this.profiles.clear();
  }

  idle(): void {
    this.begin();
  }

  wakeAt(): Ms | null {
    return null;
  }

  reservations(): ReservationView[] {
    return this.resTask.map((t, i) => ({ taskId: t.id, jobId: t.job.id, node: (this.resNode[i] as NodeRt).spec.name, at: this.resAt[i] as Ms }));
  }

  private profile(n: NodeRt): NodeProfile {
    let p = this.profiles.get(n);
    if (!p) {
      p = new NodeProfile(n, this.s.now);
      this.profiles.set(n, p);
    }
    return p;
  }
}
