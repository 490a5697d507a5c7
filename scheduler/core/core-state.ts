// The core's state: every collection and counter, and the transitions the rest of the pipeline
// shares. Events (events.ts) and planners (policies/) change jobs, tasks and nodes only through
// these methods, so the bookkeeping (free-core index, queue membership, counters, fair-share
// usage, decisions out) stays in one place. Filters and the read model only read it.
import { FairShare } from './fairshare.js';
import { EndOrder } from './end-order.js';
import { FreeIndex } from './free-index.js';
import { DeadlineLanes } from './deadline-lanes.js';
import { Outbox } from './outbox.js';
import { KeyedHeap } from './heap.js';
import { IdTable } from './id-table.js';
import { insertAt, removeAt, SlotList } from './lists.js';
import { successorsOf, successorsScratch, type TableScratch } from './dag.js';
import { findVictims, type Reservation } from './placement.js';
import { reserveEarliest } from './reservation.js';
import { PendingQueue } from './queue.js';
import { defaultTaskName, minCoresOf, NEVER, NO_READY, readyOf, shared, singletonKey, TERMINAL, ZERO_PRIORITY, type ArrayGroup, type JobRt, type NodeRt, type PartitionRt, type ResvRt, type Successors, type TaskRt } from './state.js';
import { NODE_FILTERS } from './filters/index.js';
import { consentConfig } from './config.js';
import { jobConsented } from './consent-rules.js';
import type { AccountSpec, ClusterConfig, ConsentConfig, ConsentStatus, Decision, PowerDecision, JobState, KillReason, Ms, PendingReason, PriorityBreakdown, QosSpec } from './types.js';
export type { KillReason } from './types.js';
import type { CheckedTask, CleanJob } from './validate.js';
import { PowerSaver } from './power-save.js';
import { LimitBook } from './limits.js';

/** The most jobs CoreState.touched holds; past it the log is marked overflowed (and its user starts over). */
const TOUCH_CAP = 8192;

/** A task requeued more often than this after node failures fails its job with NODE_FAIL. */
export const MAX_NODE_REQUEUES = 5;



/** How many distinct task graphs CoreState.shareSuccessors keeps. */
const SUCCESSOR_TABLES_MAX = 1024;
/**
 * Graphs of more edges are not shared: a job may have 100,000 tasks, so 1,024 tables kept
 * would hold a gigabyte (in every snapshot too). Pipeline templates, which sharing is for,
 * have tens of edges.
 */
const SHARED_GRAPH_MAX_EDGES = 512;
export class CoreState {
  /** The config in force; `reconfigure` (reconfigure.ts) replaces it. */
  config: ClusterConfig;
  readonly nodeList: NodeRt[];
  readonly nodeByName = new Map<string, NodeRt>();
  readonly containers: string[];
  readonly partitions = new Map<string, PartitionRt>();
  readonly qos = new Map<string, QosSpec>();
  readonly accounts: Map<string, AccountSpec>;
  fs: FairShare;
  readonly byId = new Map<number, JobRt>();
  readonly tasks = new IdTable<TaskRt>();
  /** Each job array's indices by its id (its first element's): aftercorr pairs elements by index. */
  readonly arrays = new Map<number, readonly number[]>();
  /** Final states of jobs the driver asked us to forget, for dependency checks. */
  readonly ended = new Map<number, JobState>();
  /**
   * Successor tables by a hash of their contents (see shareSuccessors): the jobs of one
   * pipeline template have the same task graph, and a 60,000-analysis burst held ~40 bytes a
   * task in copies of it. (Keys were strings before: an older snapshot's keys match no hash,
   * which only loses sharing for the graphs it held.)
   */
  readonly successorTables = new Map<number, Successors>();
  readonly consent = new Map<string, ConsentStatus>();
  consentCfg: Readonly<ConsentConfig>;
  /**
   * Bumped by every consent change that an unended job reads (see JobRt.consentOkAt): a record
   * no such job reads changes no job's consent, and the steady NGC run's new patients (one
   * record before nearly every submission) made every waiting job look its consent up again.
   */
  consentVersion = 0;
  /**
   * Unended jobs that read each pseudonym (a job reading none is not filed): the job itself
   * while it is the only one, as it mostly is, else a Set of them in the order they came. A
   * Set for each pseudonym of each job was over a quarter of createJob's own time in the NGC
   * steady run, and lived (and was promoted) as long as the job.
   */
  readonly readers = new Map<string, JobRt | Set<JobRt>>();
  /**
   * Jobs a consent change held, by when their hold runs out (consent.holdLimitMs after the
   * change). A job released meanwhile leaves a stale entry, checked when it comes up.
   */
  readonly consentHolds = new KeyedHeap<JobRt>();
  /** owner + name → ids of its unfinished singleton jobs, oldest first. */
  readonly singletons = new Map<string, number[]>();
  readonly waiting: PendingQueue;
  /** Running tasks by when their time limit runs out (each filed while it runs, and only then). */
  readonly deadlines = new DeadlineLanes<TaskRt>();
  /** Pending jobs with a begin time, by that time (stale entries are dropped when met). */
  readonly beginTimes = new KeyedHeap<JobRt>();
  /** Decisions since the last pass handed them out. */
  readonly outbox = new Outbox();
  /** Power saving's decisions since the last pass returned them. */
  powerOut: PowerDecision[] = [];
  nextJobId = 1;
  nextTaskId = 1;
  now: Ms = 0;
  readonly weighted: boolean;
  readonly clusterCores: number;
  /** Nodes that are up, not draining and have a free core, indexed for placement. */
  readonly free: FreeIndex;
  maxFree = 0;
  /** Largest free cores on an open node other than the EASY-reserved one. */
  maxOther = 0;
  freeStale = true;
  /** Bumped whenever a task gives resources back: what did not fit before may fit now (fit-memo.ts). */
  releases = 0;
  /** Running tasks that preemption could take, and queued jobs that could preempt. */
  preemptibleRunning = 0;
  urgentQueued = 0;
  /** Jobs in state PENDING. */
  pendingJobs = 0;
  /**
   * Jobs in state RUNNING, and the pending and running tasks of jobs not ended: kept as they
   * change (like pendingJobs), so the cluster's view (read every second for /metrics) walks no
   * job. recount() derives them from the jobs.
   */
  runningJobs = 0;
  pendingTasks = 0;
  runningTasks = 0;
  /** Number of the latest pass (see pass.ts); JobRt.reasonPass refers to it. */
  pass = 0;
  /** Bumped by every event and pass: the read model's caches are valid for one value. */
  changes = 0;
  /** The reason of the node filter that last turned a node away (see admits). */
  rejectedBy: PendingReason | null = null;
  /** Advance reservations by name (advance-reservations.ts); each also listed on its nodes. */
  readonly resv = new Map<string, ResvRt>();
  /** Power saving's policy step (power-save.ts); null when the config has none. */
  readonly power: PowerSaver | null;
  /** Bumped whenever a job joins the queue: power saving refits waiting work only after a change. */
  queueChanges = 0;
  /**
   * Bumped by what may change which waiting jobs a pass passes over, or their order, other than
   * a job's own queue membership and ready tasks (those are logged in `touched`): priorities
   * recalculated, holds, updates, node and partition state, reconfiguration (see pass-over-memo.ts).
   */
  planEpoch = 0;
  /** While `touchOn`: jobs whose queue membership or ready tasks changed, in order (may repeat). */
  readonly touched: JobRt[] = [];
  touchOn = false;
  /** More than TOUCH_CAP jobs were touched since the log was last emptied: it no longer holds them all. */
  touchOverflow = false;
  /** A node became idle or busy, or changed state: power saving looks at the nodes again. */
  powerDirty = true;
  /** QoS and account limits and their usage (limits.ts); `limits.on` is false when none is configured. */
  limits: LimitBook;

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
      power: 'on' as const,
      idleAt: NEVER,
      bootAt: NEVER,
      running: new SlotList<TaskRt>(),
      preemptibleTasks: 0,
      preemptibleCores: 0,
      preemptibleMem: 0,
      ends: new EndOrder(),
      resv: null,
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
        open: nodes.length,
      });
    }
    for (const q of config.qos) this.qos.set(q.name, q);
    this.accounts = new Map(config.accounts.map((a) => [a.name, a]));
    this.consentCfg = consentConfig(config);
    const w = config.scheduler.weights;
    this.fs = new FairShare(config.accounts, w.usageHalfLifeMs);
    this.weighted = w.age + w.fairshare + w.qos + w.partition + w.size > 0;
    this.waiting = new PendingQueue(w, (j) => this.staticPriority(j), (a) => this.fs.factor(a));
    this.clusterCores = this.nodeList.reduce((s, n) => s + n.spec.cores, 0);
    this.power = config.powerSave ? new PowerSaver(this, config.powerSave) : null;
    this.limits = new LimitBook(config);
  }

  advance(now: Ms): void {
    if (Number.isFinite(now) && now > this.now) this.now = Math.floor(now);
  }

  // ------------------------------------------------------------------ jobs in

  /**
   * The one table with the contents of `t` (read-only, so jobs share it), found by a hash of
   * its contents: a key string built of them for every job was a few percent of a 4.5-year
   * replay. A table whose hash another graph holds keeps its own (sharing lost, nothing else).
   * Cleared when it holds SUCCESSOR_TABLES_MAX graphs: a stream of distinct graphs only loses
   * the sharing. Graphs of more than SHARED_GRAPH_MAX_EDGES edges keep their own table.
   */
  shareSuccessors(t: Successors): Successors {
    if (t.list.length === 0 || t.list.length > SHARED_GRAPH_MAX_EDGES) return t;
    const key = tableHash(t);
    const known = this.successorTables.get(key);
    if (known !== undefined) return sameNumbers(known.at, t.at) && sameNumbers(known.list, t.list) ? known : t;
    if (this.successorTables.size >= SUCCESSOR_TABLES_MAX) this.successorTables.clear();
    this.successorTables.set(key, t);
    return t;
  }

  /**
   * shareSuccessors(successorsOf(after)), without building the table when an equal one is
   * shared already (the usual case: jobs of one pipeline template). Same tables, same sharing.
   */
  successorsFor(after: readonly (readonly number[])[]): Successors {
    const n = after.length;
    if (n === 1 && (after[0] as readonly number[]).length === 0) return successorsOf(after);
    const sc = successorsScratch(after);
    if (sc.edges === 0 || sc.edges > SHARED_GRAPH_MAX_EDGES) return successorsOf(after);
    const key = scratchHash(sc);
    const known = this.successorTables.get(key);
    if (known !== undefined) return sameAsScratch(known, sc) ? known : tableOf(sc);
    const t = tableOf(sc);
    if (this.successorTables.size >= SUCCESSOR_TABLES_MAX) this.successorTables.clear();
    this.successorTables.set(key, t);
    return t;
  }

  createJob(c: CleanJob, successors: Successors, array: ArrayGroup | null, arrayIndex: number | null): number {
    const id = this.nextJobId++;
    const job: JobRt = {
      // Fields first that a pass reads of every job it walks past (liveness in the queue and its
      // sort key, which a rebuild of the walk order reads of each job it merges, then what a
      // pass-over asks): V8 lays fields out in this order, and a backfill pass over hundreds of
      // waiting jobs is bound by the cache lines it touches in each record.
      id,
      queued: false,
      laneCapped: null,
      capped: false,
      laneKey: null,
      readyMinCores: NO_READY,
      passTag: -1,
      hold: c.hold ? 'user' : null,
      beginAt: c.beginAt,
      deps: shared(c.deps),
      singleton: c.singleton,
      array,
      consentOkAt: -1,
      partition: c.partition,
      qos: c.qos,
      reservation: c.reservation,
      submittedAt: this.now,
      orderGen: -1,
      account: this.accounts.get(c.account) as AccountSpec,
      state: 'PENDING',
      ready: [],
      displayId: array === null ? String(id) : `${array.baseId}_${arrayIndex}`,
      name: c.name,
      owner: c.owner,
      purpose: c.purpose,
      pseudonyms: shared(c.pseudonyms),
      cls: c.cls,
      depsAny: c.depsAny,
      arrayIndex,
      tasks: new Array<TaskRt>(c.tasks.length),
      totalCores: c.tasks.reduce((s, t) => s + t.cores, 0),
      startedAt: NEVER,
      endedAt: NEVER,
      pendingCount: c.tasks.length,
      runningCount: 0,
      completedCount: 0,
      container: -1,
      reason: 'Priority',
      reasonPass: -1,
      successors,
      endReason: null,
      consentHeldUntil: NEVER,
      nice: c.nice,
    };
    if (c.beginAt > this.now) this.beginTimes.push(c.beginAt, id, job);
    this.pendingJobs++;
    this.pendingTasks += c.tasks.length;
    const defaultTime = this.limits.on ? this.limits.defaultTime(c.qos.name, c.account, c.partition.spec.defaultTimeMs) : c.partition.spec.defaultTimeMs;
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
        limitSlot: -1,
        attempts: 1,
        preemptions: 0,
        requeues: 0,
      };
      job.tasks[index] = task;
      this.tasks.add(task.id, task);
    }
    job.ready = readyOf(job.tasks);
    job.readyMinCores = minCoresOf(job.ready);
    if (job.singleton) {
      const key = singletonKey(job);
      const list = this.singletons.get(key) ?? [];
      list.push(id);
      this.singletons.set(key, list);
    }
    this.byId.set(id, job);
    if (this.limits.on) this.limits.submitted(job, 1);
    const pseudonyms = job.pseudonyms;
    for (let i = 0; i < pseudonyms.length; i++) {
      const p = pseudonyms[i] as string;
      const r = this.readers.get(p);
      if (r === undefined) this.readers.set(p, job);
      else if (r instanceof Set) r.add(job);
      else if (r !== job) this.readers.set(p, new Set<JobRt>().add(r).add(job));
    }
    this.enqueue(job);
    return id;
  }

  // ------------------------------------------------------------------ task and job lifecycle

  /** Sets the job and task counts from the jobs themselves (after restoring a snapshot taken before they were kept). */
  recount(): void {
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
    this.pendingJobs = pendingJobs;
    this.runningJobs = runningJobs;
    this.pendingTasks = pendingTasks;
    this.runningTasks = runningTasks;
  }

  start(t: TaskRt, n: NodeRt): void {
    const job = t.job;
    n.freeCores -= t.cores;
    n.freeMem -= t.memMb;
    if (n.running.size === 0) this.powerDirty = true;
    n.running.add(t);
    this.touch(n);
    if (job.partition.spec.preemptible) {
      this.preemptibleRunning++;
      n.preemptibleTasks++;
      n.preemptibleCores += t.cores;
      n.preemptibleMem += t.memMb;
    }
    t.state = 'RUNNING';
    t.node = n;
    t.lastNode = n;
    t.startedAt = this.now;
    t.endedAt = NEVER;
    t.starts++;
    n.ends.add(t);
    job.pendingCount--;
    this.pendingTasks--;
    this.runningTasks++;
    // Only jobs with a task ready to start wait in the queue: a DAG job whose next tasks wait
    // for running ones would otherwise be looked at by every pass for nothing.
    if (this.touchOn) this.touchJob(job);
    const r = job.ready.indexOf(t);
    if (r >= 0) {
      removeAt(job.ready, r);
      if (t.cores === job.readyMinCores) job.readyMinCores = minCoresOf(job.ready);
    }
    if (job.ready.length === 0) this.dequeue(job);
    if (this.limits.on) this.limits.running(job, t.cores, job.runningCount === 0 ? 1 : 0);
    if (job.runningCount++ === 0 && job.array) job.array.running++;
    if (job.state === 'PENDING') this.pendingJobs--;
    if (job.state !== 'RUNNING') this.runningJobs++;
    job.state = 'RUNNING';
    if (job.startedAt === NEVER) job.startedAt = this.now;
    if (job.container < 0) job.container = n.containerIdx;
    this.fs.running(job.account.name, t.cores, this.now);
    // Killed only past the limit plus Slurm's OverTimeLimit grace; plans still use the limit itself.
    const limit = t.timeLimitMs + (this.config.scheduler.overTimeLimitMs ?? 0);
    this.deadlines.add(t, this.now + t.timeLimitMs + (this.config.scheduler.overTimeLimitMs ?? 0), limit);
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
  release(t: TaskRt): void {
    const n = t.node;
    const job = t.job;
    this.releases++;
    if (n) {
      n.freeCores += t.cores;
      n.freeMem += t.memMb;
      n.running.delete(t);
      n.ends.delete(t);
      if (n.running.size === 0) {
        n.idleAt = this.now;
        this.powerDirty = true;
      }
      this.touch(n);
      if (job.partition.spec.preemptible) {
        this.preemptibleRunning--;
        n.preemptibleTasks--;
        n.preemptibleCores -= t.cores;
        n.preemptibleMem -= t.memMb;
      }
    }
    t.node = null;
    t.endedAt = this.now;
    this.deadlines.remove(t);
    this.fs.running(job.account.name, -t.cores, this.now);
    if (this.limits.on) this.limits.running(job, -t.cores, job.runningCount === 1 ? -1 : 0);
    this.runningTasks--;
    if (--job.runningCount === 0) {
      if (job.array) job.array.running--;
      if (job.state === 'RUNNING') {
        job.state = 'PENDING';
        this.pendingJobs++;
        this.runningJobs--;
        // Pending again (e.g. preempted mid-pass): no pass has looked at it as a pending job.
        job.reasonPass = -1;
      }
    }
  }

  /** A task goes back to waiting (retry, preemption, lost node): ready again at once. */
  backToQueue(t: TaskRt): void {
    t.state = 'PENDING';
    t.job.pendingCount++;
    this.pendingTasks++;
    insertReady(t.job, t);
    this.enqueue(t.job);
  }

  /** An operator requeued the task's job: stop it (as a preemption does) and queue it again. */
  requeueRunning(t: TaskRt): void {
    const node = t.node as NodeRt;
    this.release(t);
    t.requeues++;
    this.outbox.push({ type: 'preempt', taskId: t.id, jobId: t.job.id, node: node.spec.name });
    this.backToQueue(t);
  }

  requeueLost(t: TaskRt): void {
    this.release(t);
    t.requeues++;
    if (t.requeues > MAX_NODE_REQUEUES) {
      t.state = 'FAILED';
      this.endJob(t.job, 'NODE_FAIL', 'failed-sibling');
    } else this.backToQueue(t);
  }

  /** A task completed: its successors may become ready; the job ends when all did. */
  completed(t: TaskRt): void {
    const job = t.job;
    t.state = 'COMPLETED';
    job.completedCount++;
    const { at, list } = job.successors;
    for (let k = at[t.index] as number, end = at[t.index + 1] as number; k < end; k++) {
      const n = job.tasks[list[k] as number] as TaskRt;
      if (--n.waitingOn === 0 && n.state === 'PENDING') insertReady(job, n);
    }
    if (job.completedCount === job.tasks.length) this.endJob(job, 'COMPLETED', null);
    else this.enqueue(job);
  }

  /** Ends a job: running tasks are stopped (with `killReason`), waiting ones cancelled. */
  endJob(job: JobRt, state: JobState, killReason: KillReason | null): void {
    // Indexed loops: a for-of here allocated an iterator per job ended.
    const tasks = job.tasks;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i] as TaskRt;
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
    this.pendingTasks -= job.pendingCount;
    job.pendingCount = 0;
    // Usually empty already (its last task started): a new list would be garbage that the old
    // job record keeps alive until the next collection copies it.
    if (job.ready.length > 0) job.ready = [];
    job.readyMinCores = NO_READY;
    this.dequeue(job);
    if (job.state === 'PENDING') this.pendingJobs--;
    else if (job.state === 'RUNNING') this.runningJobs--;
    if (this.limits.on) this.limits.submitted(job, -1);
    job.state = state;
    job.endedAt = this.now;
    if (job.singleton) {
      const key = singletonKey(job);
      const list = (this.singletons.get(key) ?? []).filter((id) => id !== job.id);
      if (list.length > 0) this.singletons.set(key, list);
      else this.singletons.delete(key);
    }
    const pseudonyms = job.pseudonyms;
    for (let i = 0; i < pseudonyms.length; i++) {
      const p = pseudonyms[i] as string;
      const r = this.readers.get(p);
      if (r === job) this.readers.delete(p);
      else if (r instanceof Set) {
        r.delete(job);
        if (r.size === 0) this.readers.delete(p);
      }
    }
    this.outbox.push({ type: 'jobEnded', jobId: job.id, state });
  }

  // ------------------------------------------------------------------ consent at run time

  /**
   * A patient's consent changed. Every unended job reading their data that the new consent no
   * longer allows (research after a restriction; everything after a withdrawal) has its running
   * tasks stopped and requeued, and is held (the consent filter answers ConsentHold) until the
   * consent allows it again or its hold runs out (expireConsentHolds).
   */
  consentChanged(pseudonym: string, status: ConsentStatus): void {
    this.consent.set(pseudonym, status);
    const jobs = this.readers.get(pseudonym);
    if (jobs === undefined) return;
    this.consentVersion++;
    const until = this.now + this.consentCfg.holdLimitMs;
    if (jobs instanceof Set) for (const job of jobs) this.recheckConsent(job, until);
    else this.recheckConsent(jobs, until);
  }

  /** After a consent change: holds `job` (until `until`), stopping what it runs, unless its consent allows it now. */
  private recheckConsent(job: JobRt, until: Ms): void {
    if (jobConsented(job.purpose, job.pseudonyms, this.consent)) {
      // Allowed again: released (the filter lets it through), its hold entry now stale.
      job.consentHeldUntil = NEVER;
      return;
    }
    for (const t of job.tasks) {
      if (t.state !== 'RUNNING') continue;
      const node = t.node as NodeRt;
      this.release(t);
      this.backToQueue(t);
      this.outbox.push({ type: 'preempt', taskId: t.id, jobId: job.id, node: node.spec.name, reason: 'consent' });
    }
    if (job.consentHeldUntil === NEVER) {
      job.consentHeldUntil = until;
      this.consentHolds.push(until, job.id, job);
    }
  }

  /** Ends, as CANCELLED with reason ConsentWithdrawn, every job still held for consent past its limit. */
  expireConsentHolds(): void {
    for (let job = this.nextConsentHold(); job !== null && job.consentHeldUntil <= this.now; job = this.nextConsentHold()) {
      this.consentHolds.pop();
      job.consentHeldUntil = NEVER;
      job.endReason = 'ConsentWithdrawn';
      this.endJob(job, 'CANCELLED', 'consent-withdrawn');
    }
  }

  nextConsentHoldAt(): Ms | null {
    return this.nextConsentHold()?.consentHeldUntil ?? null;
  }

  /** The held job whose hold runs out first, dropping entries of jobs that ended or are allowed again. */
  private nextConsentHold(): JobRt | null {
    for (let job = this.consentHolds.peek(); job !== undefined; job = this.consentHolds.peek()) {
      const key = this.consentHolds.peekKey();
      // Only a job's latest entry counts: one released and held again has a later one.
      if (job.consentHeldUntil === key && !TERMINAL.has(job.state) && !jobConsented(job.purpose, job.pseudonyms, this.consent)) return job;
      this.consentHolds.pop();
      if (job.consentHeldUntil === key) job.consentHeldUntil = NEVER;
    }
    return null;
  }

  enqueue(job: JobRt): void {
    // Called after a job's ready tasks changed, also when it is queued already.
    if (this.touchOn) this.touchJob(job);
    if (job.queued || job.ready.length === 0 || TERMINAL.has(job.state)) return;
    if (this.canPreempt(job)) this.urgentQueued++;
    this.queueChanges++;
    this.waiting.add(job, this.now);
  }

  /** Logs a job whose queue membership or ready tasks change (see `touched`). */
  private touchJob(job: JobRt): void {
    if (this.touched.length < TOUCH_CAP) this.touched.push(job);
    else this.touchOverflow = true;
  }

  dequeue(job: JobRt): void {
    if (!job.queued) return;
    if (this.touchOn) this.touchJob(job);
    this.waiting.remove(job);
    if (this.canPreempt(job)) this.urgentQueued--;
  }

  // ------------------------------------------------------------------ nodes

  /** A node went down or came up, or started or stopped draining. */
  setNode(n: NodeRt, up: boolean, drain: boolean): void {
    const wasOpen = n.up && !n.drain;
    if (n.up && !up) {
      n.up = false;
      for (const t of n.running.toArray()) this.requeueLost(t);
      // A down node is down whatever its power was; it comes back on (and idle) when it is up again.
      n.power = 'on';
      n.bootAt = NEVER;
    }
    if (!n.up && up) n.idleAt = this.now;
    n.up = up;
    n.drain = drain;
    const open = n.up && !n.drain;
    if (open !== wasOpen) {
      for (const p of this.partitions.values()) if (p.member[n.idx] === 1) p.open += open ? 1 : -1;
      this.planEpoch++;
    }
    this.powerDirty = true;
    this.touch(n);
  }

  /** Power saving: suspend an idle node (it takes no work until resumed and reported up). */
  powerOff(n: NodeRt): void {
    n.power = 'off';
    this.powerDirty = true;
    this.touch(n);
    this.powerOut.push({ type: 'powerDown', node: n.spec.name });
  }

  /** Power saving: boot a suspended node; it takes work after its `poweredUp` event. */
  powerUp(n: NodeRt): void {
    n.power = 'booting';
    n.bootAt = this.now;
    this.powerDirty = true;
    this.powerOut.push({ type: 'powerUp', node: n.spec.name });
  }

  /** A booting node reported itself up: it is idle, and open for work. */
  poweredUp(n: NodeRt): void {
    n.power = 'on';
    n.bootAt = NEVER;
    n.idleAt = this.now;
    this.powerDirty = true;
    this.touch(n);
  }

  /** Keeps the set of open nodes current after a node's resources or state changed. */
  touch(n: NodeRt): void {
    this.free.update(n);
    this.freeStale = true;
  }

  /** Refreshes the largest free core counts (overall, and away from the reserved node). */
  refreshFree(reserved: NodeRt | null): void {
    if (!this.freeStale) return;
    this.maxFree = this.free.maxFree();
    this.maxOther = reserved === null ? this.maxFree : this.free.maxFreeExcept(reserved);
    this.freeStale = false;
  }

  /**
   * Whether every node filter (filters/index.ts) lets task `t` onto node `n` now. A refusal
   * leaves its reason in `rejectedBy` for the planner to record.
   */
  admits(n: NodeRt, t: TaskRt): boolean {
    // The node filters are all about advance reservations: none, nothing to ask.
    if (this.resv.size === 0) return true;
    for (let i = 0; i < NODE_FILTERS.length; i++) {
      const f = NODE_FILTERS[i] as (typeof NODE_FILTERS)[number];
      if (!f.admits(n, t, this)) {
        this.rejectedBy = f.reason;
        return false;
      }
    }
    return true;
  }

  /** The task `pick` is placing; read by `admitPlacing` (one bound function, no closure per call). */
  private placing: TaskRt | null = null;
  private readonly admitPlacing = (n: NodeRt): boolean => this.admits(n, this.placing as TaskRt);

  /**
   * The best open node for `t` now (placement.ts's ranking), sparing what `reserved` holds back,
   * or null. `admit` adds a planner's own condition (conservative's profiles).
   */
  pick(t: TaskRt, reserved: Reservation | null, admit?: (n: NodeRt) => boolean): NodeRt | null {
    const job = t.job;
    return this.free.pick(job.partition, t.cores, t.memMb, job.container, reserved, admit !== undefined ? admit : this.nodeFiltersFor(t));
  }

  /** EASY's head reservation for `t`: the earliest time a node of its partition can host it. */
  reserveEarliest(t: TaskRt): Reservation | null {
    return reserveEarliest(t.job.partition, t.cores, t.memMb, this.now, this.nodeFiltersFor(t));
  }

  /**
   * Whether node filters take part in placement now (they judge only advance reservations, so
   * not while there are none). While they do not, whether a task fits depends on its shape
   * alone, which lets a pass remember shapes that did not (fit-memo.ts).
   */
  nodeFiltersOn(): boolean {
    return NODE_FILTERS.length > 0 && this.resv.size > 0;
  }

  /** The node filters as a predicate for task `t`, or undefined when there are none (no cost). */
  private nodeFiltersFor(t: TaskRt): ((n: NodeRt) => boolean) | undefined {
    if (!this.nodeFiltersOn()) return undefined;
    this.placing = t;
    return this.admitPlacing;
  }

  // ------------------------------------------------------------------ preemption

  canPreempt(job: JobRt): boolean {
    return this.config.scheduler.preemption && job.qos.canPreempt && !job.partition.spec.preemptible;
  }

  /** Urgent clinical work that cannot start otherwise requeues the fewest, youngest research tasks. */
  preemptFor(t: TaskRt): boolean {
    const v = findVictims(t.job.partition, t.cores, t.memMb, this.nodeFiltersFor(t));
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

  // ------------------------------------------------------------------ time limits

  /** Kills every running task whose time limit passed by `upTo` (its job ends TIMEOUT). */
  expireTimeLimits(upTo: Ms = this.now): void {
    while (this.deadlines.peekKey() <= upTo) {
      const t = this.deadlines.peek() as TaskRt;
      const node = t.node as NodeRt;
      this.release(t);
      t.state = 'TIMEOUT';
      this.outbox.push({ type: 'kill', taskId: t.id, jobId: t.job.id, node: node.spec.name, reason: 'timeout' });
      this.endJob(t.job, 'TIMEOUT', 'failed-sibling');
    }
  }

  /** The earliest begin time still ahead of a pending job, or null (the pass wakes then). */
  nextBegin(): Ms | null {
    for (let j = this.beginTimes.peek(); j !== undefined; j = this.beginTimes.peek()) {
      const at = this.beginTimes.peekKey();
      if (j.state === 'PENDING' && j.beginAt === at && at > this.now) return at;
      this.beginTimes.pop();
    }
    return null;
  }

  /** Sets a pending job's begin time (0: none), filing it so the pass wakes at it. */
  setBegin(job: JobRt, at: Ms): void {
    job.beginAt = at;
    if (at > this.now) this.beginTimes.push(at, job.id, job);
  }

  /** Re-files a queued job after something its queue key depends on changed (nice, QoS). */
  requeueKey(job: JobRt, change: () => void): void {
    const urgent = job.queued && this.canPreempt(job);
    this.waiting.rekey(job, change);
    if (job.queued) this.urgentQueued += (this.canPreempt(job) ? 1 : 0) - (urgent ? 1 : 0);
  }

  nextDeadline(): Ms | null {
    return this.deadlines.size === 0 ? null : this.deadlines.peekKey();
  }

  // ------------------------------------------------------------------ priority

  /** The `sprio` breakdown of a job's priority now. */
  priorityOf(job: JobRt): PriorityBreakdown {
    if (!this.weighted) return job.nice === 0 ? ZERO_PRIORITY : { ...ZERO_PRIORITY, total: -job.nice };
    const w = this.config.scheduler.weights;
    const age = w.age * Math.min(1, (this.now - job.submittedAt) / w.maxAgeMs);
    const fairshare = w.fairshare * this.fs.factor(job.account.name);
    const qos = w.qos * job.qos.priorityFactor;
    const partition = w.partition * job.partition.spec.priorityFactor;
    const size = w.size * Math.min(1, job.totalCores / this.clusterCores);
    return { age, fairshare, qos, partition, size, total: age + fairshare + qos + partition + size - job.nice };
  }

  /** The parts of a job's priority that never change while it waits. */
  staticPriority(job: JobRt): number {
    const w = this.config.scheduler.weights;
    return w.qos * job.qos.priorityFactor + w.partition * job.partition.spec.priorityFactor + w.size * Math.min(1, job.totalCores / this.clusterCores) - job.nice;
  }
}

/** A task becomes ready: it joins the job's ready list at its index's place. */
function insertReady(job: JobRt, t: TaskRt): void {
  const list = job.ready;
  if (t.cores < job.readyMinCores) job.readyMinCores = t.cores;
  let i = list.length;
  while (i > 0 && (list[i - 1] as TaskRt).index > t.index) i--;
  insertAt(list, i, t);
}

/** The most memory a node of the partition with at least `cores` cores has. */
export function maxMemFor(part: PartitionRt, cores: number): number {
  let m = 0;
  for (const n of part.nodes) if (n.spec.cores >= cores && n.spec.memMb > m) m = n.spec.memMb;
  return m;
}

/** FNV-1a over a successor table's numbers; `at`'s length keeps the two arrays apart. */
function tableHash(t: Successors): number {
  let h = Math.imul(0x811c9dc5 ^ t.at.length, 0x01000193);
  for (let i = 0; i < t.at.length; i++) h = Math.imul(h ^ (t.at[i] as number), 0x01000193);
  for (let i = 0; i < t.list.length; i++) h = Math.imul(h ^ (t.list[i] as number), 0x01000193);
  return h;
}

/** tableHash of the table in `sc`. */
function scratchHash(sc: TableScratch): number {
  const n = sc.n + 1;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (sc.at[i] as number), 0x01000193);
  for (let i = 0; i < sc.edges; i++) h = Math.imul(h ^ (sc.list[i] as number), 0x01000193);
  return h;
}

function sameAsScratch(t: Successors, sc: TableScratch): boolean {
  if (t.at.length !== sc.n + 1 || t.list.length !== sc.edges) return false;
  for (let i = 0; i <= sc.n; i++) if (t.at[i] !== sc.at[i]) return false;
  for (let i = 0; i < sc.edges; i++) if (t.list[i] !== sc.list[i]) return false;
  return true;
}

/** The table in `sc` as plain arrays (what snapshots and successorsOf hold). */
function tableOf(sc: TableScratch): Successors {
  const at = new Array<number>(sc.n + 1);
  for (let i = 0; i <= sc.n; i++) at[i] = sc.at[i] as number;
  const list = new Array<number>(sc.edges);
  for (let i = 0; i < sc.edges; i++) list[i] = sc.list[i] as number;
  return { at, list };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
