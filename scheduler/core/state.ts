// The core's mutable runtime records. Only the core's own modules touch these; the outside
// world sees the read-only views in views.ts.
import { TERMINAL_JOB_STATES } from './vocabulary.js';
import type { SlotList } from './lists.js';
import type { EndOrder } from './end-order.js';
import type { AccountSpec, Dependency, JobState, Ms, NodeSpec, PartitionSpec, PendingReason, PriorityBreakdown, Purpose, QosSpec, TaskState, HoldKind } from './types.js';

export interface NodeRt {
  readonly spec: NodeSpec;
  readonly idx: number;
  /** Static preference rank (warm-water first, then configuration order): breaks placement ties. */
  readonly pref: number;
  readonly containerIdx: number;
  readonly warm: boolean;
  freeCores: number;
  freeMem: number;
  up: boolean;
  drain: boolean;
  /**
   * Power saving: `on`, `off` (suspended) or `booting` (resumed, not yet reported up). Only an
   * `on` node takes work; every placement check reads it beside `up` and `drain`.
   */
  power: NodePower;
  /** When it last became idle (its last task ended, or it came up); NEVER before the first pass saw it. */
  idleAt: Ms;
  /** When it was resumed (while booting). */
  bootAt: Ms;
  readonly running: SlotList<TaskRt>;
  /** How many of its running tasks preemption could take, and the cores and memory they hold:
   * preemption passes over a node they cannot make room on without looking at its tasks. */
  preemptibleTasks: number;
  preemptibleCores: number;
  preemptibleMem: number;
  /** Its running tasks in order of start + time limit. */
  readonly ends: EndOrder;
  /** Advance reservations that hold it, or null (most nodes). */
  resv: ResvRt[] | null;
}

/** An advance reservation (see ReservationSpec) with its nodes resolved. */
export interface ResvRt {
  readonly name: string;
  readonly nodes: readonly NodeRt[];
  /** member[node.idx] is 1 for its nodes. */
  readonly member: Uint8Array;
  readonly startAt: Ms;
  readonly endAt: Ms;
  readonly maint: boolean;
  readonly ignoreJobs: boolean;
  readonly accounts: readonly string[];
}

export type NodePower = 'on' | 'off' | 'booting';

export interface PartitionRt {
  readonly spec: PartitionSpec;
  /** Nodes of the partition, in static preference order (warm-water first, then by index). */
  readonly nodes: NodeRt[];
  /** member[node.idx] is 1 when the node belongs to the partition. */
  readonly member: Uint8Array;
  readonly maxCores: number;
  readonly maxMem: number;
  /** Member nodes that are up and not draining; 0 makes its jobs wait for PartitionDown. */
  open: number;
}

export interface ArrayGroup {
  readonly baseId: number;
  /** Most elements running at once (Infinity: no limit); `update throttle=` changes it. */
  limit: number;
  running: number;
}

export interface TaskRt {
  readonly id: number;
  readonly job: JobRt;
  readonly index: number;
  readonly name: string;
  readonly cores: number;
  memMb: number;
  timeLimitMs: Ms;
  /** Predecessors not yet completed. */
  waitingOn: number;
  retriesLeft: number;
  readonly durationMs: Ms | null;
  readonly kernel: string | null;
  state: TaskState;
  node: NodeRt | null;
  /** The node of its latest run, kept after it ends (what sacct shows). */
  lastNode: NodeRt | null;
  /** Its latest start, or NEVER. */
  startedAt: Ms;
  /** When its latest run ended, or NEVER while it runs or before it ran. */
  endedAt: Ms;
  /** Its place in its node's running list while it runs (see SlotList), else -1. */
  slot: number;
  /** Start count, so a stale report about an earlier run can be told apart. */
  starts: number;
  /** Its place in the time-limit lanes (CoreState.deadlines) while it runs, else -1. */
  limitSlot: number;
  attempts: number;
  preemptions: number;
  requeues: number;
}

export interface JobRt {
  readonly id: number;
  readonly displayId: string;
  readonly name: string;
  readonly owner: string;
  readonly account: AccountSpec;
  partition: PartitionRt;
  qos: QosSpec;
  readonly purpose: Purpose;
  readonly pseudonyms: readonly string[];
  readonly cls: string | null;
  deps: readonly Dependency[];
  /** Any one of `deps` satisfied is enough (Slurm's `?`); all of them otherwise. */
  depsAny: boolean;
  readonly singleton: boolean;
  readonly array: ArrayGroup | null;
  readonly arrayIndex: number | null;
  readonly submittedAt: Ms;
  readonly tasks: TaskRt[];
  readonly totalCores: number;
  state: JobState;
  /** First start of any of its tasks, or NEVER. */
  startedAt: Ms;
  /** NEVER until it ends. */
  endedAt: Ms;
  /** Pending tasks whose predecessors are all complete, in index order. */
  ready: TaskRt[];
  /** The fewest cores any task in `ready` needs (NO_READY when it is empty): a backfill pass
   * passes over a job none of whose tasks fits the largest free hole without looking at each. */
  readyMinCores: number;
  pendingCount: number;
  runningCount: number;
  completedCount: number;
  /** Container where its first task ran: later tasks prefer it (data locality). */
  container: number;
  /** Why it waits, as the pass numbered `reasonPass` found (see pass.ts). */
  reason: PendingReason;
  /** The pass that recorded `reason`; a job the latest pass did not reach waits for Priority. */
  reasonPass: number;
  /** Whether it waits in the pending queue (it has pending tasks and has not ended). */
  queued: boolean;
  /** Its time-invariant sort key within its queue lane (see queue.ts); null before first queued. */
  laneKey: number | null;
  /** Whether its age factor has reached the cap. */
  capped: boolean;
  /**
   * Which of its account's lanes holds an entry for it (possibly a dead one): the capped lane
   * (true), the uncapped one (false), or none (null). See queue.ts.
   */
  laneCapped: boolean | null;
  /** The queue's walk-order generation whose cached order lists it, or -1 (see queue.ts). */
  orderGen: number;
  /** The EASY pass-over stretch that holds it (policies/pass-over-memo.ts), or -1. */
  passTag: number;
  /** Its tasks' successors (the tasks that wait for each). */
  readonly successors: Successors;
  /** The core's consent version when its consent was last found in order, or -1. */
  consentOkAt: number;
  /** Set when the scheduler ends the job for consent (held past the limit). */
  endReason: 'ConsentWithdrawn' | null;
  /** When a consent hold ends the job unless consent allows it again; NEVER when not held by a change. */
  consentHeldUntil: Ms;
  /** Who holds it (JobHeldUser / JobHeldAdmin), or null. */
  hold: HoldKind | null;
  /** It waits with BeginTime until this time; 0 when it has none. */
  beginAt: Ms;
  /** Priority points subtracted from its priority. */
  nice: number;
  /** The advance reservation it asked for, or null. */
  readonly reservation: string | null;
}

/** Successors of task i are `list[at[i]]` to `list[at[i + 1] - 1]`, as task indices. */
export interface Successors {
  readonly at: readonly number[];
  readonly list: readonly number[];
}

/**
 * The tasks task `index` waits for (its `after` list, ascending), read back from the successor
 * table: a task keeps no list of its own, as a burst holds millions of them at once.
 */
export function predecessorsOf(s: Successors, index: number): number[] {
  const out: number[] = [];
  const { at, list } = s;
  for (let j = 0; j + 1 < at.length; j++) {
    for (let k = at[j] as number, end = at[j + 1] as number; k < end; k++) {
      if (list[k] === index) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

/** Every task's `after` list (ascending) of a job of `n` tasks, from one pass over the table. */
export function predecessorLists(s: Successors, n: number): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  const { at, list } = s;
  for (let j = 0; j + 1 < at.length; j++) {
    for (let k = at[j] as number, end = at[j + 1] as number; k < end; k++) {
      const preds = out[list[k] as number] as number[];
      if (preds[preds.length - 1] !== j) preds.push(j);
    }
  }
  return out;
}

/**
 * "No such time" in the runtime records. A number rather than null keeps these fields plain
 * doubles that V8 updates in place; a field mixing null and numbers past 2^31 ms (25 days of
 * virtual time) allocates a fresh number on every store. Views show it as null.
 */
export const NEVER = -1;

/** A runtime time as views show it. */
export function shownTime(ms: Ms): Ms | null {
  return ms === NEVER ? null : ms;
}

export const TERMINAL: ReadonlySet<JobState> = new Set(TERMINAL_JOB_STATES);

export const ZERO_PRIORITY: PriorityBreakdown = { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, total: 0 };

/** The singleton table's key of a job: jobs of one owner and name run one at a time. */
export function singletonKey(job: Pick<JobRt, 'owner' | 'name'>): string {
  return `${job.owner}\u0000${job.name}`;
}

// Per-job storage: a million pending jobs are a million of each record below, so what every
// job would otherwise own separately is shared, and lists are allocated at their size (a list
// grown by push from empty reserves room for 17).

const EMPTY: readonly never[] = Object.freeze([]);

/** The list itself, or one shared empty list (most jobs have no dependencies or predecessors). */
export function shared<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY : list;
}

const TASK_NAMES: string[] = [];

/** `t0`, `t1`, …: the name of a task submitted without one, one string per index. */
export function defaultTaskName(index: number): string {
  if (index >= 1024) return `t${index}`;
  for (let i = TASK_NAMES.length; i <= index; i++) TASK_NAMES.push(`t${i}`);
  return TASK_NAMES[index] as string;
}

/** `readyMinCores` of a job with no ready task (a small integer, so the field stays one). */
export const NO_READY = 2 ** 30;

/** The fewest cores a task of `ready` needs, or NO_READY. */
export function minCoresOf(ready: readonly TaskRt[]): number {
  let m = NO_READY;
  for (let i = 0; i < ready.length; i++) {
    const c = (ready[i] as TaskRt).cores;
    if (c < m) m = c;
  }
  return m;
}

/** A new job's tasks with no predecessor, in index order, in a list of just their size. */
export function readyOf(tasks: readonly TaskRt[]): TaskRt[] {
  let n = 0;
  for (const t of tasks) if (t.waitingOn === 0) n++;
  const ready = new Array<TaskRt>(n);
  let k = 0;
  for (const t of tasks) if (t.waitingOn === 0) ready[k++] = t;
  return ready;
}
