// What the live driver did, kept as counts for /metrics and published as events on the bus:
// one observer of the driver, O(1) per event, so neither a scrape nor a subscriber ever walks
// the core's queue. Jobs still in the core when the process starts are read once (init).
import type { CoreEvent, EventResult, JobSpec, JobState, JobView, Ms, NodeView } from '../core/index.js';
import type { CoreApi, DriverObserver } from '../driver/index.js';
import { displayIdsOf } from '../driver/index.js';
import type { EventData } from '../../contract/index.js';
import type { EventBus } from './bus.js';

interface ActiveJob {
  id: number;
  displayId: string;
  name: string;
  state: 'PENDING' | 'RUNNING';
  account: string;
  partition: string;
  class: string | null;
  cores: number;
  pseudonyms: string[];
  /** Scheduler time of submission. */
  submittedAt: Ms;
  /** Its count labels (partition, account, class), joined: the key of its count. */
  labels: string;
  /** Its count, found once when it is added: a move or an end counts without a lookup. */
  count: LabelCount | null;
}

/** The active jobs of one set of labels, by state. */
interface LabelCount {
  partition: string;
  account: string;
  class: string;
  PENDING: number;
  RUNNING: number;
}

/** Labels of a job count: state, partition, account, analysis class ('' when none). */
export interface JobCountKey {
  state: JobState;
  partition: string;
  account: string;
  class: string;
}

const SEP = '\u0000';

export class LiveState implements DriverObserver {
  private readonly active = new Map<number, ActiveJob>();
  /** By labels; dropped when both its states count none, so a series that is gone leaves /metrics. */
  private readonly counts = new Map<string, LabelCount>();
  /** Pending jobs per partition in submission order: the first is the oldest. */
  private readonly pendingByPartition = new Map<string, Map<number, Ms>>();

  /** Jobs that ended since the process started. */
  endedTotal = 0;
  private readonly endedListeners: ((state: JobState, job: ActiveJob) => void)[] = [];

  constructor(
    private readonly core: () => CoreApi,
    private readonly bus: EventBus | null,
  ) {}

  /** Calls `fn` with each job that ends, with its labels, before they are dropped. */
  onEnded(fn: (state: JobState, job: { partition: string; account: string; class: string | null }) => void): void {
    this.endedListeners.push(fn);
  }

  /** Reads the jobs the core holds (after a restart); call once, before live work. */
  init(): void {
    for (const v of this.core().jobs({ states: ['PENDING', 'RUNNING'] })) this.add(fromView(v));
  }

  // ---------------------------------------------------------------- driver observer

  accepted(event: CoreEvent, result: EventResult, now: Ms): void {
    if (!result.ok) return;
    switch (event.type) {
      case 'submit': {
        const ids = result.jobIds ?? [];
        const display = displayIdsOf(ids, event.job);
        ids.forEach((id, i) => this.publishJob(this.add(fromSpec(id, display[i] ?? String(id), event.job, now))));
        break;
      }
      case 'drain':
      case 'resume':
      case 'nodeUp':
      case 'nodeDown':
      case 'poweredUp': {
        if (this.bus === null) break;
        const n = this.core()
          .nodes()
          .find((x: NodeView) => x.name === event.node);
        if (n) this.bus.publish('node', { name: n.name, container: n.container, state: n.state });
        break;
      }
      case 'consent':
        this.bus?.publish('consent', { pseudonym: event.pseudonym, status: event.status });
        break;
      default:
        break;
    }
  }

  started(jobId: number): void {
    const j = this.active.get(jobId);
    if (!j || j.state === 'RUNNING') return;
    this.move(j, 'RUNNING');
    this.publishJob(j);
  }

  jobEnded(state: JobState, jobId: number): void {
    const j = this.active.get(jobId);
    if (!j) return;
    const c = j.count as LabelCount;
    c[j.state]--;
    if (c.PENDING === 0 && c.RUNNING === 0) this.counts.delete(j.labels);
    if (j.state === 'PENDING') this.pendingByPartition.get(j.partition)?.delete(j.id);
    this.active.delete(jobId);
    this.endedTotal++;
    for (const l of this.endedListeners) l(state, j);
    this.publishJob(j, state);
  }

  // ---------------------------------------------------------------- reads (for /metrics)

  /** Active jobs by state, partition, account and class. */
  jobCounts(): [JobCountKey, number][] {
    const out: [JobCountKey, number][] = [];
    for (const c of this.counts.values()) {
      for (const state of ['PENDING', 'RUNNING'] as const) if (c[state] !== 0) out.push([{ state, partition: c.partition, account: c.account, class: c.class }, c[state]]);
    }
    return out;
  }

  /** The submission time of the oldest pending job per partition. */
  oldestPending(): Map<string, Ms> {
    const out = new Map<string, Ms>();
    for (const [p, jobs] of this.pendingByPartition) {
      const first = jobs.values().next();
      if (!first.done) out.set(p, first.value);
    }
    return out;
  }

  // ---------------------------------------------------------------- internals

  private add(j: ActiveJob): ActiveJob {
    this.active.set(j.id, j);
    let c = this.counts.get(j.labels);
    if (c === undefined) this.counts.set(j.labels, (c = { partition: j.partition, account: j.account, class: j.class ?? '', PENDING: 0, RUNNING: 0 }));
    c[j.state]++;
    j.count = c;
    if (j.state === 'PENDING') {
      let m = this.pendingByPartition.get(j.partition);
      if (!m) this.pendingByPartition.set(j.partition, (m = new Map()));
      m.set(j.id, j.submittedAt);
    }
    return j;
  }

  private move(j: ActiveJob, to: 'RUNNING'): void {
    const c = j.count as LabelCount;
    c[j.state]--;
    this.pendingByPartition.get(j.partition)?.delete(j.id);
    j.state = to;
    c[to]++;
  }

  private publishJob(j: ActiveJob, state: JobState = j.state): void {
    if (this.bus === null) return;
    const data: EventData['job'] = {
      id: j.id,
      displayId: j.displayId,
      name: j.name,
      state,
      account: j.account,
      partition: j.partition,
      class: j.class,
      cores: j.cores,
      pseudonyms: j.pseudonyms,
    };
    this.bus.publish('job', data);
  }
}

function labelsOf(partition: string, account: string, cls: string | null): string {
  return partition + SEP + account + SEP + (cls ?? '');
}

function fromSpec(id: number, displayId: string, spec: JobSpec, now: Ms): ActiveJob {
  let cores = 0;
  for (const t of spec.tasks) cores += t.cores;
  return {
    id,
    displayId,
    name: spec.name,
    state: 'PENDING',
    account: spec.account,
    partition: spec.partition,
    class: spec.class ?? null,
    cores,
    pseudonyms: spec.pseudonyms,
    submittedAt: now,
    labels: labelsOf(spec.partition, spec.account, spec.class ?? null),
    count: null,
  };
}

function fromView(v: JobView): ActiveJob {
  return {
    id: v.id,
    displayId: v.displayId,
    name: v.name,
    state: v.state === 'RUNNING' ? 'RUNNING' : 'PENDING',
    account: v.account,
    partition: v.partition,
    class: v.class,
    cores: v.cores,
    pseudonyms: v.pseudonyms,
    submittedAt: v.submittedAt,
    labels: labelsOf(v.partition, v.account, v.class),
    count: null,
  };
}
