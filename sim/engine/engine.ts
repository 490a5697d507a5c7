// The discrete-event loop. It owns virtual time and plays the part of every node agent: it feeds
// the scheduling core what happened (submissions, task ends, node failures) and carries out the
// core's decisions by holding cores for each task's modelled duration. It decides nothing itself:
// all policy lives in scheduler/core.
import {
  type ClusterConfig,
  type ConsentStatus,
  type CoreEvent,
  type Decision,
  type EventResult,
  type JobSpec,
  type JobState,
  type Ms,
  type PowerDecision,
  type StepResult,
  SlotList,
} from '../../scheduler/core/index.js';
import { EventHeap } from './heap.js';
import { createRng, type Rng } from './prng.js';
import { SimInvariantError, SimOptionError } from './errors.js';

/** The part of `SchedulerCore` the engine drives (the real core satisfies it structurally). */
export interface SchedulingCore {
  readonly config: ClusterConfig;
  /** Must not keep `event`: the engine refills one object for every task end (and forget). */
  apply(event: CoreEvent, now: Ms): EventResult;
  schedule(now: Ms): StepResult;
}

/** One submission of a workload (the shape of `WorkloadItem` in sim/workload). */
export interface Submission {
  submitAt: Ms;
  job: JobSpec;
  /** Consent records to apply just before the submission. */
  consent?: { pseudonym: string; status: ConsentStatus }[];
}

/** Callbacks through which metrics and writers watch a run; all optional. */
export interface SimObserver {
  /** The clock is about to move from `from` to `to`: integrate whatever was constant in between. */
  onAdvance?(from: Ms, to: Ms): void;
  onSubmitted?(jobIds: number[], item: Submission, now: Ms): void;
  onRejected?(item: Submission, code: string, message: string, now: Ms): void;
  /** `nodeIdx` is the node's position in `config.nodes`: per-task observers may index arrays by
   * it rather than look the name up (no gain measurable on a quiet host in the steady run). */
  onTaskStart?(taskId: number, jobId: number, node: string, cores: number, now: Ms, nodeIdx: number): void;
  /** The first start of any task of a job this engine submitted (called before that task's `onTaskStart`). */
  onJobStarted?(jobId: number, now: Ms): void;
  /** A task stopped holding cores: it ended, was killed or preempted, or its node went down. */
  onTaskStop?(taskId: number, jobId: number, node: string, cores: number, why: StopReason, now: Ms, nodeIdx: number): void;
  /** A job reached a terminal state (the engine then lets the core forget it). */
  onJobEnded?(job: EndedJob, now: Ms): void;
  onNodeDown?(node: string, now: Ms): void;
  onNodeUp?(node: string, now: Ms): void;
  /** Power saving: a node was suspended (`off`), resumed (`booting`) or finished booting (`on`). */
  onPower?(node: string, state: 'off' | 'booting' | 'on', now: Ms): void;
}

/** What the engine knows of a finished job: kept by the engine itself, so no core view is built per job. */
/** What the engine keeps of a job's spec while it runs (not its task list: a 4.5-year replay
 * would hold millions of task specs that the core has already copied). */
export type JobLabel = Pick<JobSpec, 'name' | 'owner' | 'account' | 'partition' | 'qos' | 'purpose' | 'class'>;

export interface EndedJob {
  id: number;
  spec: JobLabel;
  state: JobState;
  submittedAt: Ms;
  /** First start of any of its tasks; null when it never ran (e.g. cancelled while pending). */
  startedAt: Ms | null;
  endedAt: Ms;
  /** Cores of all its tasks together. */
  cores: number;
}

export type StopReason = 'completed' | 'timeout' | 'cancelled' | 'failed-sibling' | 'consent-withdrawn' | 'preempted' | 'consent' | 'node-down';

/** A task already holding cores when a run is taken up (`resume`). */
export interface ResumedTask {
  taskId: number;
  jobId: number;
  node: string;
  cores: number;
  /** Modelled time its cores free up. */
  endAt: Ms;
}

/** A job not yet ended when a run is taken up (`resume`). */
export interface ResumedJob {
  id: number;
  spec: JobLabel;
  cores: number;
  submittedAt: Ms;
  startedAt: Ms | null;
}

export interface FailureModel {
  /** Mean time between failures of one node. */
  mtbfMs: Ms;
  /** Mean time to repair. */
  mttrMs: Ms;
  seed: number;
}

export interface EngineOptions {
  /**
   * Order of events that share a timestamp. `ends-first` (default) frees cores before new work
   * arrives; `submits-first` is the order of the pyss simulator (submissions, then terminations).
   */
  tieOrder?: 'ends-first' | 'submits-first';
  /**
   * When to call `core.schedule`. `timestamp` (default): once after all events of a timestamp.
   * `event`: after every event, as pyss does.
   */
  schedulePer?: 'timestamp' | 'event';
  /**
   * Least modelled time between two passes (default 0: a pass at every instant something
   * changed). A pass due sooner waits for the interval's end, the events meanwhile applied at
   * their times; the rest of a pass cut at the start cap still runs at once. This is a live
   * driver's cadence: it runs a pass when the last one is done and the completions read since
   * are applied (bench:ngc measures it and simulates the live burst at it). Only with
   * `schedulePer: 'timestamp'`.
   */
  passIntervalMs?: Ms;
  /** Random node failures (exponential up and down times per node); none when absent. */
  failures?: FailureModel | null;
  observer?: SimObserver;
  /** Called about every `progressEvery` events (default 50,000) with the state of the run. */
  onProgress?: (p: Progress) => void;
  /** Asked as often as `onProgress`: true ends the run early (e.g. a capacity probe already lost). */
  stopWhen?: (p: Progress) => boolean;
  progressEvery?: number;
}

export interface Progress {
  now: Ms;
  events: number;
  jobsSubmitted: number;
  jobsEnded: number;
}

export interface SimOutcome {
  /** Virtual time when the run stopped. */
  endTime: Ms;
  /** The run was ended early by `stopWhen`. */
  stopped: boolean;
  /** Engine events handled: submissions, task ends, node failures and repairs, core wake-ups. */
  events: number;
  schedulePasses: number;
  jobsSubmitted: number;
  jobsRejected: number;
  jobsEnded: number;
  /** Jobs still open when nothing more could happen (e.g. a dependency that can never be met). */
  jobsUnfinished: number;
  tasksStarted: number;
  preemptions: number;
  timeouts: number;
  nodeFailures: number;
  /** Tasks whose cores were lost to a node failure (the core requeued them). */
  tasksLostToFailures: number;
  /** Modelled ends made void because the task stopped first (killed, preempted, node lost). */
  endsCancelled: number;
  /** Power saving: nodes suspended, and resumed. */
  powerDowns: number;
  powerUps: number;
}

/**
 * A started task's modelled end. The same object is the engine's record of the running task
 * (one allocation per start), filed under its node: an end that is no longer filed is stale.
 * Its time is only the heap's key: a time field was a store into a boxed double per start.
 */
interface TaskEnd {
  kind: 'end';
  taskId: number;
  jobId: number;
  node: string;
  nodeIdx: number;
  cores: number;
  /** Its place in its node's list of running tasks; -1 once it stopped. */
  slot: number;
}

type EngineEvent =
  | TaskEnd
  | { time: Ms; kind: 'nodeDown'; node: number }
  | { time: Ms; kind: 'nodeUp'; node: number }
  /** A resumed node has booted (the modelled resume delay after the core's powerUp). */
  | { time: Ms; kind: 'poweredUp'; node: number };

interface OpenJob {
  spec: JobLabel;
  cores: number;
  submittedAt: Ms;
  startedAt: Ms | null;
}

const NO_TIME = Number.POSITIVE_INFINITY;

export class SimEngine {
  private readonly heap = new EventHeap<EngineEvent>();
  /**
   * Running tasks by node; each is also that start's end event in the heap. Per node rather
   * than a map by task id: the lists are short (a node's tasks), and filing in and out is a
   * few array writes on a path taken millions of times.
   */
  private readonly onNode: SlotList<TaskEnd>[];
  private runningCount = 0;
  private readonly nodeIdx = new Map<string, number>();
  /** The node of the latest start and its index (see carryOut). */
  private lastStartNode = '';
  private lastStartIdx = 0;
  private readonly openJobs = new Map<number, OpenJob>();
  /** The open job of the latest start (see carryOut), if it is still open. */
  private lastStartJob: OpenJob | undefined = undefined;
  private lastStartJobId = -1;
  /**
   * End records the heap gave back, for the next starts: a record lives as long as its task
   * runs (hours of virtual time, many young-generation collections), so a new one per start
   * ended up as old-space garbage, which grew a 60,000-analysis burst's heap by hundreds of MiB
   * before a full collection.
   */
  private readonly spareEnds: TaskEnd[] = [];
  private readonly nodeNames: string[];
  private readonly nodeRng: Rng[] = [];
  private readonly tieOrder: 'ends-first' | 'submits-first';
  private readonly perEvent: boolean;
  /** EngineOptions.passIntervalMs (0: none), the last pass's instant, and whether it asked to go on at once (the start cap). */
  private readonly passEvery: Ms;
  private lastPassAt: Ms = Number.NEGATIVE_INFINITY;
  private goOn = false;
  private readonly observer: SimObserver;
  private readonly failures: FailureModel | null;
  private readonly progressEvery: number;
  private now: Ms = 0;
  private wakeAt: Ms = NO_TIME;
  private downNodes = 0;
  private readonly out: SimOutcome = {
    endTime: 0,
    stopped: false,
    events: 0,
    schedulePasses: 0,
    jobsSubmitted: 0,
    jobsRejected: 0,
    jobsEnded: 0,
    jobsUnfinished: 0,
    tasksStarted: 0,
    preemptions: 0,
    timeouts: 0,
    nodeFailures: 0,
    tasksLostToFailures: 0,
    endsCancelled: 0,
    powerDowns: 0,
    powerUps: 0,
  };
  /** Power saving's modelled boot time (the config's resumeDelayMs). */
  private readonly resumeDelayMs: Ms;
  /**
   * The task-end and forget events handed to the core, one of each refilled per use: the core
   * reads an event while applying it and keeps nothing of it, and a new object per task end
   * was millions of objects of garbage in a long replay.
   */
  private readonly endEvent: { type: 'taskEnded'; taskId: number; outcome: 'completed' } = { type: 'taskEnded', taskId: 0, outcome: 'completed' };
  private readonly forgetEvent: { type: 'forget'; jobId: number } = { type: 'forget', jobId: 0 };

  constructor(
    private readonly core: SchedulingCore,
    private readonly opts: EngineOptions = {},
  ) {
    this.tieOrder = opts.tieOrder ?? 'ends-first';
    this.perEvent = (opts.schedulePer ?? 'timestamp') === 'event';
    this.passEvery = opts.passIntervalMs ?? 0;
    if (!(this.passEvery >= 0) || !Number.isFinite(this.passEvery)) throw new SimOptionError('passIntervalMs', opts.passIntervalMs, 'a non-negative number of ms');
    if (this.passEvery > 0 && this.perEvent) throw new SimOptionError('passIntervalMs', opts.passIntervalMs, "0 with schedulePer 'event' (a pass after every event has no interval)");
    this.observer = opts.observer ?? {};
    this.failures = opts.failures ?? null;
    this.progressEvery = opts.progressEvery ?? 50_000;
    this.nodeNames = core.config.nodes.map((n) => n.name);
    this.nodeNames.forEach((name, i) => this.nodeIdx.set(name, i));
    this.onNode = this.nodeNames.map(() => new SlotList<TaskEnd>());
    this.resumeDelayMs = core.config.powerSave?.resumeDelayMs ?? 0;
    if (this.failures) {
      const { mtbfMs, mttrMs, seed } = this.failures;
      if (!(mtbfMs > 0) || !Number.isFinite(mtbfMs)) throw new SimOptionError('failures.mtbfMs', mtbfMs, 'a positive number of ms');
      if (!(mttrMs > 0) || !Number.isFinite(mttrMs)) throw new SimOptionError('failures.mttrMs', mttrMs, 'a positive number of ms');
      // One random stream per node: a node's failures do not depend on what the others do.
      this.nodeNames.forEach((_, i) => this.nodeRng.push(createRng(seed, i)));
    }
  }

  /**
   * Takes up a run in the middle, before `run`: the core was restored from another's snapshot
   * (a forecast forks the live core), the clock is at `now`, `running` are the tasks that hold
   * cores with the modelled time each ends (not before `now`), `open` the jobs not yet ended,
   * `booting` the nodes power saving was booting.
   * The first instant is a scheduling pass, as if the core had asked to be woken at `now`.
   */
  resume(now: Ms, running: readonly ResumedTask[], open: readonly ResumedJob[], booting: readonly string[] = []): void {
    if (this.out.events > 0 || this.runningCount > 0) throw new SimInvariantError('resume is for an engine that has not run yet');
    if (!Number.isInteger(now) || now < 0) throw new SimOptionError('now', now, 'a non-negative integer number of ms');
    this.now = now;
    for (const j of open) this.openJobs.set(j.id, { spec: j.spec, cores: j.cores, submittedAt: j.submittedAt, startedAt: j.startedAt });
    for (const t of running) {
      const nodeIdx = this.nodeIdx.get(t.node);
      if (nodeIdx === undefined) throw new SimInvariantError(`task ${t.taskId} runs on node ${t.node}, which the cluster does not have`);
      const end: TaskEnd = { kind: 'end', taskId: t.taskId, jobId: t.jobId, node: t.node, nodeIdx, cores: t.cores, slot: -1 };
      this.file(end);
      this.heap.pushAt(Math.max(now, Math.round(t.endAt)), end);
    }
    // Nodes power saving was booting: up a whole resume delay from now (at the latest).
    for (const node of booting) {
      const i = this.nodeIdx.get(node);
      if (i === undefined) throw new SimInvariantError(`node ${node} is booting, but the cluster does not have it`);
      this.heap.push({ kind: 'poweredUp', node: i, time: now + this.resumeDelayMs });
    }
    this.wakeAt = now;
  }

  /** Runs `workload` (sorted by `submitAt`) to the end and returns what happened. */
  run(workload: Iterable<Submission>): SimOutcome {
    const it = workload[Symbol.iterator]();
    let next = it.next();
    let lastSubmitAt = Number.NEGATIVE_INFINITY;
    if (this.failures) {
      for (let i = 0; i < this.nodeNames.length; i++) {
        this.pushNodeEvent('nodeDown', i, this.nodeRng[i]!.exponentialInt(this.failures.mtbfMs));
      }
    }
    // Reused every instant; filled to nEvents (emptying an array gives its storage back).
    const events: EngineEvent[] = [];
    let sinceProgress = 0;
    /** Submissions of this instant, taken from the workload one at a time as they are applied
     * (a burst submits everything at t = 0: buffering it held every job spec at once). */
    const due = (t: Ms): Submission | null => {
      if (next.done || next.value.submitAt !== t) return null;
      const item = next.value;
      checkTime(item.submitAt, lastSubmitAt);
      lastSubmitAt = item.submitAt;
      next = it.next();
      if (!next.done) checkTime(next.value.submitAt, lastSubmitAt);
      return item;
    };

    for (;;) {
      const nextSubmit = next.done ? NO_TIME : next.value.submitAt;
      const t = Math.min(nextSubmit, this.heap.peekTime(), this.wakeAt);
      if (t === NO_TIME) break;
      if (next.done && this.finished()) break;
      if (t < this.now) throw new SimInvariantError(`time went backwards: ${t} < ${this.now}`);
      if (t > this.now) {
        this.observer.onAdvance?.(this.now, t);
        this.now = t;
      }

      // Gather the events due at t (the submissions due are taken as they are applied).
      let nEvents = 0;
      while (this.heap.peekTime() === t) events[nEvents++] = this.heap.pop()!;
      const woken = this.wakeAt <= t;
      if (woken) this.wakeAt = NO_TIME;

      let changed = woken;
      let nSubmits = 0;
      if (this.tieOrder === 'submits-first') {
        for (let item = due(t); item !== null; item = due(t), nSubmits++) changed = this.applySubmit(item) || changed;
        changed = this.applyEvents(events, nEvents) || changed;
      } else {
        changed = this.applyEvents(events, nEvents) || changed;
        for (let item = due(t); item !== null; item = due(t), nSubmits++) changed = this.applySubmit(item) || changed;
      }
      this.out.events += nSubmits + nEvents + (woken ? 1 : 0);
      sinceProgress += nSubmits + nEvents + 1;
      // Drop references to what was handled (the slots are overwritten, never emptied; a loop,
      // not fill(): a builtin call per instant cost more than the usual one or two writes).
      for (let i = 0; i < nEvents; i++) events[i] = undefined as unknown as EngineEvent;
      if (changed && !this.perEvent) this.passOrWait();
      else if (woken && this.perEvent) this.schedule();

      if (sinceProgress >= this.progressEvery) {
        sinceProgress = 0;
        const p = this.progress();
        this.opts.onProgress?.(p);
        if (this.opts.stopWhen?.(p)) {
          this.out.stopped = true;
          break;
        }
      }
    }
    this.out.endTime = this.now;
    this.out.jobsUnfinished = this.openJobs.size;
    return { ...this.out };
  }

  progress(): Progress {
    return { now: this.now, events: this.out.events, jobsSubmitted: this.out.jobsSubmitted, jobsEnded: this.out.jobsEnded };
  }

  /**
   * True when nothing more can happen: no work open, or open work that nothing queued can unblock.
   * Queued end events of tasks that were killed are stale and keep nothing alive.
   */
  private finished(): boolean {
    if (this.runningCount > 0) return false;
    // No work left: a wake-up now could only be power saving's, which has nothing to serve.
    if (this.openJobs.size === 0) return true;
    if (this.wakeAt !== NO_TIME) return false;
    // Open jobs, nothing running: only a node coming back could help them.
    return this.downNodes === 0;
  }

  /** Applies one submission (its consent records first); whether the core took it. */
  private applySubmit(item: Submission): boolean {
    for (const c of item.consent ?? []) {
      this.core.apply({ type: 'consent', pseudonym: c.pseudonym, status: c.status }, this.now);
    }
    const res = this.core.apply({ type: 'submit', job: item.job }, this.now);
    if (!res.ok) {
      this.out.jobsRejected++;
      this.observer.onRejected?.(item, res.error.code, res.error.message, this.now);
      return false;
    }
    const ids = res.jobIds ?? [];
    this.out.jobsSubmitted += ids.length;
    const j = item.job;
    const spec: JobLabel = { name: j.name, owner: j.owner, account: j.account, partition: j.partition, qos: j.qos, purpose: j.purpose, class: j.class };
    let cores = 0;
    for (const t of j.tasks) cores += t.cores;
    for (const id of ids) this.openJobs.set(id, { spec, cores, submittedAt: this.now, startedAt: null });
    this.observer.onSubmitted?.(ids, item, this.now);
    if (this.perEvent) this.schedule();
    return true;
  }

  private applyEvents(events: EngineEvent[], count: number): boolean {
    let changed = false;
    for (let i = 0; i < count; i++) {
      const ev = events[i] as EngineEvent;
      let did = false;
      if (ev.kind === 'end') {
        did = this.endTask(ev);
      } else if (ev.kind === 'nodeDown') {
        did = this.nodeDown(ev.node);
      } else if (ev.kind === 'poweredUp') {
        did = this.poweredUp(ev.node);
      } else {
        did = this.nodeUp(ev.node);
      }
      if (did && this.perEvent) this.schedule();
      changed = changed || did;
      // Out of the heap, out of its node's list (unfiled when it stopped): free for a next start.
      if (ev.kind === 'end' && ev.slot < 0) this.spareEnds.push(ev);
    }
    return changed;
  }

  private endTask(r: TaskEnd): boolean {
    const taskId = r.taskId;
    // Stale: this start of the task was already stopped (and counted then), or it started again.
    if (r.slot < 0) return false;
    this.endEvent.taskId = taskId;
    const res = this.core.apply(this.endEvent, this.now);
    this.unfile(r);
    if (!res.ok) {
      // The core had already ended it (e.g. a time limit reached at this very instant).
      this.out.endsCancelled++;
    }
    this.observer.onTaskStop?.(taskId, r.jobId, r.node, r.cores, 'completed', this.now, r.nodeIdx);
    return true;
  }

  private nodeDown(i: number): boolean {
    const name = this.nodeNames[i]!;
    const fm = this.failures!;
    this.pushNodeEvent('nodeUp', i, this.now + this.nodeRng[i]!.exponentialInt(fm.mttrMs));
    this.downNodes++;
    this.out.nodeFailures++;
    this.core.apply({ type: 'nodeDown', node: name }, this.now);
    // The core requeues the node's tasks; their cores are gone and their end events are stale.
    const list = this.onNode[i] as SlotList<TaskEnd>;
    while (list.size > 0) {
      const r = list.at(0);
      this.unfile(r);
      this.out.tasksLostToFailures++;
      this.out.endsCancelled++;
      this.observer.onTaskStop?.(r.taskId, r.jobId, r.node, r.cores, 'node-down', this.now, r.nodeIdx);
    }
    this.observer.onNodeDown?.(name, this.now);
    return true;
  }

  private nodeUp(i: number): boolean {
    const name = this.nodeNames[i]!;
    this.downNodes--;
    this.core.apply({ type: 'nodeUp', node: name }, this.now);
    this.observer.onNodeUp?.(name, this.now);
    // Failures go on for as long as the run does; the loop stops when the work is done.
    this.pushNodeEvent('nodeDown', i, this.now + this.nodeRng[i]!.exponentialInt(this.failures!.mtbfMs));
    return true;
  }

  private poweredUp(i: number): boolean {
    const name = this.nodeNames[i]!;
    // Refused when the node went down while it booted: it comes back with its repair instead.
    if (!this.core.apply({ type: 'poweredUp', node: name }, this.now).ok) return false;
    this.observer.onPower?.(name, 'on', this.now);
    return true;
  }

  private carryOutPower(d: PowerDecision): void {
    const i = this.nodeIdx.get(d.node);
    if (i === undefined) throw new SimInvariantError(`core changed the power of node ${d.node}, which the cluster does not have`);
    if (d.type === 'powerDown') {
      this.out.powerDowns++;
      this.observer.onPower?.(d.node, 'off', this.now);
    } else {
      this.out.powerUps++;
      this.observer.onPower?.(d.node, 'booting', this.now);
      this.heap.push({ kind: 'poweredUp', node: i, time: this.now + this.resumeDelayMs });
    }
  }

  private pushNodeEvent(kind: 'nodeDown' | 'nodeUp', node: number, time: Ms): void {
    this.heap.push(kind === 'nodeDown' ? { kind, node, time } : { kind, node, time });
  }

  private file(r: TaskEnd): void {
    (this.onNode[r.nodeIdx] as SlotList<TaskEnd>).add(r);
    this.runningCount++;
  }

  private unfile(r: TaskEnd): void {
    if (r.slot < 0) return;
    (this.onNode[r.nodeIdx] as SlotList<TaskEnd>).delete(r);
    this.runningCount--;
  }

  private runningOn(node: string, taskId: number): TaskEnd | undefined {
    const i = this.nodeIdx.get(node);
    const list = i === undefined ? undefined : this.onNode[i];
    if (list === undefined) return undefined;
    for (let k = 0; k < list.size; k++) if (list.at(k).taskId === taskId) return list.at(k);
    return undefined;
  }

  /** A pass now, or at the end of the pass interval after the last one (see passIntervalMs). */
  private passOrWait(): void {
    if (this.passEvery > 0) {
      const due = this.lastPassAt + this.passEvery;
      if (this.now < due && !this.goOn) {
        if (due < this.wakeAt) this.wakeAt = due;
        return;
      }
      this.lastPassAt = this.now;
    }
    this.schedule();
  }

  private schedule(): void {
    const res = this.core.schedule(this.now);
    this.out.schedulePasses++;
    const ds = res.decisions;
    const startsBefore = this.out.tasksStarted;
    for (let i = 0; i < ds.length; i++) this.carryOut(ds[i] as Decision);
    if (res.power !== undefined) for (const d of res.power) this.carryOutPower(d);
    if (res.wakeAt !== null) {
      // A wake-up at or before now would spin: the core is called again at the next instant.
      // Except a pass that stopped at the start cap (maxStartsPerPass) with starts made: the
      // rest of its walk is due at this very instant, as the live driver runs it at once.
      const again = res.wakeAt === this.now && this.out.tasksStarted > startsBefore;
      const at = res.wakeAt > this.now || again ? res.wakeAt : this.now + 1;
      this.wakeAt = at;
      this.goOn = again;
    } else {
      this.wakeAt = NO_TIME;
      this.goOn = false;
    }
  }

  private carryOut(d: Decision): void {
    switch (d.type) {
      case 'start': {
        this.out.tasksStarted++;
        // A pass starts a job's ready tasks one after another: the same job needs no second lookup.
        const job = d.jobId === this.lastStartJobId ? this.lastStartJob : this.openJobs.get(d.jobId);
        if (job !== undefined && job.startedAt === null) {
          job.startedAt = this.now;
          this.observer.onJobStarted?.(d.jobId, this.now);
        }
        // No modelled duration: the task uses its whole allowance.
        const hold = d.durationMs === null ? d.timeLimitMs : Math.max(0, Math.round(d.durationMs));
        // A pass packs tasks onto a node one after another (two starts in three in the steady
        // run go where the previous one went): the same name needs no second map lookup.
        const nodeIdx = d.node === this.lastStartNode ? this.lastStartIdx : this.nodeIdx.get(d.node);
        if (nodeIdx === undefined) throw new SimInvariantError(`core started task ${d.taskId} on node ${d.node}, which the cluster does not have`);
        this.lastStartNode = d.node;
        this.lastStartIdx = nodeIdx;
        if (job !== undefined) {
          this.lastStartJobId = d.jobId;
          this.lastStartJob = job;
        }
        const end = this.spareEnds.pop() ?? { kind: 'end', taskId: 0, jobId: 0, node: '', nodeIdx: 0, cores: 0, slot: -1 };
        end.taskId = d.taskId;
        end.jobId = d.jobId;
        end.node = d.node;
        end.nodeIdx = nodeIdx;
        end.cores = d.cores;
        this.file(end);
        this.heap.pushAt(this.now + hold, end);
        this.observer.onTaskStart?.(d.taskId, d.jobId, d.node, d.cores, this.now, nodeIdx);
        return;
      }
      case 'preempt':
      case 'kill': {
        const r = this.runningOn(d.node, d.taskId);
        if (d.type === 'preempt' && d.reason === undefined) this.out.preemptions++;
        else if (d.reason === 'timeout') this.out.timeouts++;
        if (r === undefined) return; // already stopped here (e.g. its node went down)
        this.unfile(r);
        this.out.endsCancelled++;
        const why: StopReason = d.type === 'preempt' ? (d.reason ?? 'preempted') : d.reason;
        this.observer.onTaskStop?.(d.taskId, r.jobId, r.node, r.cores, why, this.now, r.nodeIdx);
        return;
      }
      case 'jobEnded': {
        const job = this.openJobs.get(d.jobId);
        if (job === undefined) throw new SimInvariantError(`core ended job ${d.jobId}, which the engine never submitted`);
        this.openJobs.delete(d.jobId);
        if (d.jobId === this.lastStartJobId) {
          this.lastStartJobId = -1;
          this.lastStartJob = undefined;
        }
        this.out.jobsEnded++;
        this.observer.onJobEnded?.(
          { id: d.jobId, spec: job.spec, state: d.state, submittedAt: job.submittedAt, startedAt: job.startedAt, endedAt: this.now, cores: job.cores },
          this.now,
        );
        // Recorded: the core may drop it, which keeps a 4.5-year run's memory flat.
        this.forgetEvent.jobId = d.jobId;
        this.core.apply(this.forgetEvent, this.now);
        return;
      }
    }
  }
}

/** One observer that forwards every callback to each of `observers` in order. */
export function fanOut(...observers: SimObserver[]): SimObserver {
  if (observers.length === 1) return observers[0]!;
  const out: SimObserver = {};
  const keys: (keyof SimObserver)[] = ['onAdvance', 'onSubmitted', 'onRejected', 'onTaskStart', 'onJobStarted', 'onTaskStop', 'onJobEnded', 'onNodeDown', 'onNodeUp', 'onPower'];
  for (const k of keys) {
    const fns = observers.map((o) => o[k]?.bind(o)).filter((f) => f !== undefined) as ((...a: unknown[]) => void)[];
    if (fns.length > 0) (out as Record<string, unknown>)[k] = (...a: unknown[]) => fns.forEach((f) => f(...a));
  }
  return out;
}

function checkTime(t: Ms, prev: Ms): void {
  if (!Number.isInteger(t) || t < 0) throw new SimOptionError('submitAt', t, 'a non-negative integer number of ms');
  if (t < prev) throw new SimOptionError('submitAt', t, `submissions sorted by time (previous was ${prev})`);
}
