// Prometheus metrics (prom-client) of one scheduler process, on two registries of its own:
// - `snapshotRegistry`: prom-client's process metrics, formatted with the latest snapshot's
//   gauges and energy counters (metrics-snapshot.ts), which metrics-text.ts writes straight from
//   the snapshot. That text is formatted at most once per snapshot and kept. Formatting is paid
//   for by scraping only: on the snapshot timer when the previous text was scraped (a scraper
//   that comes every interval finds its text ready), else by the first scrape after a new
//   snapshot. A scheduler nobody scrapes formats nothing (its /proc reads included).
// - `registry`: histograms and event counters, updated as things happen and formatted per
//   scrape (a few small families), so counters are as fresh as the scrape.
// A steady scrape is thus a string join and a few small histograms, not a walk of label sets:
// it costs the scheduler's event loop well under a millisecond whatever the jobs held
// (bench:metrics measures it). Every name here has one line in the README ("Metrics"), and
// `promtool check metrics` passes on the output.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentHub } from '../agents/index.js';
import type { JobState } from '../core/index.js';
import type { DriverObserver } from '../driver/index.js';
import { LiveState } from '../events/index.js';
import type { CoreTotals, DashboardStats } from '../../contract/index.js';
import { SnapshotTaker, type SnapshotSource } from './metrics-snapshot.js';
import { formatSnapshotFamilies } from './metrics-text.js';
import { PassCounters } from './pass-counters.js';

// prom-client's Node.js gauges whose names end in _total, which Prometheus reserves for counters.
const NOT_GAUGE_NAMES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
// prom-client's default families that cost the most to format, removed below; resident memory
// and the lag's min, max, mean, p50, p90 and p99 come back as cheaper gauges of our own, the
// rest (the lag itself, its stddev, virtual memory, heap) are dropped. The lag family computes
// a standard deviation over its whole delay histogram (half a millisecond a scrape on this host)
// and a setImmediate lag; the memory family reads /proc/self/status synchronously for three figures.
const REPLACED_NAMES = [
  ...['', '_min', '_max', '_mean', '_stddev', '_p50', '_p90', '_p99'].map((q) => `nodejs_eventloop_lag${q}_seconds`),
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
];
const PROCESS_PREFIX = 'gsched_process_';

export interface WatchOptions {
  /** Wall ms between snapshots (default 1000). */
  snapshotMs?: number;
}

/** How long the scheduler spent on /metrics: each snapshot's formatting, and each scrape's own. */
export type MetricsCostObserver = (what: 'render' | 'serve', ms: number) => void;

export class SchedulerMetrics {
  /** Updated as things happen; formatted per scrape. */
  readonly registry = new Registry();
  /** Filled from the snapshot; formatted once per snapshot into `snapshotText`. */
  private readonly snapshotRegistry = new Registry();
  /** The latest snapshot's text; null when that snapshot is not formatted yet (or formatting failed). */
  private snapshotText: string | null = null;
  /** A scrape read the current text: format the next snapshot on the timer, before its scrape comes. */
  private scraped = false;
  private rendering: Promise<string> | null = null;
  /** bench:metrics sets this to time the scheduler's own share of /metrics. */
  onCost: MetricsCostObserver | null = null;
  private readonly passSeconds: Histogram;
  private readonly passWaitSeconds: Histogram;
  /** The same passes as running sums, for GET /api/v1/stats (gsched stats). */
  private readonly passCounters = new PassCounters();
  private readonly dispatchSeconds: Histogram;
  private readonly jobsEnded: Counter;
  private readonly heartbeats: Counter;
  private taker: SnapshotTaker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly turnaround: Histogram;
  private readonly coreSeconds: Counter;
  private readonly lastEnd: Gauge;
  private readonly snapshots: Counter;
  private readonly snapshotSeconds: Histogram;
  private readonly snapshotReplayed: Counter;
  private latestEndMs = -Infinity;
  /** The event loop's delay between formattings (the process metrics' lag gauges). */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    // prom-client's own delay histogram cannot be turned off: sampled once a minute, it costs nothing.
    collectDefaultMetrics({ register: this.snapshotRegistry, prefix: PROCESS_PREFIX, eventLoopMonitoringPrecision: 60_000 });
    for (const n of [...NOT_GAUGE_NAMES, ...REPLACED_NAMES]) this.snapshotRegistry.removeSingleMetric(`${PROCESS_PREFIX}${n}`);
    this.loopDelay.enable();
    const delay = this.loopDelay;
    const quantiles = [
      ['min', () => delay.min],
      ['max', () => delay.max],
      ['mean', () => delay.mean],
      ['p50', () => delay.percentile(50)],
      ['p90', () => delay.percentile(90)],
      ['p99', () => delay.percentile(99)],
    ] as const;
    // Registered before the lag gauges so its collect() sets them before they are formatted.
    let lagGauges: { gauge: Gauge; read: () => number }[] = [];
    new Gauge({
      name: `${PROCESS_PREFIX}process_resident_memory_bytes`,
      help: 'Resident memory size in bytes',
      registers: [this.snapshotRegistry],
      collect() {
        this.set(process.memoryUsage.rss());
        // The lag gauges are set here, in one collect, so the histogram is read and reset once.
        if (delay.count > 0) for (const l of lagGauges) l.gauge.set(l.read() / 1e9);
        delay.reset();
      },
    });
    lagGauges = quantiles.map(([q, read]) => ({ gauge: new Gauge({ name: `${PROCESS_PREFIX}nodejs_eventloop_lag_${q}_seconds`, help: `The ${q} of the event loop's delay since the previous formatting, in seconds`, registers: [this.snapshotRegistry] }), read }));
    const r = [this.registry];
    this.passSeconds = new Histogram({
      name: 'gsched_schedule_pass_seconds',
      help: 'Time one scheduling pass of the core took',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: r,
    });
    this.passWaitSeconds = new Histogram({
      name: 'gsched_schedule_pass_wait_seconds',
      help: 'Wall time a scheduling pass waited from the first request for it (an event, a timer) until it ran: the pass gap, event-loop lag, a full dispatch window',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: r,
    });
    this.dispatchSeconds = new Histogram({
      name: 'gsched_dispatch_latency_seconds',
      help: 'From a start decision to the agent acknowledging it',
      // Fine around the 20 ms objective so a p99 can be judged against it.
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: r,
    });
    this.jobsEnded = new Counter({ name: 'gsched_jobs_ended_total', help: 'Jobs that reached a terminal state since the scheduler started, by state, partition, account and analysis class', labelNames: ['state', 'partition', 'account', 'class'], registers: r });
    this.heartbeats = new Counter({ name: 'gsched_agent_heartbeats_total', help: 'Heartbeats received, by agent', labelNames: ['agent'], registers: r });
    // Modelled seconds (the scheduler's clock), as the simulator reports them: bench:ngc
    // compares the two from these.
    this.turnaround = new Histogram({
      name: 'gsched_job_turnaround_seconds',
      help: 'Submit to end of jobs that completed, by analysis class, in modelled seconds',
      labelNames: ['class'],
      buckets: [600, 1800, 3600, 4 * 3600, 8 * 3600, 16 * 3600, 86_400, 2 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400],
      registers: r,
    });
    this.coreSeconds = new Counter({ name: 'gsched_task_core_seconds_total', help: 'Core-seconds (modelled) the tasks of ended jobs held, last attempts', registers: r });
    this.lastEnd = new Gauge({ name: 'gsched_last_job_end_seconds', help: 'Modelled time (epoch seconds) the latest job ended', registers: r });
    // State snapshots, as an operator watches Slurm's state save: how often, how long, and how
    // much journal the replica replayed for them (a restart replays the tail since the last one).
    this.snapshots = new Counter({ name: 'gsched_state_snapshots_total', help: 'State snapshots ended, by outcome (written, failed) and by who took them (worker: the replica thread; thread: the scheduler\'s own)', labelNames: ['outcome', 'taken_by'], registers: r });
    this.snapshotSeconds = new Histogram({ name: 'gsched_state_snapshot_seconds', help: 'Wall time of a written state snapshot, from its journal mark to written', buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600], registers: r });
    this.snapshotReplayed = new Counter({ name: 'gsched_state_snapshot_replayed_records_total', help: 'Journal records the snapshot replica replayed to take its snapshots', registers: r });
  }

  observer(): DriverObserver {
    return {
      pass: (ms, decisions) => {
        this.passSeconds.observe(ms / 1000);
        this.passCounters.pass(ms, decisions);
      },
      passWait: (ms) => {
        this.passWaitSeconds.observe(ms / 1000);
        this.passCounters.wait(ms);
      },
      snapshot: (o) => {
        this.snapshots.inc({ outcome: o.written ? 'written' : 'failed', taken_by: o.inWorker ? 'worker' : 'thread' });
        if (!o.written) return;
        this.snapshotSeconds.observe(o.ms / 1000);
        this.snapshotReplayed.inc(o.replayedRecords);
      },
      dispatched: (ms) => this.dispatchSeconds.observe(ms / 1000),
      // gsched_jobs_ended_total is counted with the job's labels by the live state (watch()).
      jobEnded: (state, _jobId, job) => {
        if (!job) return;
        if (state === 'COMPLETED') this.turnaround.observe({ class: job.class ?? 'none' }, (job.endedAt - job.submittedAt) / 1000);
        this.coreSeconds.inc(job.coreMs / 1000);
        if (job.endedAt > this.latestEndMs) {
          this.latestEndMs = job.endedAt;
          this.lastEnd.set(job.endedAt / 1000);
        }
      },
    };
  }

  /** Counts a job's end with its labels (the live state calls this before forgetting the job). */
  jobEnded(state: JobState, labels: { partition: string; account: string; class: string | null }): void {
    this.jobsEnded.inc({ state, partition: labels.partition, account: labels.account, class: labels.class ?? '' });
  }

  heartbeat(agent: string): void {
    this.heartbeats.inc({ agent });
  }

  /**
   * What the snapshot timer does: takes a snapshot, and formats it now only if the previous
   * text was scraped (else the next scrape will). Returns whether it formatted.
   */
  takeSnapshot(): boolean {
    if (!this.taker) return false;
    this.taker.take();
    this.snapshotText = null;
    if (!this.scraped) return false;
    this.scraped = false;
    // Formatting only runs collect() functions and string work: it settles in microtasks,
    // before this timer's turn of the event loop ends. Should it fail, the next scrape
    // formats for itself, and answers with the error (a 500 the API logs).
    this.render().catch(() => undefined);
    return true;
  }

  /** Takes a snapshot now and formats it (tests; the timer does it otherwise). */
  async snapshot(): Promise<void> {
    this.taker?.take();
    this.snapshotText = null;
    await this.render();
  }

  /** The Prometheus text of a scrape: the latest snapshot's, then the event-driven families'. */
  async exposition(): Promise<string> {
    const t = performance.now();
    this.scraped = true;
    // Not formatted yet (the first scrape after a quiet spell, no watch() in tests of other
    // routes, or a failed formatting): format now.
    const snapshotText = this.taker && this.snapshotText !== null ? this.snapshotText : await (this.rendering ?? this.render());
    const text = snapshotText + (await this.registry.metrics());
    this.onCost?.('serve', performance.now() - t);
    return text;
  }

  /** The exposition's content type (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Formats the snapshot's families once, for every scrape until the next snapshot (a scrape meanwhile awaits this one). */
  private render(): Promise<string> {
    const t = performance.now();
    const taken = this.taker?.latest;
    // prom-client's process families, then the snapshot's own, written straight from it
    // (metrics-text.ts): joined as one registry would join them.
    const rendering = this.snapshotRegistry.metrics().then(
      (processText) => {
        const text = this.taker ? `${processText}\n${formatSnapshotFamilies(taken ?? null, this.taker)}\n` : processText;
        // A snapshot taken meanwhile makes this text stale: the next scrape formats that one.
        if (this.taker?.latest === taken) this.snapshotText = text;
        this.onCost?.('render', performance.now() - t);
        return text;
      },
    ).finally(() => {
      if (this.rendering === rendering) this.rendering = null;
    });
    this.rendering = rendering;
    return rendering;
  }

  /**
   * Starts taking snapshots of the live state, and the gauges that report them. `live` must
   * observe the driver for job counts to follow it; without one (tests that do not look at
   * job metrics) the counts are those of the jobs the core held at this call.
   */
  watch(driver: SnapshotSource, hub: AgentHub, live?: LiveState, opts: WatchOptions = {}): void {
    if (!live) {
      live = new LiveState(() => driver.core, null);
      live.init();
    }
    const taker = new SnapshotTaker(driver, hub, live);
    this.taker = taker;
    live.onEnded((state, j) => this.jobEnded(state, j));
    this.takeSnapshot();
    this.timer = setInterval(() => this.takeSnapshot(), opts.snapshotMs ?? 1000);
    this.timer.unref();
  }

  /** The latest snapshot as the dashboard reads it (GET /api/v1/stats); null before watch(). */
  stats(): DashboardStats | null {
    const t = this.taker;
    const s = t?.latest;
    if (!t || !s) return null;
    const totals = (): CoreTotals => ({ total: 0, allocated: 0, idle: 0, drained: 0, down: 0 });
    const all = totals();
    const byContainer = new Map<string, CoreTotals>();
    for (const c of s.cores) {
      const k = byContainer.get(c.container) ?? totals();
      byContainer.set(c.container, k);
      for (const x of [k, all]) {
        x[c.state] += c.cores;
        x.total += c.cores;
      }
    }
    return {
      takenAt: Math.round(performance.timeOrigin + s.takenAt),
      schedulerNow: Math.round(s.schedulerNow),
      cores: all,
      containers: [...byContainer].map(([name, cores]) => ({
        name,
        cores,
        powerWatts: s.powerWatts.get(name) ?? 0,
        heatWatts: s.heatWatts.get(name) ?? 0,
        energyJoules: t.energyJ.get(name) ?? 0,
        heatJoules: t.heatJ.get(name) ?? 0,
      })),
      jobs: s.jobs.map(([k, count]) => ({ state: k.state, partition: k.partition, account: k.account, class: k.class, count })),
      pendingByReason: s.pendingByReason.map(([reason, count]) => ({ reason, count })),
      jobsEnded: s.jobsEnded,
      passes: this.passCounters.view(),
      fairshare: s.fairshare.map((f) => ({ account: f.account, parent: f.parent, shares: f.shares, usageCoreSeconds: f.usageCoreS, factor: f.factor })),
      history: t.historySeries(performance.timeOrigin),
    };
  }

  close(): void {
    this.loopDelay.disable();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
