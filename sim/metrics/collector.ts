// Watches a run through the engine's observer callbacks and turns it into the numbers of a
// report: waits, slowdowns, turnaround per class, utilization, energy and recovered heat.
import { HEAT_RECOVERY_FRACTION, wattsPerBusyCore, type ClusterConfig, type JobState, type Ms } from '../../scheduler/core/index.js';
import type { EndedJob, SimObserver, StopReason } from '../engine/index.js';
import { DownsampledSeries } from './series.js';
import { cdfSample, distribution, type Distribution } from './stats.js';

// The power model (idle/busy watts, the heat recovery share) is the core's, shared with the
// live scheduler's /metrics.
export { HEAT_RECOVERY_FRACTION };

/** Bounded-slowdown threshold τ: runs shorter than this count as this long. */
export const BSLD_TAU_MS = 10_000;

export interface MetricsOptions {
  heatRecoveryFraction?: number;
  /** Most points per time series (default 2000). */
  maxPoints?: number;
  /** Most wait samples per class kept for CDFs (default 2000). */
  maxCdfSamples?: number;
  /** Keep one record per finished job (for writing a schedule back as SWF). */
  keepJobs?: boolean;
}

/** One finished job, as the run saw it. Times in ms. */
export interface JobRecord {
  id: number;
  name: string;
  class: string | null;
  qos: string;
  state: JobState;
  submittedAt: Ms;
  startedAt: Ms | null;
  endedAt: Ms;
  cores: number;
}

export interface SimMetrics {
  jobs: number;
  /** Jobs per terminal state. */
  states: Partial<Record<JobState, number>>;
  /** Seconds from submission to the first task's start (jobs that started). */
  wait: Distribution;
  /** Seconds from submission to the end (wait + run). */
  flow: Distribution;
  /** max(1, flow / max(run, τ)), τ = 10 s. */
  bsld: Distribution;
  /** Turnaround (submission → end) of every job, seconds. */
  turnaround: Distribution;
  /** Turnaround per job class, seconds. */
  turnaroundByClass: Record<string, Distribution>;
  /** Turnaround per QoS, seconds (urgent clinical work is QoS `urgent`). */
  turnaroundByQos: Record<string, Distribution>;
  /** Busy core-time over capacity × (last end − first submit). */
  utilization: number;
  utilizationByContainer: Record<string, number>;
  firstSubmitMs: Ms;
  lastEndMs: Ms;
  makespanS: number;
  jobsPerDay: number;
  preemptions: number;
  timeouts: number;
  tasksLostToFailures: number;
  energyMwh: number;
  heatRecoveredMwh: number;
  heatRecoveryFraction: number;
  /** Power saving: the mean number of suspended nodes over the run. */
  meanSuspendedNodes: number;
}

/** Time series for the report; `t` is ms since the first submission. */
export interface SimSeries {
  utilization: { t: number[]; busyFrac: number[] };
  queueDepth: { t: number[]; depth: number[] };
  /** Wait samples in seconds per class, ascending (≤ maxCdfSamples each). */
  waitsByClass: Record<string, number[]>;
}

const J_PER_MWH = 3.6e9;

export class MetricsCollector implements SimObserver {
  private readonly nodeAt = new Map<string, number>();
  /** Names by index: checks the engine's node index against this collector's own config. */
  private readonly nodeNames: string[];
  private readonly nodeCores: Float64Array;
  private readonly nodeSlope: Float64Array; // (busy − idle) watts per busy core
  private readonly nodeIdle: Float64Array;
  private readonly nodeWarm: Uint8Array;
  private readonly nodeContainer: Uint16Array;
  private readonly nodeDown: Uint8Array;
  /** Power saving: 0 on, 1 suspended, 2 booting; and what each state draws. */
  private readonly nodePower: Uint8Array;
  private readonly nodeResumeW: Float64Array;
  private readonly suspendedW: number;
  private suspendedNodeMs = 0;
  private suspendedNodes = 0;
  private readonly nodeBusy: Float64Array;
  private readonly containers: string[];
  private readonly containerCores: Float64Array;
  private readonly containerBusy: Float64Array;
  private readonly containerBusyMs: Float64Array;
  private readonly totalCores: number;
  private busy = 0;
  private power = 0;
  private warmPower = 0;
  private energyWms = 0;
  private warmEnergyWms = 0;
  private busyCoreMs = 0;

  private readonly startedOpen = new Set<number>();
  private open = 0;
  private readonly busySeries: DownsampledSeries;
  private readonly depthSeries: DownsampledSeries;

  private readonly waits: number[] = [];
  private readonly flows: number[] = [];
  private readonly bslds: number[] = [];
  private readonly turnarounds: number[] = [];
  private readonly turnaroundByClass = new Map<string, number[]>();
  private readonly turnaroundByQos = new Map<string, number[]>();
  private readonly waitsByClass = new Map<string, number[]>();
  private readonly states: Partial<Record<JobState, number>> = {};
  private firstSubmit: Ms = Number.POSITIVE_INFINITY;
  private lastEnd: Ms = Number.NEGATIVE_INFINITY;
  private preemptions = 0;
  private timeouts = 0;
  private lost = 0;
  readonly jobRecords: JobRecord[] = [];
  private readonly heatFraction: number;
  private readonly maxCdf: number;

  constructor(
    config: ClusterConfig,
    private readonly opts: MetricsOptions = {},
  ) {
    const nodes = config.nodes;
    const n = nodes.length;
    this.nodeCores = new Float64Array(n);
    this.nodeSlope = new Float64Array(n);
    this.nodeIdle = new Float64Array(n);
    this.nodeWarm = new Uint8Array(n);
    this.nodeContainer = new Uint16Array(n);
    this.nodeDown = new Uint8Array(n);
    this.nodeBusy = new Float64Array(n);
    this.nodePower = new Uint8Array(n);
    this.nodeResumeW = new Float64Array(n);
    this.nodeNames = nodes.map((x) => x.name);
    this.suspendedW = config.powerSave?.suspendedWatts ?? 0;
    this.containers = [...new Set(nodes.map((x) => x.container))];
    this.containerCores = new Float64Array(this.containers.length);
    this.containerBusy = new Float64Array(this.containers.length);
    this.containerBusyMs = new Float64Array(this.containers.length);
    let total = 0;
    nodes.forEach((node, i) => {
      this.nodeAt.set(node.name, i);
      this.nodeCores[i] = node.cores;
      this.nodeIdle[i] = node.idleWatts;
      this.nodeSlope[i] = wattsPerBusyCore(node);
      this.nodeResumeW[i] = config.powerSave?.resumeWatts ?? node.busyWatts;
      this.nodeWarm[i] = node.cooling === 'warm-water' ? 1 : 0;
      const c = this.containers.indexOf(node.container);
      this.nodeContainer[i] = c;
      this.containerCores[c]! += node.cores;
      total += node.cores;
      this.power += node.idleWatts;
      if (node.cooling === 'warm-water') this.warmPower += node.idleWatts;
    });
    this.totalCores = total;
    this.heatFraction = opts.heatRecoveryFraction ?? HEAT_RECOVERY_FRACTION;
    this.maxCdf = opts.maxCdfSamples ?? 2000;
    this.busySeries = new DownsampledSeries(opts.maxPoints ?? 2000);
    this.depthSeries = new DownsampledSeries(opts.maxPoints ?? 2000);
  }

  onAdvance(from: Ms, to: Ms): void {
    // Nothing is integrated before the first submission (the run's origin).
    if (this.firstSubmit > from) return;
    const dt = to - from;
    this.energyWms += this.power * dt;
    this.warmEnergyWms += this.warmPower * dt;
    this.busyCoreMs += this.busy * dt;
    this.suspendedNodeMs += this.suspendedNodes * dt;
    for (let c = 0; c < this.containerBusy.length; c++) this.containerBusyMs[c]! += this.containerBusy[c]! * dt;
    this.busySeries.add(from, to, this.busy / this.totalCores);
    this.depthSeries.add(from, to, this.open - this.startedOpen.size);
  }

  onSubmitted(jobIds: number[], _item: unknown, now: Ms): void {
    if (now < this.firstSubmit) this.firstSubmit = now;
    this.open += jobIds.length;
  }

  /** Once per job: the set holds a per-job fact, and a steady 60,000-analysis run starts 2.4 M tasks. */
  onJobStarted(jobId: number): void {
    this.startedOpen.add(jobId);
  }

  onTaskStart(_taskId: number, _jobId: number, node: string, cores: number, _now?: Ms, nodeIdx?: number): void {
    this.changeBusy(this.indexOf(node, nodeIdx), cores);
  }

  onTaskStop(_taskId: number, _jobId: number, node: string, cores: number, why: StopReason, _now?: Ms, nodeIdx?: number): void {
    if (why === 'preempted') this.preemptions++;
    else if (why === 'timeout') this.timeouts++;
    else if (why === 'node-down') this.lost++;
    this.changeBusy(this.indexOf(node, nodeIdx), -cores);
  }

  /** The node's index here: the engine's when it names the same node (the same config), else by name. */
  private indexOf(node: string, nodeIdx: number | undefined): number | undefined {
    return nodeIdx !== undefined && this.nodeNames[nodeIdx] === node ? nodeIdx : this.nodeAt.get(node);
  }

  onNodeDown(node: string): void {
    this.setDown(node, true);
  }

  onNodeUp(node: string): void {
    this.setDown(node, false);
  }

  onJobEnded(view: EndedJob): void {
    this.open--;
    this.startedOpen.delete(view.id);
    this.states[view.state] = (this.states[view.state] ?? 0) + 1;
    const end = view.endedAt;
    if (end > this.lastEnd) this.lastEnd = end;
    const cls = view.spec.class ?? 'unclassified';
    const turnaround = (end - view.submittedAt) / 1000;
    this.turnarounds.push(turnaround);
    push(this.turnaroundByClass, cls, turnaround);
    push(this.turnaroundByQos, view.spec.qos, turnaround);
    if (view.startedAt !== null) {
      const wait = (view.startedAt - view.submittedAt) / 1000;
      const run = (end - view.startedAt) / 1000;
      const flow = wait + run;
      this.waits.push(wait);
      this.flows.push(flow);
      this.bslds.push(Math.max(1, flow / Math.max(run, BSLD_TAU_MS / 1000)));
      push(this.waitsByClass, cls, wait);
    }
    if (this.opts.keepJobs) {
      this.jobRecords.push({
        id: view.id,
        name: view.spec.name,
        class: view.spec.class ?? null,
        qos: view.spec.qos,
        state: view.state,
        submittedAt: view.submittedAt,
        startedAt: view.startedAt,
        endedAt: end,
        cores: view.cores,
      });
    }
  }

  onPower(node: string, state: 'off' | 'booting' | 'on'): void {
    const i = this.nodeAt.get(node);
    if (i === undefined) return;
    const was = this.nodePower[i]!;
    const now = state === 'on' ? 0 : state === 'off' ? 1 : 2;
    if (was === now) return;
    const before = this.draw(i);
    this.nodePower[i] = now;
    this.suspendedNodes += (now === 1 ? 1 : 0) - (was === 1 ? 1 : 0);
    const dp = this.draw(i) - before;
    this.power += dp;
    if (this.nodeWarm[i]) this.warmPower += dp;
  }

  /** What node `i` draws now. */
  private draw(i: number): number {
    if (this.nodeDown[i]) return 0;
    const p = this.nodePower[i]!;
    if (p === 1) return this.suspendedW;
    if (p === 2) return this.nodeResumeW[i]!;
    return this.nodeIdle[i]! + this.nodeSlope[i]! * this.nodeBusy[i]!;
  }

  private changeBusy(i: number | undefined, cores: number): void {
    if (i === undefined) return;
    this.nodeBusy[i]! += cores;
    this.busy += cores;
    this.containerBusy[this.nodeContainer[i]!]! += cores;
    if (this.nodeDown[i]) return; // a down node draws nothing either way
    const dp = this.nodeSlope[i]! * cores;
    this.power += dp;
    if (this.nodeWarm[i]) this.warmPower += dp;
  }

  private setDown(node: string, down: boolean): void {
    const i = this.nodeAt.get(node);
    if (i === undefined || (this.nodeDown[i] === 1) === down) return;
    // A node goes down whatever its power state, and comes back up on (as the core has it).
    const before = this.draw(i);
    this.nodeDown[i] = down ? 1 : 0;
    if (this.nodePower[i] === 1) this.suspendedNodes--;
    this.nodePower[i] = 0;
    // Its tasks have already been stopped (busy is 0 when it goes down); it draws idle power or nothing.
    const dp = this.draw(i) - before;
    this.power += dp;
    if (this.nodeWarm[i]) this.warmPower += dp;
  }

  metrics(): SimMetrics {
    const span = this.lastEnd > this.firstSubmit ? this.lastEnd - this.firstSubmit : 0;
    const byContainer: Record<string, number> = {};
    this.containers.forEach((c, i) => {
      byContainer[c] = span > 0 ? this.containerBusyMs[i]! / (this.containerCores[i]! * span) : 0;
    });
    const jobs = Object.values(this.states).reduce((a, b) => a + (b ?? 0), 0);
    const energyMwh = this.energyWms / 1000 / J_PER_MWH;
    return {
      jobs,
      states: { ...this.states },
      wait: distribution(this.waits),
      flow: distribution(this.flows),
      bsld: distribution(this.bslds),
      turnaround: distribution(this.turnarounds),
      turnaroundByClass: mapDist(this.turnaroundByClass),
      turnaroundByQos: mapDist(this.turnaroundByQos),
      utilization: span > 0 ? this.busyCoreMs / (this.totalCores * span) : 0,
      utilizationByContainer: byContainer,
      firstSubmitMs: Number.isFinite(this.firstSubmit) ? this.firstSubmit : 0,
      lastEndMs: Number.isFinite(this.lastEnd) ? this.lastEnd : 0,
      makespanS: span / 1000,
      jobsPerDay: span > 0 ? (this.states.COMPLETED ?? 0) / (span / 86_400_000) : 0,
      preemptions: this.preemptions,
      timeouts: this.timeouts,
      tasksLostToFailures: this.lost,
      energyMwh,
      heatRecoveredMwh: (this.warmEnergyWms / 1000 / J_PER_MWH) * this.heatFraction,
      heatRecoveryFraction: this.heatFraction,
      meanSuspendedNodes: span > 0 ? this.suspendedNodeMs / span : 0,
    };
  }

  series(): SimSeries {
    const busy = this.busySeries.points();
    const depth = this.depthSeries.points();
    const waitsByClass: Record<string, number[]> = {};
    for (const [c, w] of [...this.waitsByClass].sort(([a], [b]) => a.localeCompare(b))) waitsByClass[c] = cdfSample(w, this.maxCdf);
    return {
      utilization: { t: busy.t, busyFrac: busy.v },
      queueDepth: { t: depth.t, depth: depth.v },
      waitsByClass,
    };
  }
}

function push(map: Map<string, number[]>, key: string, v: number): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

function mapDist(map: Map<string, number[]>): Record<string, Distribution> {
  const out: Record<string, Distribution> = {};
  for (const [k, v] of [...map].sort(([a], [b]) => a.localeCompare(b))) out[k] = distribution(v);
  return out;
}
