// QoS and account limits (Slurm's GrpTRES=cpu, MaxJobsPerUser / MaxJobs, MaxSubmitJobs,
// MaxWall) and the usage they are measured against, kept up to date by CoreState's
// transitions: cores held by running tasks, and per owner the jobs running and the jobs
// pending or running. An account's limits bind the accounts under it too, as Slurm's
// association hierarchy does. With no limit configured, `on` is false and nothing is counted.
import type { JobRt, TaskRt } from './state.js';
import type { AccountSpec, ClusterConfig, CoreRejection, Limits, Ms, PendingReason } from './types.js';

/** One QoS's or account's limits and its usage. */
export interface LimitUse {
  readonly name: string;
  /** A QoS (its reasons start QOS) or an account (Assoc). */
  readonly qos: boolean;
  readonly limits: Limits;
  /** Cores its running tasks hold. */
  cores: number;
  /** Per owner: jobs with a task running. */
  readonly running: Map<string, number>;
  /** Per owner: jobs pending or running. */
  readonly submitted: Map<string, number>;
}

const REASONS = {
  qos: { cpu: 'QOSGrpCpuLimit', jobs: 'QOSMaxJobsPerUserLimit', wall: 'QOSMaxWallDurationPerJobLimit' },
  assoc: { cpu: 'AssocGrpCpuLimit', jobs: 'AssocMaxJobsLimit', wall: 'AssocMaxWallDurationPerJobLimit' },
} as const satisfies Record<string, Record<string, PendingReason>>;

const NONE: readonly LimitUse[] = Object.freeze([]) as readonly LimitUse[];

function hasLimits(l: Limits | undefined): l is Limits {
  return l !== undefined && Object.values(l).some((v) => v !== undefined);
}

export class LimitBook {
  /** Whether any QoS or account has a limit. */
  readonly on: boolean;
  private readonly byQos = new Map<string, LimitUse>();
  /** An account's own limits and its ancestors', nearest first (only limited ones). */
  private readonly byAccount = new Map<string, readonly LimitUse[]>();

  constructor(config: ClusterConfig) {
    for (const q of config.qos) if (hasLimits(q.limits)) this.byQos.set(q.name, use(q.name, true, q.limits));
    const own = new Map<string, LimitUse>();
    for (const a of config.accounts) if (hasLimits(a.limits)) own.set(a.name, use(a.name, false, a.limits));
    const specs = new Map(config.accounts.map((a) => [a.name, a]));
    for (const a of config.accounts) {
      const chain: LimitUse[] = [];
      for (let cur: AccountSpec | undefined = a, steps = 0; cur !== undefined && steps < 64; cur = cur.parent === undefined ? undefined : specs.get(cur.parent), steps++) {
        const u = own.get(cur.name);
        if (u !== undefined) chain.push(u);
      }
      if (chain.length > 0) this.byAccount.set(a.name, chain);
    }
    this.on = this.byQos.size > 0 || own.size > 0;
  }

  /** Counts the usage of jobs already in the core (a reconfigure builds a new book). */
  recount(jobs: Iterable<JobRt>): void {
    if (!this.on) return;
    for (const job of jobs) {
      if (job.state !== 'PENDING' && job.state !== 'RUNNING') continue;
      this.submitted(job, 1);
      let first = true;
      for (const t of job.tasks) {
        if (t.state !== 'RUNNING') continue;
        this.running(job, t.cores, first ? 1 : 0);
        first = false;
      }
    }
  }

  /** The job's QoS limits (or undefined) and its account chain's. */
  private qosOf(job: JobRt): LimitUse | undefined {
    return this.byQos.get(job.qos.name);
  }

  private chainOf(job: JobRt): readonly LimitUse[] {
    return this.byAccount.get(job.account.name) ?? NONE;
  }

  /** A job entered (+1) or left (-1) the set of pending-or-running jobs. */
  submitted(job: JobRt, d: 1 | -1): void {
    const q = this.qosOf(job);
    if (q !== undefined) bump(q.submitted, job.owner, d);
    for (const u of this.chainOf(job)) bump(u.submitted, job.owner, d);
  }

  /** A task of `job` started (cores > 0) or stopped; `jobs` is +1/-1 when the job began or stopped running. */
  running(job: JobRt, cores: number, jobs: number): void {
    const q = this.qosOf(job);
    if (q !== undefined) {
      q.cores += cores;
      if (jobs !== 0) bump(q.running, job.owner, jobs);
    }
    for (const u of this.chainOf(job)) {
      u.cores += cores;
      if (jobs !== 0) bump(u.running, job.owner, jobs);
    }
  }

  /** A pending job moves to another QoS (update): its submitted count moves with it. */
  changeQos(job: JobRt, apply: () => void): void {
    this.submitted(job, -1);
    apply();
    this.submitted(job, 1);
  }

  /** Why task `t` of `job` may not start now because of a limit, or null. QoS limits first, as in Slurm. */
  reason(job: JobRt, t: TaskRt): PendingReason | null {
    const q = this.qosOf(job);
    if (q !== undefined) {
      const r = blocked(q, job, t);
      if (r !== null) return r;
    }
    const chain = this.chainOf(job);
    for (let i = 0; i < chain.length; i++) {
      const r = blocked(chain[i] as LimitUse, job, t);
      if (r !== null) return r;
    }
    return null;
  }

  /**
   * Refuses a submission that a limit forbids outright: more jobs than MaxSubmitJobs, a time
   * limit above MaxWall, or a task larger than GrpTRES (it could never start).
   */
  refusal(owner: string, qos: string, account: string, count: number, tasks: readonly { cores: number; timeLimitMs: Ms }[]): CoreRejection | null {
    const q = this.byQos.get(qos);
    const all = q === undefined ? (this.byAccount.get(account) ?? NONE) : [q, ...(this.byAccount.get(account) ?? NONE)];
    for (const u of all) {
      const what = u.qos ? `QoS ${u.name}` : `account ${u.name}`;
      const field = u.qos ? 'qos' : 'account';
      const l = u.limits;
      if (l.maxSubmitJobs !== undefined) {
        const has = u.submitted.get(owner) ?? 0;
        if (has + count > l.maxSubmitJobs) {
          return { code: 'LIMIT_EXCEEDED', field, message: `${what} allows ${l.maxSubmitJobs} pending or running jobs per user (MaxSubmitJobs); ${owner} has ${has} and this submission adds ${count}` };
        }
      }
      for (let i = 0; i < tasks.length; i++) {
        const t = tasks[i] as { cores: number; timeLimitMs: Ms };
        if (l.maxWallMs !== undefined && t.timeLimitMs > l.maxWallMs) {
          return { code: 'LIMIT_EXCEEDED', field: `tasks[${i}].timeLimitMs`, message: `tasks[${i}] has a time limit of ${duration(t.timeLimitMs)}, above the ${duration(l.maxWallMs)} that ${what} allows (MaxWall)` };
        }
        if (l.grpCores !== undefined && t.cores > l.grpCores) {
          return { code: 'LIMIT_EXCEEDED', field: `tasks[${i}].cores`, message: `tasks[${i}] needs ${t.cores} cores but ${what} lets its jobs hold at most ${l.grpCores} at once (GrpTRES=cpu): it could never start` };
        }
      }
    }
    return null;
  }

  /**
   * The time limit of a task that names none: the partition's default, capped by the MaxWall of
   * its QoS and accounts (as Slurm caps an unset limit by the QoS's).
   */
  defaultTime(qos: string, account: string, partitionDefault: Ms): Ms {
    let t = partitionDefault;
    const q = this.byQos.get(qos);
    if (q?.limits.maxWallMs !== undefined) t = Math.min(t, q.limits.maxWallMs);
    for (const u of this.byAccount.get(account) ?? NONE) if (u.limits.maxWallMs !== undefined) t = Math.min(t, u.limits.maxWallMs);
    return t;
  }

  /** Usage by QoS and account, for views and tests. */
  usage(): { name: string; qos: boolean; limits: Limits; cores: number; running: Record<string, number>; submitted: Record<string, number> }[] {
    const seen = new Set<LimitUse>([...this.byQos.values(), ...[...this.byAccount.values()].flat()]);
    return [...seen].map((u) => ({ name: u.name, qos: u.qos, limits: { ...u.limits }, cores: u.cores, running: Object.fromEntries(u.running), submitted: Object.fromEntries(u.submitted) }));
  }
}

function use(name: string, qos: boolean, limits: Limits): LimitUse {
  return { name, qos, limits, cores: 0, running: new Map(), submitted: new Map() };
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

function blocked(u: LimitUse, job: JobRt, t: TaskRt): PendingReason | null {
  const l = u.limits;
  const r = u.qos ? REASONS.qos : REASONS.assoc;
  if (l.maxWallMs !== undefined && t.timeLimitMs > l.maxWallMs) return r.wall;
  // A job already running may start its other tasks: the limit counts jobs, not tasks.
  if (l.maxJobsPerUser !== undefined && job.runningCount === 0 && (u.running.get(job.owner) ?? 0) >= l.maxJobsPerUser) return r.jobs;
  if (l.grpCores !== undefined && u.cores + t.cores > l.grpCores) return r.cpu;
  return null;
}

/** `4:00:00`, `1-12:00:00`: a time limit as Slurm prints one. */
export function duration(ms: Ms): string {
  const s = Math.ceil(ms / 1000);
  const d = Math.floor(s / 86_400);
  const hms = `${Math.floor((s % 86_400) / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return d > 0 ? `${d}-${hms.padStart(8, '0')}` : hms;
}
