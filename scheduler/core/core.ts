// The scheduling core: a deterministic step machine. Events and the time they happened go
// in; decisions and "wake me at t" come out. No I/O, no clocks, no randomness: the simulator
// and the live scheduler drive this same class, and the same inputs give the same decisions.
import { FairShare, type FairShareView } from './fairshare.js';
import { KeyedHeap } from './heap.js';
import { IdTable } from './id-table.js';
import { FreeIndex } from './free-index.js';
import { findVictims, type Reservation } from './placement.js';
import { NodeProfile, reserveEarliest } from './reservation.js';
import { PendingQueue } from './queue.js';
import { insertAt, removeAt, SlotList } from './lists.js';
import { NEVER, TERMINAL, ZERO_PRIORITY, defaultTaskName, readyOf, shared, type ArrayGroup, type JobRt, type NodeRt, type PartitionRt, type Successors, type TaskRt } from './state.js';
import type {
  ClusterConfig,
  ClusterView,
  ConsentStatus,
  CoreEvent,
  CoreRejection,
  Decision,
  EventResult,
  JobState,
  JobView,
  Ms,
  NodeView,
  PendingReason,
  PriorityBreakdown,
  QosSpec,
  StepResult,
  TaskView,
} from './types.js';
import { successorsOf } from './dag.js';
import { validateJob, type CheckedTask, type CleanJob } from './validate.js';
import { clusterView, jobView, nodeView, taskView } from './views.js';

/** Default for how often priorities are recalculated (Slurm's PriorityCalcPeriod default). */
export const PRIORITY_PERIOD_MS = 300_000;
/** Default least time between EASY backfill passes (Slurm's bf_interval default). */
export const BACKFILL_INTERVAL_MS = 30_000;
/** A task requeued more often than this after node failures fails its job with NODE_FAIL. */
export const MAX_NODE_REQUEUES = 5;

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

export interface JobFilter {
  states?: JobState[];
  account?: string;
  partition?: string;
  owner?: string;
}

/** What an FCFS/EASY pass carries from one job to the next. */
interface EasyPass {
  fcfs: boolean;
  depth: number;
  reservation: Reservation | null;
  head: TaskRt | null;
  /** FCFS: the head is stuck, nothing behind it may start. */
  blocked: boolean;
  /** The smallest task found to have no preemption victims this pass: larger ones have none either. */
  noVictimCores: number;
}

const ok: EventResult = { ok: true };
const NO_DECISIONS: Decision[] = Object.freeze([]) as unknown as Decision[];
const reject = (error: CoreRejection): EventResult => ({ ok: false, error });

export class SchedulerCore {
  readonly config: ClusterConfig;
  private readonly nodeList: NodeRt[];
  private readonly nodeByName = new Map<string, NodeRt>();
  private readonly containers: string[];
  private readonly partitions = new Map<string, PartitionRt>();
  private readonly qos = new Map<string, QosSpec>();
  private readonly accounts: Map<string, ClusterConfig['accounts'][number]>;
  private readonly fs: FairShare;
  private readonly byId = new Map<number, JobRt>();
  private readonly tasks = new IdTable<TaskRt>();
  /** Final states of jobs the driver asked us to forget, for dependency checks. */
  private readonly ended = new Map<number, JobState>();
  private readonly consent = new Map<string, ConsentStatus>();
  /** Bumped by every consent change; see JobRt.consentOkAt. */
  private consentVersion = 0;
  /** owner + name → ids of its unfinished singleton jobs, oldest first. */
  private readonly singletons = new Map<string, number[]>();
  private readonly waiting: PendingQueue;
  /**
   * Running tasks by time limit. A task has at most one entry, filed under `filedAt`: a task
   * that ended leaves a stale entry, and one restarted meanwhile is refiled when its old entry
   * comes up. One object per task instead of one per start keeps a long replay's heap small.
   */
  private readonly deadlines = new KeyedHeap<TaskRt>();
  private outbox: Decision[] = [];
  private nextJobId = 1;
  private nextTaskId = 1;
  private now: Ms = 0;
  private lastPriority: Ms = -Infinity;
  private readonly weighted: boolean;
  private readonly clusterCores: number;
  /** Nodes that are up, not draining and have a free core, indexed for placement. */
  private readonly free: FreeIndex;
  private maxFree = 0;
  /** Largest free cores on an open node other than the EASY-reserved one. */
  private maxOther = 0;
  private freeStale = true;
  /** Running tasks that preemption could take, and queued jobs that could preempt. */
  private preemptibleRunning = 0;
  private urgentQueued = 0;
  /** Jobs looked at behind the EASY head in the current pass (bounded by backfillDepth). */
  private tested = 0;
  /** The job whose task holds the EASY reservation after the last pass. */
  private headJobId = -1;
  private readonly priorityPeriod: Ms;
  private readonly backfillInterval: Ms;
  private positionCache: Map<number, number> | null = null;
  private lastBackfill: Ms = -Infinity;
  /** Set when a pass stopped at a blocked task without backfilling: a backfill pass is owed. */
  private backfillOwed = false;
  /** The EASY head reservation made by the last pass, for `sprio`-style inspection and tests. */
  private lastReservation: { taskId: number; jobId: number; node: string; at: Ms } | null = null;

  constructor(config: ClusterConfig) {
    this.config = config;
    this.containers = [...new Set(config.nodes.map((n) => n.container))];
    const prefOrder = [...config.nodes.keys()].sort((a, b) => Number(config.nodes[b]?.cooling === 'warm-water') - Number(config.nodes[a]?.cooling === 'warm-water') || a - b);
    const pref = new Map(prefOrder.map((idx, rank) => [idx, rank]));
    this.nodeList = config.nodes.map((spec, idx) => ({
      spec,
      idx,
      pref: pref.get(idx) as number,
      containerIdx: this.containers.indexOf(spec.container),
      warm: spec.cooling === 'warm-water',
      freeCores: spec.cores,
      freeMem: spec.memMb,
      up: true,
      drain: false,
      running: new SlotList<TaskRt>(),
      ends: null,
    }));
    for (const n of this.nodeList) this.nodeByName.set(n.spec.name, n);
    // Static preference order: warm-water nodes first, then configuration order.
    const preferred = [...this.nodeList].sort((a, b) => a.pref - b.pref);
    this.free = new FreeIndex(this.nodeList, this.containers.length);
    for (const spec of config.partitions) {
      const nodes = preferred.filter((n) => spec.containers.length === 0 || spec.containers.includes(n.spec.container));
      const member = new Uint8Array(this.nodeList.length);
      for (const n of nodes) member[n.idx] = 1;
      this.partitions.set(spec.name, {
        spec,
        nodes,
        member,
        maxCores: Math.max(0, ...nodes.map((n) => n.spec.cores)),
        maxMem: Math.max(0, ...nodes.map((n) => n.spec.memMb)),
      });
    }
    for (const q of config.qos) this.qos.set(q.name, q);
    this.accounts = new Map(config.accounts.map((a) => [a.name, a]));
    const w = config.scheduler.weights;
    this.fs = new FairShare(config.accounts, w.usageHalfLifeMs);
    this.weighted = w.age + w.fairshare + w.qos + w.partition + w.size > 0;
    this.priorityPeriod = config.scheduler.priorityCalcPeriodMs ?? PRIORITY_PERIOD_MS;
    this.backfillInterval = config.scheduler.backfillIntervalMs ?? BACKFILL_INTERVAL_MS;
    this.waiting = new PendingQueue(w, (j) => this.staticPriority(j), (a) => this.fs.factor(a));
    this.clusterCores = this.nodeList.reduce((s, n) => s + n.spec.cores, 0);
  }

  // ------------------------------------------------------------------ events

  /** Applies one event at `now`. Bad input is refused with a reason, never thrown. */
  apply(event: CoreEvent, now: Ms): EventResult {
    this.advance(now);
    this.positionCache = null;
    if (typeof event !== 'object' || event === null) return reject({ code: 'INVALID_STATE', message: 'an event must be an object with a type' });
    switch (event.type) {
      case 'submit':
        return this.submit(event.job);
      case 'cancel':
        return this.cancel(event.jobId);
      case 'taskEnded':
        return this.taskEnded(event.taskId, event.outcome);
      case 'nodeDown':
      case 'nodeUp':
      case 'drain':
      case 'resume':
        return this.nodeEvent(event.type, event.node);
      case 'consent':
        return this.setConsent(event.pseudonym, event.status);
      case 'requeue': {
        const t = this.tasks.get(event.taskId);
        if (!t) return reject({ code: 'UNKNOWN_TASK', field: 'taskId', message: `task ${event.taskId} does not exist` });
        if (t.state !== 'RUNNING') return reject({ code: 'INVALID_STATE', field: 'taskId', message: `task ${t.id} is ${t.state}, not RUNNING` });
        this.requeueLost(t);
        return ok;
      }
      case 'forget':
        return this.forget(event.jobId);
      default:
        return reject({ code: 'INVALID_STATE', field: 'type', message: `unknown event type ${JSON.stringify((event as { type: unknown }).type)}` });
    }
  }

  /** Applies each event, then runs one scheduling pass. */
  step(now: Ms, events: CoreEvent[]): StepResult & { results: EventResult[] } {
    const results = events.map((e) => this.apply(e, now));
    return { ...this.schedule(now), results };
  }

  private advance(now: Ms): void {
    if (Number.isFinite(now) && now > this.now) this.now = Math.floor(now);
  }

  private submit(raw: unknown): EventResult {
    const clean = validateJob(raw, {
      partitions: this.partitions,
      qos: this.qos,
      hasAccount: (a) => this.accounts.has(a),
      jobKnown: (id) => this.byId.has(id) || this.ended.has(id),
      consentOf: (p) => this.consent.get(p) ?? null,
    });
    if (!('tasks' in clean)) return reject(clean);
    // The jobs of an array share one successor table: it is read-only.
    const succ = successorsOf(clean.after);
    if (clean.array === null) return { ok: true, jobIds: [this.createJob(clean, succ, null, null)] };
    const baseId = this.nextJobId;
    const group: ArrayGroup = { baseId, limit: clean.array.limit, running: 0 };
    return { ok: true, jobIds: clean.array.indices.map((i) => this.createJob(clean, succ, group, i)) };
  }

  private createJob(c: CleanJob, successors: Successors, array: ArrayGroup | null, arrayIndex: number | null): number {
    const id = this.nextJobId++;
    const job: JobRt = {
      id,
      displayId: array === null ? String(id) : `${array.baseId}_${arrayIndex}`,
      name: c.name,
      owner: c.owner,
      account: this.accounts.get(c.account) as JobRt['account'],
      partition: c.partition,
      qos: c.qos,
      purpose: c.purpose,
      pseudonyms: shared(c.pseudonyms),
      cls: c.cls,
      deps: shared(c.deps),
      singleton: c.singleton,
      array,
      arrayIndex,
      submittedAt: this.now,
      tasks: new Array<TaskRt>(c.tasks.length),
      totalCores: c.tasks.reduce((s, t) => s + t.cores, 0),
      state: 'PENDING',
      startedAt: NEVER,
      endedAt: NEVER,
      ready: [],
      pendingCount: c.tasks.length,
      runningCount: 0,
      completedCount: 0,
      container: -1,
      reason: 'Priority',
      queued: false,
      laneKey: null,
      capped: false,
      laneCapped: null,
      successors,
      consentOkAt: -1,
    };
    const defaultTime = c.partition.spec.defaultTimeMs;
    for (let index = 0; index < c.tasks.length; index++) {
      // Checked but not copied by validateJob: the defaults of absent fields are filled in here.
      const t = c.tasks[index] as CheckedTask;
      const after = c.after[index] as readonly number[];
      const task: TaskRt = {
        id: this.nextTaskId++,
        job,
        index,
        name: t.name ?? defaultTaskName(index),
        cores: t.cores,
        memMb: t.memMb,
        timeLimitMs: t.timeLimitMs ?? defaultTime,
        after: shared(after),
        waitingOn: after.length,
        retriesLeft: t.retries ?? 0,
        durationMs: t.durationMs ?? null,
        kernel: t.kernel ?? null,
        state: 'PENDING',
        node: null,
        lastNode: null,
        startedAt: NEVER,
        endedAt: NEVER,
        slot: -1,
        starts: 0,
        deadline: NEVER,
        filedAt: NEVER,
        attempts: 1,
        preemptions: 0,
        requeues: 0,
      };
      job.tasks[index] = task;
      this.tasks.add(task.id, task);
    }
    job.ready = readyOf(job.tasks);
    if (job.singleton) {
      const key = `${job.owner}\u0000${job.name}`;
      const list = this.singletons.get(key) ?? [];
      list.push(id);
      this.singletons.set(key, list);
    }
    this.byId.set(id, job);
    this.enqueue(job);
    return id;
  }

  private cancel(jobId: unknown): EventResult {
    const job = typeof jobId === 'number' ? this.byId.get(jobId) : undefined;
    if (!job) {
      const st = typeof jobId === 'number' ? this.ended.get(jobId) : undefined;
      if (st) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${String(jobId)} already ended (${st})` });
      return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} does not exist` });
    }
    if (TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} already ended (${job.state})` });
    this.endJob(job, 'CANCELLED', 'cancelled');
    return ok;
  }

  private taskEnded(taskId: unknown, outcome: unknown): EventResult {
    const t = typeof taskId === 'number' ? this.tasks.get(taskId) : undefined;
    if (!t) return reject({ code: 'UNKNOWN_TASK', field: 'taskId', message: `task ${String(taskId)} does not exist` });
    if (outcome !== 'completed' && outcome !== 'failed') {
      return reject({ code: 'INVALID_STATE', field: 'outcome', message: `outcome must be "completed" or "failed"` });
    }
    if (t.state !== 'RUNNING') return reject({ code: 'INVALID_STATE', field: 'taskId', message: `task ${t.id} is ${t.state}, not RUNNING` });
    const job = t.job;
    this.release(t);
    if (outcome === 'completed') {
      t.state = 'COMPLETED';
      job.completedCount++;
      const { at, list } = job.successors;
      for (let k = at[t.index] as number, end = at[t.index + 1] as number; k < end; k++) {
        const n = job.tasks[list[k] as number] as TaskRt;
        if (--n.waitingOn === 0 && n.state === 'PENDING') insertByIndex(job.ready, n);
      }
      if (job.completedCount === job.tasks.length) this.endJob(job, 'COMPLETED', null);
      else this.enqueue(job);
    } else if (t.retriesLeft > 0) {
      // Retry with doubled memory, capped by the largest node that has the cores.
      t.retriesLeft--;
      t.attempts++;
      t.memMb = Math.min(t.memMb * 2, maxMemFor(job.partition, t.cores));
      this.backToQueue(t);
    } else {
      t.state = 'FAILED';
      this.endJob(job, 'FAILED', 'failed-sibling');
    }
    return ok;
  }

  private nodeEvent(type: 'nodeDown' | 'nodeUp' | 'drain' | 'resume', name: unknown): EventResult {
    const n = typeof name === 'string' ? this.nodeByName.get(name) : undefined;
    if (!n) return reject({ code: 'UNKNOWN_NODE', field: 'node', message: `node ${String(name)} does not exist` });
    if (type === 'nodeDown') {
      if (n.up) {
        n.up = false;
        for (const t of n.running.toArray()) this.requeueLost(t);
      }
    } else if (type === 'nodeUp') n.up = true;
    else n.drain = type === 'drain';
    this.touch(n);
    return ok;
  }

  private setConsent(pseudonym: unknown, status: unknown): EventResult {
    if (typeof pseudonym !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(pseudonym) || /^\d{6}-?\d{4}$/.test(pseudonym)) {
      return reject({ code: 'INVALID_STATE', field: 'pseudonym', message: 'consent needs a patient pseudonym of 1-64 letters, digits, _ or - (never a CPR number)' });
    }
    if (status !== 'granted' && status !== 'restricted' && status !== 'withdrawn') {
      return reject({ code: 'INVALID_STATE', field: 'status', message: 'consent status must be granted, restricted or withdrawn' });
    }
    this.consent.set(pseudonym, status);
    this.consentVersion++;
    return ok;
  }

  private forget(jobId: unknown): EventResult {
    const job = typeof jobId === 'number' ? this.byId.get(jobId) : undefined;
    if (!job) return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} is not in memory` });
    if (!TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} is ${job.state}; only ended jobs can be forgotten` });
    for (const t of job.tasks) this.tasks.delete(t.id);
    this.byId.delete(job.id);
    this.ended.set(job.id, job.state);
    return ok;
  }

  // ------------------------------------------------------------------ task and job lifecycle

  private start(t: TaskRt, n: NodeRt): void {
    const job = t.job;
    n.freeCores -= t.cores;
    n.freeMem -= t.memMb;
    n.running.add(t);
    this.touch(n);
    if (job.partition.spec.preemptible) this.preemptibleRunning++;
    t.state = 'RUNNING';
    t.node = n;
    t.lastNode = n;
    t.startedAt = this.now;
    t.endedAt = NEVER;
    t.starts++;
    job.pendingCount--;
    // Only jobs with a task ready to start wait in the queue: a DAG job whose next tasks wait
    // for running ones would otherwise be looked at by every pass for nothing.
    const r = job.ready.indexOf(t);
    if (r >= 0) removeAt(job.ready, r);
    if (job.ready.length === 0) this.dequeue(job);
    if (job.runningCount++ === 0 && job.array) job.array.running++;
    job.state = 'RUNNING';
    if (job.startedAt === NEVER) job.startedAt = this.now;
    if (job.container < 0) job.container = n.containerIdx;
    this.fs.running(job.account.name, t.cores, this.now);
    t.deadline = this.now + t.timeLimitMs;
    if (t.filedAt === NEVER) {
      t.filedAt = t.deadline;
      this.deadlines.push(t.filedAt, t.id, t);
    }
    this.outbox.push({
      type: 'start',
      taskId: t.id,
      jobId: job.id,
      node: n.spec.name,
      cores: t.cores,
      memMb: t.memMb,
      timeLimitMs: t.timeLimitMs,
      durationMs: t.durationMs,
      kernel: t.kernel,
    });
  }

  /** Gives a running task's resources back. The caller sets the task's new state. */
  private release(t: TaskRt): void {
    const n = t.node;
    const job = t.job;
    if (n) {
      n.freeCores += t.cores;
      n.freeMem += t.memMb;
      n.running.delete(t);
      this.touch(n);
      if (job.partition.spec.preemptible) this.preemptibleRunning--;
    }
    t.node = null;
    t.endedAt = this.now;
    this.fs.running(job.account.name, -t.cores, this.now);
    if (--job.runningCount === 0) {
      if (job.array) job.array.running--;
      if (job.state === 'RUNNING') job.state = 'PENDING';
    }
  }

  /** A task goes back to waiting (retry, preemption, lost node): ready again at once. */
  private backToQueue(t: TaskRt): void {
    t.state = 'PENDING';
    t.job.pendingCount++;
    insertByIndex(t.job.ready, t);
    this.enqueue(t.job);
  }

  private requeueLost(t: TaskRt): void {
    this.release(t);
    t.requeues++;
    if (t.requeues > MAX_NODE_REQUEUES) {
      t.state = 'FAILED';
      this.endJob(t.job, 'NODE_FAIL', 'failed-sibling');
    } else this.backToQueue(t);
  }

  /** Ends a job: running tasks are stopped (with `killReason`), waiting ones cancelled. */
  private endJob(job: JobRt, state: JobState, killReason: 'cancelled' | 'timeout' | 'failed-sibling' | null): void {
    for (const t of job.tasks) {
      if (t.state === 'RUNNING') {
        const node = t.node as NodeRt;
        this.release(t);
        t.state = 'CANCELLED';
        this.outbox.push({ type: 'kill', taskId: t.id, jobId: job.id, node: node.spec.name, reason: killReason ?? 'cancelled' });
      } else if (t.state === 'PENDING') {
        t.state = 'CANCELLED';
        t.endedAt = this.now;
      }
    }
    job.pendingCount = 0;
    job.ready = [];
    this.dequeue(job);
    job.state = state;
    job.endedAt = this.now;
    if (job.singleton) {
      const key = `${job.owner}\u0000${job.name}`;
      const list = (this.singletons.get(key) ?? []).filter((id) => id !== job.id);
      if (list.length > 0) this.singletons.set(key, list);
      else this.singletons.delete(key);
    }
    this.outbox.push({ type: 'jobEnded', jobId: job.id, state });
  }

  private enqueue(job: JobRt): void {
    if (job.queued || job.ready.length === 0 || TERMINAL.has(job.state)) return;
    if (this.canPreempt(job)) this.urgentQueued++;
    this.waiting.add(job, this.now);
  }

  private dequeue(job: JobRt): void {
    if (!job.queued) return;
    this.waiting.remove(job);
    if (this.canPreempt(job)) this.urgentQueued--;
  }

  // ------------------------------------------------------------------ scheduling

  /** One pass at `now`: time limits, then placement under the configured policy. */
  schedule(now: Ms): StepResult {
    this.advance(now);
    this.positionCache = null;
    this.expireTimeLimits();
    // An empty queue needs neither new priorities nor a pass (the common case in a light load).
    if (this.waiting.size > 0) {
      if (this.weighted && this.now - this.lastPriority >= this.priorityPeriod) {
        this.lastPriority = this.now;
        this.fs.rank(this.now);
        this.waiting.reprioritize(this.now);
      }
      if (this.config.scheduler.policy === 'conservative') this.passConservative();
      else this.passEasyOrFcfs(this.config.scheduler.policy === 'fcfs');
    } else {
      this.lastReservation = null;
      this.headJobId = -1;
      this.backfillOwed = false;
    }
    // Most passes in a light load decide nothing: share one empty list rather than allocate.
    const decisions = this.outbox.length === 0 ? NO_DECISIONS : this.outbox;
    if (decisions !== NO_DECISIONS) this.outbox = [];
    const deadline = this.nextDeadline();
    // A skipped backfill is made up at the next interval even if no event comes first.
    const backfillAt = this.backfillOwed && this.waiting.size > 0 ? this.lastBackfill + this.backfillInterval : null;
    const wakeAt = backfillAt === null ? deadline : deadline === null ? backfillAt : Math.min(deadline, backfillAt);
    return { decisions, wakeAt };
  }

  private expireTimeLimits(): void {
    for (let t = this.nextDeadlineTask(); t !== null && t.deadline <= this.now; t = this.nextDeadlineTask()) {
      this.deadlines.pop();
      t.filedAt = NEVER;
      const node = t.node as NodeRt;
      this.release(t);
      t.state = 'TIMEOUT';
      this.outbox.push({ type: 'kill', taskId: t.id, jobId: t.job.id, node: node.spec.name, reason: 'timeout' });
      this.endJob(t.job, 'TIMEOUT', 'failed-sibling');
    }
  }

  private nextDeadline(): Ms | null {
    return this.nextDeadlineTask()?.deadline ?? null;
  }

  /** The running task whose time limit comes first, dropping or refiling stale entries. */
  private nextDeadlineTask(): TaskRt | null {
    for (let t = this.deadlines.peek(); t !== undefined; t = this.deadlines.peek()) {
      if (t.state === 'RUNNING' && t.deadline === t.filedAt) return t;
      this.deadlines.pop();
      t.filedAt = NEVER;
      if (t.state === 'RUNNING') {
        // Restarted since it was filed: file it again under its current deadline.
        t.filedAt = t.deadline;
        this.deadlines.push(t.filedAt, t.id, t);
      }
    }
    return null;
  }

  /** The `sprio` breakdown of a job's priority now. */
  private priorityOf(job: JobRt): PriorityBreakdown {
    if (!this.weighted) return ZERO_PRIORITY;
    const w = this.config.scheduler.weights;
    const age = w.age * Math.min(1, (this.now - job.submittedAt) / w.maxAgeMs);
    const fairshare = w.fairshare * this.fs.factor(job.account.name);
    const qos = w.qos * job.qos.priorityFactor;
    const partition = w.partition * job.partition.spec.priorityFactor;
    const size = w.size * Math.min(1, job.totalCores / this.clusterCores);
    return { age, fairshare, qos, partition, size, total: age + fairshare + qos + partition + size };
  }

  /** The parts of a job's priority that never change while it waits. */
  private staticPriority(job: JobRt): number {
    const w = this.config.scheduler.weights;
    return w.qos * job.qos.priorityFactor + w.partition * job.partition.spec.priorityFactor + w.size * Math.min(1, job.totalCores / this.clusterCores);
  }

  /** Why a job may not start now regardless of resources, or null. */
  private gate(job: JobRt): PendingReason | null {
    for (const d of job.deps) {
      const st = this.byId.get(d.jobId)?.state ?? this.ended.get(d.jobId) ?? 'COMPLETED';
      const done = TERMINAL.has(st);
      if (d.kind === 'afterany' && !done) return 'Dependency';
      if (d.kind === 'afterok' && st !== 'COMPLETED') return done ? 'DependencyNeverSatisfied' : 'Dependency';
      if (d.kind === 'afternotok' && (!done || st === 'COMPLETED')) return st === 'COMPLETED' ? 'DependencyNeverSatisfied' : 'Dependency';
    }
    if (job.singleton && this.singletons.get(`${job.owner}\u0000${job.name}`)?.[0] !== job.id) return 'Dependency';
    if (job.array && job.runningCount === 0 && job.array.running >= job.array.limit) return 'JobArrayTaskLimit';
    // Consent found in order stays in order until a consent record changes: a backfill pass
    // gates the same waiting jobs again and again.
    if (job.consentOkAt !== this.consentVersion) {
      for (const p of job.pseudonyms) {
        const s = this.consent.get(p);
        if (job.purpose === 'treatment' ? s !== 'granted' && s !== 'restricted' : s !== 'granted') return 'ConsentHold';
      }
      job.consentOkAt = this.consentVersion;
    }
    return null;
  }

  /** Keeps the set of open nodes current after a node's resources or state changed. */
  private touch(n: NodeRt): void {
    n.ends = null;
    this.free.update(n);
    this.freeStale = true;
  }

  /** Refreshes the largest free core counts (overall, and away from the reserved node). */
  private refreshFree(reserved: NodeRt | null): void {
    if (!this.freeStale) return;
    this.maxFree = this.free.maxFree();
    this.maxOther = reserved === null ? this.maxFree : this.free.maxFreeExcept(reserved);
    this.freeStale = false;
  }

  private canPreempt(job: JobRt): boolean {
    return this.config.scheduler.preemption && job.qos.canPreempt && !job.partition.spec.preemptible;
  }

  /** Urgent clinical work that cannot start otherwise requeues the fewest, youngest research tasks. */
  private preemptFor(t: TaskRt): boolean {
    const v = findVictims(t.job.partition, t.cores, t.memMb);
    if (v === null) return false;
    for (const victim of v.tasks) {
      this.release(victim);
      victim.preemptions++;
      this.outbox.push({ type: 'preempt', taskId: victim.id, jobId: victim.job.id, node: v.node.spec.name });
      this.backToQueue(victim);
    }
    this.start(t, v.node);
    return true;
  }

  /**
   * FCFS and EASY. Tasks start in queue order while they fit. FCFS stops at the first that
   * does not; EASY gives that one a reservation (the earliest time a node can host it) and
   * lets later tasks start now only if they do not delay it: they end before the
   * reservation, or use a node other than the reserved one, or only what it can spare.
   */
  private passEasyOrFcfs(fcfs: boolean): void {
    // Between backfill intervals an EASY pass only starts tasks in order (Slurm's main loop).
    const backfill = !fcfs && this.now - this.lastBackfill >= this.backfillInterval;
    if (backfill) this.lastBackfill = this.now;
    const st: EasyPass = { fcfs: !backfill, depth: this.config.scheduler.backfillDepth, reservation: null, head: null, blocked: false, noVictimCores: Infinity };
    this.tested = 0;
    this.freeStale = true;
    this.waiting.walk((job) => this.easyVisit(job, st));
    this.waiting.compact();
    this.backfillOwed = !fcfs && !backfill && st.blocked;
    this.lastReservation = null;
    this.headJobId = st.head?.job.id ?? -1;
    if (st.reservation !== null && st.head !== null) {
      this.lastReservation = { taskId: st.head.id, jobId: st.head.job.id, node: st.reservation.node.spec.name, at: st.reservation.at };
    }
  }

  /** One job of an FCFS/EASY pass; false ends the pass. */
  private easyVisit(job: JobRt, st: EasyPass): boolean {
    // Stop once nothing behind can start: FCFS is blocked, the backfill depth is used up, or
    // no core is free and no urgent work could preempt. The rest keeps its reasons.
    if (st.blocked || this.tested >= st.depth) return false;
    this.refreshFree(st.reservation?.node ?? null);
    if (this.maxFree === 0 && (this.urgentQueued === 0 || this.preemptibleRunning === 0)) {
      if (st.head === null) {
        st.head = this.markHead(job);
        if (st.head !== null && !st.fcfs) st.reservation = reserveEarliest(job.partition, st.head.cores, st.head.memMb, this.now);
      }
      return false;
    }
    if (job.ready.length === 0) {
      job.reason = 'Dependency';
      return true;
    }
    const gate = this.gate(job);
    if (gate !== null) {
      job.reason = gate;
      return true;
    }
    job.reason = st.reservation === null ? 'Resources' : 'Priority';
    if (st.reservation !== null) this.tested++;
    let k = 0;
    while (k < job.ready.length) {
      const t = job.ready[k] as TaskRt;
      // A start takes the task off job.ready, so k then points at the next one.
      if (this.tryStart(t, st.reservation)) continue;
      if (this.canPreempt(job) && t.cores < st.noVictimCores) {
        if (this.preemptFor(t)) continue;
        st.noVictimCores = t.cores;
      }
      if (st.fcfs) {
        st.blocked = true;
        st.head = t;
        job.reason = 'Resources';
        return true;
      }
      if (st.reservation === null) {
        st.reservation = reserveEarliest(job.partition, t.cores, t.memMb, this.now);
        st.head = t;
        this.freeStale = true;
        job.reason = 'Resources';
      }
      k++;
    }
    return true;
  }

  /**
   * When a full cluster ends a pass early, the first job that could run on resources alone is
   * still the one waiting for Resources (what squeue would show).
   */
  private markHead(job: JobRt): TaskRt | null {
    if (job.ready.length === 0 || this.gate(job) !== null) return null;
    job.reason = 'Resources';
    return job.ready[0] ?? null;
  }

  private tryStart(t: TaskRt, r: Reservation | null): boolean {
    this.refreshFree(r?.node ?? null);
    if (t.cores > this.maxFree) return false;
    const endsBefore = r === null || this.now + t.timeLimitMs <= r.at;
    if (!endsBefore && r !== null && t.cores > Math.max(this.maxOther, r.extraCores)) return false;
    const n = this.free.pick(t.job.partition, t.cores, t.memMb, t.job.container, endsBefore ? null : r);
    if (n === null) return false;
    if (!endsBefore && r !== null && n === r.node) {
      r.extraCores -= t.cores;
      r.extraMem -= t.memMb;
    }
    this.start(t, n);
    return true;
  }

  /**
   * Conservative backfill: every blocked task, in queue order and up to `backfillDepth`,
   * gets a reservation in per-node availability profiles; a task starts now only where its
   * whole time limit fits without touching any earlier reservation.
   */
  private passConservative(): void {
    const profiles = new Map<NodeRt, NodeProfile>();
    const profile = (n: NodeRt): NodeProfile => {
      let p = profiles.get(n);
      if (!p) {
        p = new NodeProfile(n, this.now);
        profiles.set(n, p);
      }
      return p;
    };
    let reserved = 0;
    const depth = this.config.scheduler.backfillDepth;
    this.waiting.walk((job) => {
      if (reserved >= depth || job.ready.length === 0) {
        job.reason = job.ready.length === 0 ? 'Dependency' : 'Priority';
        return true;
      }
      const gate = this.gate(job);
      if (gate !== null) {
        job.reason = gate;
        return true;
      }
      let i = 0;
      while (i < job.ready.length && reserved < depth) {
        const t = job.ready[i] as TaskRt;
        this.refreshFree(null);
        const n =
          t.cores > this.maxFree
            ? null
            : this.free.pick(job.partition, t.cores, t.memMb, job.container, null, (c) => profile(c).earliest(t.cores, t.memMb, t.timeLimitMs) === this.now);
        if (n !== null || (this.canPreempt(job) && this.preemptFor(t))) {
          if (n !== null) {
            profile(n).reserve(this.now, t.timeLimitMs, t.cores, t.memMb);
            this.start(t, n);
          } else profiles.clear(); // victims left: rebuild profiles from the new state
          continue; // the start took the task off job.ready
        }
        let best: { n: NodeRt; at: Ms } | null = null;
        for (const c of job.partition.nodes) {
          if (!c.up || c.drain || c.spec.cores < t.cores || c.spec.memMb < t.memMb) continue;
          const at = profile(c).earliest(t.cores, t.memMb, t.timeLimitMs);
          if (at !== null && (best === null || at < best.at)) best = { n: c, at };
        }
        if (best !== null) profile(best.n).reserve(best.at, t.timeLimitMs, t.cores, t.memMb);
        job.reason = reserved === 0 ? 'Resources' : 'Priority';
        reserved++;
        i++;
      }
      return true;
    });
    this.waiting.compact();
  }

  // ------------------------------------------------------------------ views

  job(id: number): JobView | undefined {
    const job = this.byId.get(id);
    if (!job) return undefined;
    return this.viewOf(job, job.state === 'PENDING' ? (this.positions().get(job.id) ?? null) : null);
  }

  jobs(filter: JobFilter = {}): JobView[] {
    const pos = this.positions();
    const out: JobView[] = [];
    for (const job of this.byId.values()) {
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

  /** The head task's reservation from the last EASY pass, or null. */
  reservation(): { taskId: number; jobId: number; node: string; at: Ms } | null {
    return this.lastReservation === null ? null : { ...this.lastReservation };
  }

  /** The earliest time a pending task could start given what runs now (by time limits). */
  earliestStart(taskId: number): Ms | null {
    const t = this.tasks.get(taskId);
    if (!t || t.state !== 'PENDING') return null;
    return reserveEarliest(t.job.partition, t.cores, t.memMb, this.now)?.at ?? null;
  }

  task(taskId: number): (TaskView & { jobId: number }) | undefined {
    const t = this.tasks.get(taskId);
    return t ? { ...taskView(t), jobId: t.job.id } : undefined;
  }

  runningTasks(): RunningTaskView[] {
    const out: RunningTaskView[] = [];
    for (const n of this.nodeList) {
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
    return this.nodeList.map(nodeView);
  }

  cluster(): ClusterView {
    let pendingJobs = 0;
    let runningJobs = 0;
    let pendingTasks = 0;
    let runningTasks = 0;
    for (const j of this.byId.values()) {
      if (j.state === 'PENDING') pendingJobs++;
      else if (j.state === 'RUNNING') runningJobs++;
      if (!TERMINAL.has(j.state)) {
        pendingTasks += j.pendingCount;
        runningTasks += j.runningCount;
      }
    }
    return clusterView(this.config.name, this.containers, this.nodeList, { pendingJobs, runningJobs, pendingTasks, runningTasks });
  }

  fairshare(): FairShareView[] {
    this.fs.rank(this.now);
    return this.fs.view();
  }

  consentOf(pseudonym: string): ConsentStatus | null {
    return this.consent.get(pseudonym) ?? null;
  }

  /** How many jobs and tasks the core holds in memory (the driver's cue to forget). */
  get size(): { jobs: number; tasks: number } {
    return { jobs: this.byId.size, tasks: this.tasks.size };
  }

  private pendingInOrder(): JobRt[] {
    return this.waiting.all().filter((j) => j.state === 'PENDING');
  }

  /** Queue positions, computed once per state change (views may be asked for often). */
  private positions(): Map<number, number> {
    if (this.positionCache === null) this.positionCache = new Map(this.pendingInOrder().map((j, i) => [j.id, i + 1]));
    return this.positionCache;
  }

  private viewOf(job: JobRt, position: number | null): JobView {
    // Reasons of jobs a pass did not reach are from earlier passes; only the head holds Resources.
    const stale: PendingReason = job.reason === 'Resources' && job.id !== this.headJobId && this.config.scheduler.policy !== 'conservative' ? 'Priority' : job.reason;
    const reason: PendingReason = job.state === 'PENDING' ? (this.gate(job) ?? stale) : 'None';
    return jobView(job, reason, job.state === 'PENDING' ? position : null, this.priorityOf(job));
  }
}

function insertByIndex(list: TaskRt[], t: TaskRt): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as TaskRt).index > t.index) i--;
  insertAt(list, i, t);
}

function maxMemFor(part: PartitionRt, cores: number): number {
  let m = 0;
  for (const n of part.nodes) if (n.spec.cores >= cores && n.spec.memMb > m) m = n.spec.memMb;
  return m;
}
