// The vocabulary of the scheduling core. Plain data only: no classes with I/O, no clocks.
// Time is integer milliseconds on whatever clock the driver runs (virtual in sim/, wall in live).
import type { ConsentStatus, JobState, Policy, Purpose, TaskState } from './vocabulary.js';

export type { ConsentStatus, JobState, Policy, Purpose, TaskState } from './vocabulary.js';

export type Ms = number;

// ---------------------------------------------------------------- cluster

export type Cooling = 'warm-water' | 'air';

/** A kind of node: its size and its power model. */
export interface NodeKind {
  name: string;
  cores: number;
  memMb: number;
  /** Watts drawn with no core busy. */
  idleWatts: number;
  /** Watts drawn with every core busy; draw is linear in busy cores in between. */
  busyWatts: number;
}

export interface NodeSpec {
  name: string;
  container: string;
  kind: string;
  cores: number;
  memMb: number;
  cooling: Cooling;
  idleWatts: number;
  busyWatts: number;
}

export interface PartitionSpec {
  name: string;
  /** Containers whose nodes belong to this partition; empty means all. */
  containers: string[];
  /** Priority tier factor in [0, 1], weighted by `weights.partition`. */
  priorityFactor: number;
  /** Longest time limit a task may ask for here. */
  maxTimeMs: Ms;
  /** Time limit given to tasks that name none. */
  defaultTimeMs: Ms;
  /** Tasks running here may be preempted (requeued) by urgent clinical work. */
  preemptible: boolean;
  /** `research`: every job here is research, whatever it declares (the consent gate follows it). */
  purpose?: Purpose;
  /** Slurm's AllowAccounts: only these accounts (or accounts under them) may submit here; absent: all. */
  allowAccounts?: string[];
  /** Slurm's AllowQos: only these QoS may be used here; absent: all. */
  allowQos?: string[];
}

/**
 * Slurm's QoS and association limits, each optional (absent: no limit). Per user means per
 * job owner. Running limits make jobs wait with a named reason; submit limits refuse.
 */
export interface Limits {
  /** GrpTRES=cpu: cores its running tasks may hold at once, all users together. */
  grpCores?: number;
  /** MaxJobsPerUser (QoS) / MaxJobs (account): jobs of one owner running at once. */
  maxJobsPerUser?: number;
  /** MaxSubmitJobsPerUser / MaxSubmitJobs: jobs of one owner pending or running; more are refused. */
  maxSubmitJobs?: number;
  /** MaxWall: the longest time limit a task may have; longer is refused at submit. */
  maxWallMs?: Ms;
}

export interface QosSpec {
  name: string;
  /** Priority factor in [0, 1], weighted by `weights.qos`. */
  priorityFactor: number;
  /** Pending tasks of this QoS may preempt tasks in preemptible partitions. */
  canPreempt: boolean;
  limits?: Limits;
}

/** One node of the account tree (region → hospital → department). */
export interface AccountSpec {
  name: string;
  /** Parent account name; absent for a child of the root. */
  parent?: string;
  /** Fair-share shares relative to its siblings. */
  shares: number;
  /** `research`: jobs on it (and on the accounts under it) are research. */
  purpose?: Purpose;
  /** QoS it may use; absent: its parent's list, and all QoS at the root. */
  qos?: string[];
  /** Partitions it may use; absent: its parent's list, and all partitions at the root. */
  partitions?: string[];
  /** Limits on its jobs and, as in Slurm's hierarchy, on those of the accounts under it. */
  limits?: Limits;
}

/** The consent gate's settings (see the README's consent rules). */
export interface ConsentConfig {
  /** Kernels that read patient data: a job running one must name the pseudonyms it reads. */
  dataKernels: string[];
  /** Analysis classes that read patient data, likewise. */
  dataClasses: string[];
  /** How long a job may be held for consent before it is cancelled (ConsentWithdrawn); default 7 days. */
  holdLimitMs: Ms;
}

export interface PriorityWeights {
  age: number;
  fairshare: number;
  qos: number;
  partition: number;
  size: number;
  /** Age at which the age factor reaches 1 (Slurm's PriorityMaxAge). */
  maxAgeMs: Ms;
  /** Half-life of recorded usage for fair-share (Slurm's PriorityDecayHalfLife). */
  usageHalfLifeMs: Ms;
}


export interface SchedulerConfig {
  policy: Policy;
  weights: PriorityWeights;
  /**
   * How far a pass looks past the first blocked task (Slurm's bf_max_job_test): EASY tests at
   * most this many backfill candidates that could fit, conservative makes at most this many
   * reservations.
   */
  backfillDepth: number;
  /** Whether urgent clinical work may preempt research tasks. */
  preemption: boolean;
  /** How often queue priorities are recalculated (Slurm's PriorityCalcPeriod); default 5 minutes. */
  priorityCalcPeriodMs?: Ms;
  /**
   * EASY: the least time between two backfill passes (Slurm's bf_interval); default 30 s. Passes
   * in between start tasks in queue order and stop at the first that does not fit, which is
   * what keeps a pass per event cheap with tens of thousands waiting. 0 backfills every pass.
   */
  backfillIntervalMs?: Ms;
  /**
   * Slurm's OverTimeLimit: how long a task may run past its time limit before it is killed;
   * default 0. Backfill plans with the limit itself. A live cluster on a compressed clock
   * (`--time-scale`) needs it to absorb wall-time delays in reporting that the scale magnifies.
   */
  overTimeLimitMs?: Ms;
  /**
   * At most this many task starts per pass (Slurm's sched_max_job_start): the walk stops once
   * it has started this many, and the pass asks to run again at once (wakeAt = now) for the
   * rest. A burst of thousands (an array of 1,000) then goes out in chunks that agents answer
   * at once, instead of one pass and one message holding them all. The check is made before
   * each job, so a job's own tasks always start together. Absent: no cap.
   */
  maxStartsPerPass?: number;
}

/**
 * Power saving, as Slurm's power_save does (README: Power saving). Absent: every node stays
 * on, and the core decides exactly as it did without it.
 */
export interface PowerSaveConfig {
  /** Slurm's SuspendTime: a node idle this long is suspended. */
  suspendTimeMs: Ms;
  /**
   * Slurm's ResumeTimeout: a resumed node that has not reported itself up this long after the
   * resume is marked DOWN.
   */
  resumeTimeoutMs: Ms;
  /**
   * The modelled time a node takes to boot after a resume. The core never reads it: the
   * simulator and the node agents hold a resumed node this long before reporting it up.
   */
  resumeDelayMs: Ms;
  /** Slurm's SuspendExcNodes: nodes that are never suspended. */
  suspendExcNodes: string[];
  /**
   * Cores kept idle and awake for urgent work: whole idle nodes, the most preferred first
   * (warm water). Nodes are suspended only beyond it, and resumed to restore it when work takes it.
   */
  reserveCores: number;
  /** Watts a suspended node draws (its management controller). */
  suspendedWatts: number;
  /** Watts a node draws while it boots; absent: its busy watts. */
  resumeWatts?: number;
}

export interface ClusterConfig {
  name: string;
  nodes: NodeSpec[];
  partitions: PartitionSpec[];
  qos: QosSpec[];
  accounts: AccountSpec[];
  scheduler: SchedulerConfig;
  /** Absent: the defaults (DEFAULT_CONSENT in config.ts). */
  consent?: ConsentConfig;
  /** Absent: no power saving. */
  powerSave?: PowerSaveConfig;
}

// ---------------------------------------------------------------- jobs


/**
 * Slurm's dependency kinds: `after` (the other job started or ended), `afterany` (it ended),
 * `afterok` (it completed), `afternotok` (it ended otherwise), `aftercorr` (array element i
 * waits for element i of the other array to complete; `jobId` names that array).
 */
export type DependencyKind = 'after' | 'afterany' | 'afterok' | 'afternotok' | 'aftercorr';

export interface Dependency {
  kind: DependencyKind;
  jobId: number;
}

/** One task of a job: what it needs and which earlier tasks of the same job it waits for. */
export interface TaskSpec {
  /** Short name, e.g. `align-03`; defaults to `t<index>`. */
  name?: string;
  cores: number;
  memMb: number;
  /** Wall time limit; the partition default when absent. */
  timeLimitMs?: Ms;
  /** Indices of tasks in the same job that must complete first (a DAG). */
  after?: number[];
  /** Retries on failure, each with doubled memory (nf-core/sarek style). Default 0. */
  retries?: number;
  /**
   * Modelled run time. The core never reads it (it plans with the time limit, as a real
   * scheduler must); simulated agents and live agents hold the cores this long.
   */
  durationMs?: Ms;
  /** Which kernel an agent runs for this task (e.g. `align`, `call`); opaque to the core. */
  kernel?: string;
}

export interface JobSpec {
  name: string;
  /** Who submitted: a hospital department or user. */
  owner: string;
  account: string;
  partition: string;
  qos: string;
  /**
   * What the job is for. Research partitions and accounts make it research whatever it says;
   * absent, it follows them (treatment otherwise). Declaring treatment there is refused.
   */
  purpose?: Purpose;
  /** Patient pseudonyms whose genetic data the job reads (never CPR numbers). */
  pseudonyms: string[];
  tasks: TaskSpec[];
  dependencies?: Dependency[];
  /** Any one dependency satisfied is enough (Slurm's `?` separator); all of them otherwise. */
  dependencyAny?: boolean;
  /** Slurm's `--dependency=singleton`: wait until no other job of this name and owner runs. */
  singleton?: boolean;
  /** Job array: `0-99`, `1,3,5-7`, with optional `%N` concurrency limit. */
  array?: string;
  /** Free-form label used by workloads and reports (e.g. `wgs-trio`). */
  class?: string;
  /** A real command for the `exec` kernel; opaque to the core (the driver hands it to agents). */
  command?: JobCommand;
  /** Submit held (sbatch --hold): it waits with JobHeldUser until released. */
  hold?: boolean;
  /** Earliest start on the scheduler's clock (sbatch --begin); it waits with BeginTime until then. */
  beginAt?: Ms;
  /** Lowers its priority by this many points (sbatch --nice); negative raises it. */
  nice?: number;
  /** Run inside this advance reservation (sbatch --reservation): only on its nodes, only in its window. */
  reservation?: string;
}

/**
 * An advance reservation (scontrol create reservation): nodes, or a core count the scheduler
 * turns into whole nodes, held over [startAt, startAt + durationMs) on the scheduler's clock.
 * Jobs that do not ask for it are not placed on its nodes where they would overlap that window.
 */
export interface ReservationSpec {
  name: string;
  /** Node names; give these or `cores`. */
  nodes?: string[];
  /** A core count: the scheduler picks whole nodes (free by the start unless ignoreJobs) to cover it. */
  cores?: number;
  startAt: Ms;
  durationMs: Ms;
  /** Slurm's MAINT: jobs kept off its nodes wait with "ReqNodeNotAvail, Reserved for maintenance"; it may name no account. */
  maint?: boolean;
  /** Slurm's IGNORE_JOBS: create it even where running tasks' time limits reach into its window. */
  ignoreJobs?: boolean;
  /** Accounts whose jobs may ask for it (and the accounts under them). Needed unless maint; empty: any. */
  accounts?: string[];
}

/** A reservation as views show it. */
export interface AdvanceReservationView {
  name: string;
  nodes: string[];
  cores: number;
  startAt: Ms;
  endAt: Ms;
  maint: boolean;
  ignoreJobs: boolean;
  accounts: string[];
  /** INACTIVE before its start, ACTIVE in its window, ENDED after. */
  state: 'INACTIVE' | 'ACTIVE' | 'ENDED';
  /** Unended jobs that asked for it. */
  jobs: number;
}

/** Who holds a job: its owner (`user`, Slurm's JobHeldUser) or an operator (`admin`, JobHeldAdmin). */
export type HoldKind = 'user' | 'admin';

/**
 * What `update` may change (scontrol update): time limit (pending tasks), QoS, nice, begin
 * time, dependencies and an array's throttle. QoS and dependencies only while the job is pending.
 */
export interface JobUpdate {
  timeLimitMs?: Ms;
  /** Another partition (pending jobs only): its rules and node sizes are checked again. */
  partition?: string;
  qos?: string;
  nice?: number;
  /** null clears the begin time. */
  beginAt?: Ms | null;
  dependencies?: Dependency[];
  /** With `dependencies`: any one of them is enough (`?`); absent means all. */
  dependencyAny?: boolean;
  /** An array's %N limit (the job is any element of it). */
  throttle?: number;
}

/** What the `exec` kernel runs for each task of a job (sbatch's script, `--wrap`, `-o`, `-e`, `-D`). */
export interface JobCommand {
  /** The script body; a first line `#!...` names its interpreter, otherwise /bin/sh runs it. */
  script: string;
  /** Absolute working directory on the agents' machines (sbatch's submit directory by default). */
  chdir: string;
  /** Absolute directory it was submitted from (GSCHED_SUBMIT_DIR, SLURM_SUBMIT_DIR); chdir when absent (journals before it). */
  submitDir?: string;
  /** Output and error file patterns (%j, %A, %a, %x, %u, %N, %t); error defaults to the output file. */
  output?: string;
  error?: string;
}



export type PendingReason =
  | 'Priority'
  | 'Resources'
  | 'Dependency'
  | 'DependencyNeverSatisfied'
  | 'ConsentHold'
  | 'JobArrayTaskLimit'
  | 'PartitionDown'
  | 'JobHeldUser'
  | 'JobHeldAdmin'
  | 'BeginTime'
  | 'QOSGrpCpuLimit'
  | 'AssocGrpCpuLimit'
  | 'QOSMaxJobsPerUserLimit'
  | 'AssocMaxJobsLimit'
  | 'QOSMaxWallDurationPerJobLimit'
  | 'AssocMaxWallDurationPerJobLimit'
  | 'Reservation'
  | 'ReqNodeNotAvail, Reserved for maintenance'
  | 'None';

/** How a running task ended, as reported by whoever ran it. */
export type TaskOutcome = 'completed' | 'failed';

// ---------------------------------------------------------------- consent


// ---------------------------------------------------------------- events in

export type CoreEvent =
  | { type: 'submit'; job: JobSpec }
  | { type: 'cancel'; jobId: number }
  | { type: 'taskEnded'; taskId: number; outcome: TaskOutcome }
  | ({ type: 'nodeDown'; node: string } & OperatorNote)
  | ({ type: 'nodeUp'; node: string } & OperatorNote)
  | ({ type: 'drain'; node: string } & OperatorNote)
  | { type: 'resume'; node: string }
  | { type: 'consent'; pseudonym: string; status: ConsentStatus }
  /** A running task was lost (its agent restarted without it): back to the queue, not a failure. */
  | { type: 'requeue'; taskId: number }
  /** The driver has recorded a finished job; the core may drop it from memory. */
  | { type: 'forget'; jobId: number }
  /** Hold a pending job (scontrol hold / uhold): it waits with JobHeldAdmin or JobHeldUser. */
  | { type: 'hold'; jobId: number; by: HoldKind }
  /** Release a hold; a user (`by: 'user'`) may not release an operator's hold. */
  | { type: 'release'; jobId: number; by: HoldKind }
  | { type: 'update'; jobId: number; changes: JobUpdate }
  /** Put a running or pending job back in the queue (scontrol requeue); `hold` also holds it (requeuehold). */
  | { type: 'requeueJob'; jobId: number; hold: boolean }
  /** Create an advance reservation (a `cores` count is resolved to nodes when it is applied). */
  | { type: 'reservationCreate'; reservation: ReservationSpec }
  | { type: 'reservationDelete'; name: string }
  /** scontrol reconfigure: a new config (already parsed), applied whole or refused with its conflicts. */
  | { type: 'reconfigure'; config: ClusterConfig }
  /** A node the core resumed (a `powerUp` decision) has booted and may take work. */
  | { type: 'poweredUp'; node: string };

/**
 * What an operator said with a node event (drain or down with a reason, up); carried through
 * the journal for the driver's read model, never read by the core. `admin`: an operator's
 * down, which an agent coming back does not undo.
 */
export interface OperatorNote {
  reason?: string;
  by?: string;
  /** Wall time of the request, ms since the epoch. */
  at?: number;
  admin?: boolean;
}

export type EventResult =
  | { ok: true; jobIds?: number[] }
  | { ok: false; error: CoreRejection };

/** A refusal the user can act on: a stable code, the field at fault and a sentence. */
export interface CoreRejection {
  code: RejectionCode;
  field?: string;
  message: string;
}

export type RejectionCode =
  | 'INVALID_JOB'
  | 'UNKNOWN_PARTITION'
  | 'UNKNOWN_QOS'
  | 'UNKNOWN_ACCOUNT'
  | 'TOO_LARGE'
  | 'UNKNOWN_DEPENDENCY'
  | 'DAG_CYCLE'
  | 'CONSENT_REQUIRED'
  | 'CONSENT_RESTRICTED'
  | 'PURPOSE_MISMATCH'
  | 'PSEUDONYMS_REQUIRED'
  | 'QOS_NOT_ALLOWED'
  | 'PARTITION_NOT_ALLOWED'
  | 'LIMIT_EXCEEDED'
  | 'UNKNOWN_RESERVATION'
  | 'INVALID_RESERVATION'
  | 'RESERVATION_CONFLICT'
  | 'RESERVATION_NOT_ALLOWED'
  | 'CONFIG_CONFLICT'
  | 'UNKNOWN_JOB'
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_NODE'
  | 'INVALID_STATE';

// ---------------------------------------------------------------- decisions out

export type KillReason = 'cancelled' | 'timeout' | 'failed-sibling' | 'consent-withdrawn';

export type Decision =
  | {
      type: 'start';
      taskId: number;
      jobId: number;
      node: string;
      cores: number;
      memMb: number;
      timeLimitMs: Ms;
      /** The task's modelled run time and kernel, passed through for whoever runs it. */
      durationMs: Ms | null;
      kernel: string | null;
    }
  /**
   * Stop a running task and requeue it: a preemption victim, or (`reason: 'consent'`) a task
   * whose patient's consent no longer allows it (its job is then held for consent).
   */
  | { type: 'preempt'; taskId: number; jobId: number; node: string; reason?: 'consent' }
  /** Stop a running task for good: its job was cancelled, ran past its time limit, or was held for consent past the limit. */
  | { type: 'kill'; taskId: number; jobId: number; node: string; reason: KillReason }
  /** A job reached a terminal state. */
  | { type: 'jobEnded'; jobId: number; state: JobState };

/** What power saving decided about a node (node-level, so apart from the job decisions). */
export type PowerDecision =
  /** Suspend this idle node (Slurm's SuspendProgram). */
  | { type: 'powerDown'; node: string }
  /** Boot this suspended node; it takes work once a `poweredUp` event says it is up (ResumeProgram). */
  | { type: 'powerUp'; node: string };

export interface StepResult {
  decisions: Decision[];
  /** The earliest time the core wants to be called again even if nothing happens; null for never. */
  wakeAt: Ms | null;
  /** Power saving's decisions of this pass, when it made any (never present with power saving off). */
  power?: PowerDecision[];
}

// ---------------------------------------------------------------- views (read-only snapshots)

export interface PriorityBreakdown {
  age: number;
  fairshare: number;
  qos: number;
  partition: number;
  size: number;
  total: number;
}

export interface TaskView {
  id: number;
  index: number;
  name: string;
  state: TaskState;
  cores: number;
  memMb: number;
  timeLimitMs: Ms;
  /** Indices of the tasks of the same job it waits for. */
  after: number[];
  /** Where it runs; for an ended task where it last ran; null while it waits. */
  node: string | null;
  startedAt: Ms | null;
  endedAt: Ms | null;
  attempts: number;
  preemptions: number;
  /** Times it was requeued because its node failed or its agent lost it. */
  requeues: number;
  durationMs: Ms | null;
  kernel: string | null;
}

export interface JobView {
  id: number;
  /** `123` or, for an array element, `120_3`. */
  displayId: string;
  name: string;
  owner: string;
  account: string;
  partition: string;
  qos: string;
  purpose: Purpose;
  class: string | null;
  state: JobState;
  reason: PendingReason;
  /** Why it ended when the scheduler ended it for consent: held past the limit. Null otherwise. */
  endReason: 'ConsentWithdrawn' | null;
  /** 1-based position among pending jobs in priority order; null when not pending. */
  queuePosition: number | null;
  priority: PriorityBreakdown;
  submittedAt: Ms;
  startedAt: Ms | null;
  endedAt: Ms | null;
  cores: number;
  pseudonyms: string[];
  dependencies: Dependency[];
  /** Any one dependency is enough (`?`), or all of them. */
  dependencyAny: boolean;
  arrayJobId: number | null;
  arrayIndex: number | null;
  tasks: TaskView[];
  nodes: string[];
  /** Who holds it, or null. */
  hold: HoldKind | null;
  /** Its begin time (--begin), or null. */
  beginAt: Ms | null;
  /** Priority points it gives away (negative: gains). */
  nice: number;
  /** The advance reservation it runs in, or null. */
  reservation: string | null;
}

/** SUSPENDED and POWERING_UP are Slurm's `idle~` and `idle#` (power saving). */
export type NodeState = 'IDLE' | 'MIXED' | 'ALLOCATED' | 'DRAINING' | 'DRAINED' | 'DOWN' | 'SUSPENDED' | 'POWERING_UP';

export interface NodeView {
  name: string;
  container: string;
  kind: string;
  cooling: Cooling;
  state: NodeState;
  cores: number;
  coresUsed: number;
  memMb: number;
  memUsedMb: number;
  tasks: number;
}

export interface ContainerView {
  name: string;
  nodes: number;
  cores: number;
  coresUsed: number;
  coresDown: number;
}

export interface ClusterView {
  name: string;
  containers: ContainerView[];
  cores: number;
  coresUsed: number;
  coresIdle: number;
  coresDown: number;
  pendingJobs: number;
  runningJobs: number;
  pendingTasks: number;
  runningTasks: number;
}
