// Test support for the core (as Nomad's scheduler harness and the Kubernetes fixtures do):
// fluent builders for clusters and jobs, and a tiny virtual-time driver that runs tasks for
// their modelled duration. Pure like the core itself, so tests and properties can use it.
import { parseClusterConfig, type ClusterFile } from './config.js';
import { SchedulerCore } from './core.js';
import { KeyedHeap } from './heap.js';
import type {
  AccountSpec,
  ClusterConfig,
  ConsentConfig,
  Cooling,
  CoreEvent,
  Decision,
  Dependency,
  JobSpec,
  Limits,
  Ms,
  PartitionSpec,
  Policy,
  PowerDecision,
  PowerSaveConfig,
  PriorityWeights,
  Purpose,
  TaskSpec,
} from './types.js';

export const HOUR: Ms = 3_600_000;

const NO_WEIGHTS: PriorityWeights = { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, maxAgeMs: 7 * 24 * HOUR, usageHalfLifeMs: 7 * 24 * HOUR };

export class ClusterBuilder {
  private readonly file: ClusterFile = {
    name: 'test',
    nodeKinds: [],
    containers: [],
    partitions: [
      { name: 'clinical', containers: [], priorityFactor: 1, maxTimeMs: 30 * 24 * HOUR, defaultTimeMs: 24 * HOUR, preemptible: false },
      { name: 'research', containers: [], priorityFactor: 0.2, maxTimeMs: 30 * 24 * HOUR, defaultTimeMs: 24 * HOUR, preemptible: true },
    ],
    qos: [
      { name: 'urgent', priorityFactor: 1, canPreempt: true },
      { name: 'normal', priorityFactor: 0.5, canPreempt: false },
      { name: 'low', priorityFactor: 0, canPreempt: false },
    ],
    accounts: [
      { name: 'a', shares: 1 },
      { name: 'b', shares: 1 },
    ],
    scheduler: { policy: 'easy', backfillDepth: 1000, backfillIntervalMs: 0, preemption: true, weights: NO_WEIGHTS },
  };

  /** `count` nodes of `cores` cores and `memMb` memory in container `name`. */
  container(name: string, count: number, cores = 8, memMb = 32_000, cooling: Cooling = 'warm-water'): this {
    const kind = `k${cores}x${memMb}`;
    if (!this.file.nodeKinds.some((k) => k.name === kind)) this.file.nodeKinds.push({ name: kind, cores, memMb, idleWatts: 100, busyWatts: 400 });
    let c = this.file.containers.find((x) => x.name === name);
    if (!c) {
      c = { name, groups: [] };
      this.file.containers.push(c);
    }
    c.groups.push({ kind, count, cooling });
    return this;
  }

  policy(p: Policy): this {
    this.file.scheduler.policy = p;
    return this;
  }

  backfillDepth(n: number): this {
    this.file.scheduler.backfillDepth = n;
    return this;
  }

  backfillInterval(ms: Ms): this {
    this.file.scheduler.backfillIntervalMs = ms;
    return this;
  }

  preemption(on: boolean): this {
    this.file.scheduler.preemption = on;
    return this;
  }

  maxStartsPerPass(n: number): this {
    this.file.scheduler.maxStartsPerPass = n;
    return this;
  }

  weights(w: Partial<PriorityWeights>): this {
    this.file.scheduler.weights = { ...this.file.scheduler.weights, ...w };
    return this;
  }

  /** Restricts a partition to some containers (all by default). */
  partitionOn(name: string, containers: string[]): this {
    const p = this.file.partitions.find((x) => x.name === name);
    if (!p) throw new Error(`no partition ${name}`);
    p.containers = containers;
    return this;
  }

  /** Limits on a QoS (GrpTRES cores, MaxJobsPerUser, MaxSubmitJobs, MaxWall). */
  qosLimits(name: string, limits: Limits): this {
    const q = this.file.qos.find((x) => x.name === name);
    if (!q) throw new Error(`no QoS ${name}`);
    q.limits = limits;
    return this;
  }

  /** Limits on an account (binding the accounts under it too). */
  accountLimits(name: string, limits: Limits): this {
    const a = this.file.accounts.find((x) => x.name === name);
    if (!a) throw new Error(`no account ${name}`);
    a.limits = limits;
    return this;
  }

  /** A partition's AllowAccounts / AllowQos. */
  partitionRules(name: string, rules: Pick<PartitionSpec, 'allowAccounts' | 'allowQos'>): this {
    const p = this.file.partitions.find((x) => x.name === name);
    if (!p) throw new Error(`no partition ${name}`);
    Object.assign(p, rules);
    return this;
  }

  accounts(list: AccountSpec[]): this {
    this.file.accounts = list;
    return this;
  }

  /** The research partition means research (as in the shipped configs), and the consent gate's settings. */
  consent(c: Partial<ConsentConfig> = {}): this {
    for (const p of this.file.partitions) if (p.name === 'research') p.purpose = 'research';
    this.file.consent = c;
    return this;
  }

  /** Power saving on, with these settings over the defaults. */
  powerSave(p: Partial<PowerSaveConfig> = {}): this {
    this.file.powerSave = p;
    return this;
  }

  build(): ClusterConfig {
    return parseClusterConfig(structuredClone(this.file));
  }
}

export const cluster = (): ClusterBuilder => new ClusterBuilder();

export class JobBuilder {
  private readonly spec_: JobSpec = {
    name: 'job',
    owner: 'tester',
    account: 'a',
    partition: 'clinical',
    qos: 'normal',
    purpose: 'treatment',
    pseudonyms: [],
    tasks: [],
  };

  name(n: string): this {
    this.spec_.name = n;
    return this;
  }
  owner(o: string): this {
    this.spec_.owner = o;
    return this;
  }
  account(a: string): this {
    this.spec_.account = a;
    return this;
  }
  partition(p: string): this {
    this.spec_.partition = p;
    return this;
  }
  qos(q: string): this {
    this.spec_.qos = q;
    return this;
  }
  purpose(p: Purpose): this {
    this.spec_.purpose = p;
    return this;
  }
  /** Research work: research partition, research purpose. */
  research(): this {
    return this.partition('research').purpose('research');
  }
  /** Urgent clinical work: clinical partition, urgent QoS. */
  urgent(): this {
    return this.partition('clinical').qos('urgent');
  }
  patient(...pseudonyms: string[]): this {
    this.spec_.pseudonyms.push(...pseudonyms);
    return this;
  }
  /** Adds a task of `cores` cores running `durationMs` (limit defaults to the same). */
  task(cores: number, durationMs: Ms = HOUR, opts: Partial<TaskSpec> = {}): this {
    this.spec_.tasks.push({ cores, memMb: 1000, durationMs, timeLimitMs: durationMs, ...opts });
    return this;
  }
  dep(kind: Dependency['kind'], jobId: number): this {
    (this.spec_.dependencies ??= []).push({ kind, jobId });
    return this;
  }
  singleton(): this {
    this.spec_.singleton = true;
    return this;
  }
  array(spec: string): this {
    this.spec_.array = spec;
    return this;
  }
  spec(): JobSpec {
    return structuredClone(this.spec_);
  }
}

export const job = (): JobBuilder => new JobBuilder();

interface End {
  at: Ms;
  taskId: number;
  starts: number;
  outcome: 'completed' | 'failed';
}

/**
 * Drives a core in virtual time: tasks run for their `durationMs` (the core kills those that
 * exceed their limit), events can be queued at times, and every decision is recorded.
 */
export class Harness {
  readonly core: SchedulerCore;
  readonly log: { at: Ms; decision: Decision }[] = [];
  /** Power saving's decisions, and the `poweredUp` events the harness sent. */
  readonly powerLog: { at: Ms; what: PowerDecision['type'] | 'poweredUp'; node: string }[] = [];
  /** Resumed nodes report themselves up after the config's resumeDelayMs; false: never (a failed boot). */
  autoBoot = true;
  now: Ms = 0;
  /** Modelled task ends by (time, task id). */
  private readonly ends = new KeyedHeap<End>();
  /** Queued events by (time, order queued). */
  private readonly inbox = new KeyedHeap<{ at: Ms; event: CoreEvent }>();
  private seq = 0;
  private wakeAt: Ms | null = null;
  private readonly starts = new Map<number, number>();
  /** Tasks whose run should end in failure instead of completion. */
  readonly failing = new Set<number>();
  /** Called after every pass, for invariant checks. */
  onPass: ((h: Harness, decisions: Decision[]) => void) | null = null;

  constructor(config: ClusterConfig) {
    this.core = new SchedulerCore(config);
  }

  /** Applies an event now and returns its result. */
  apply(event: CoreEvent): ReturnType<SchedulerCore['apply']> {
    return this.core.apply(event, this.now);
  }

  /** Submits now; returns the new job ids (throws if refused, which a test wants to see). */
  submit(spec: JobSpec): number[] {
    const r = this.core.apply({ type: 'submit', job: spec }, this.now);
    if (!r.ok) throw new Error(`submit refused: ${r.error.message}`);
    return r.jobIds ?? [];
  }

  /** Queues an event for time `at`. */
  at(at: Ms, event: CoreEvent): void {
    this.inbox.push(at, this.seq++, { at, event });
  }

  /** Runs until nothing is left to happen or `until` is reached. */
  run(until: Ms = Infinity): void {
    this.pass();
    for (;;) {
      const t = Math.min(this.ends.peek()?.at ?? Infinity, this.inbox.peek()?.at ?? Infinity, this.wakeAt ?? Infinity);
      if (t === Infinity || t > until) break;
      this.now = t;
      for (let e = this.ends.peek(); e !== undefined && e.at === t; e = this.ends.peek()) {
        this.ends.pop();
        if (this.starts.get(e.taskId) === e.starts) this.core.apply({ type: 'taskEnded', taskId: e.taskId, outcome: e.outcome }, t);
      }
      for (let e = this.inbox.peek(); e !== undefined && e.at === t; e = this.inbox.peek()) {
        this.inbox.pop();
        const r = this.core.apply(e.event, t);
        if (e.event.type === 'poweredUp' && r.ok) this.powerLog.push({ at: t, what: 'poweredUp', node: e.event.node });
      }
      this.pass();
    }
    if (until !== Infinity && until > this.now) {
      this.now = until;
      this.pass();
    }
  }

  /** One scheduling pass now; starts get an end event after their modelled duration. */
  pass(): Decision[] {
    const { decisions, wakeAt, power } = this.core.schedule(this.now);
    this.wakeAt = wakeAt;
    for (const d of power ?? []) {
      this.powerLog.push({ at: this.now, what: d.type, node: d.node });
      if (d.type === 'powerUp' && this.autoBoot) this.at(this.now + (this.core.config.powerSave?.resumeDelayMs ?? 0), { type: 'poweredUp', node: d.node });
    }
    for (const d of decisions) {
      this.log.push({ at: this.now, decision: d });
      if (d.type === 'start') {
        const n = (this.starts.get(d.taskId) ?? 0) + 1;
        this.starts.set(d.taskId, n);
        const dur = this.core.task(d.taskId)?.durationMs ?? d.timeLimitMs;
        // A task that would overrun is left running: the core's own time limit ends it.
        if (dur <= d.timeLimitMs + (this.core.config.scheduler.overTimeLimitMs ?? 0)) this.ends.push(this.now + dur, d.taskId, { at: this.now + dur, taskId: d.taskId, starts: n, outcome: this.failing.has(d.taskId) ? 'failed' : 'completed' });
      } else if (d.type === 'preempt' || d.type === 'kill') {
        this.starts.set(d.taskId, (this.starts.get(d.taskId) ?? 0) + 1000); // any pending end is now stale
      }
    }
    this.onPass?.(this, decisions);
    return decisions;
  }

  decisions<T extends Decision['type']>(type: T): Extract<Decision, { type: T }>[] {
    return this.log.map((l) => l.decision).filter((d): d is Extract<Decision, { type: T }> => d.type === type);
  }
}
