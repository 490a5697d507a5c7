// bench:metrics — what scraping /metrics costs a loaded scheduler. The scheduler runs in this
// process (so every scheduling pass is timed exactly, by wrapping the core's schedule()), its
// three agents as real processes on loopback with no-op kernels, under bench:live's load: one-
// core tasks submitted over HTTP in batches of 100, then awaited to the last one (the same
// tasks every round).
//
// Each run is one scheduler under a series of such rounds, half of them scraped every second and
// half not at all, interleaved ABBA (so a machine getting busier or quieter, or a scheduler
// getting warmer, favours neither side; the side that goes first alternates between runs).
//
// Scrape: the p99 of every scrape's round trip in every run (a worker thread of its own scrapes,
// as Prometheus would from another machine); each scrape over 50 ms is reported with what
// overlapped it: the scheduler's event-loop stall, how much of it the scheduler's thread spent
// waiting for a core, the scraper thread's own wait, GC and driver snapshots.
//
// Pass: every pass is timed in wall time and in CPU time (wall less the thread's waits for a
// core, thread-sched.ts). The test: the p99 of every scraped round's passes against the p99 of
// every quiet round's, in CPU time (scraped/quiet − 1), with a 95% interval from a bootstrap
// over the pairs of rounds (rounds 1-2, 3-4, … of a run: one scraped, one quiet, side by side
// under the same machine load), so the machine's load moving between pairs widens it: met when
// the interval's top is at most +5%, missed when its bottom is above, unresolved otherwise.
// (Not the median of each pair's own p99 ratio, also reported: a round has a few hundred
// passes, so its p99 is a handful of them and moves ±10% between two like rounds by itself;
// the pooled p99 uses every pass.) Why CPU time: the scheduler serves a
// scrape on its one thread between passes, never within one, so all a scrape can add to a pass
// is work inside it (GC of the scrape's garbage, caches), which CPU time keeps; what wall time
// adds on this shared 2-core host is the waits for a core, which every other process sets (the
// machine's load moved the wall-time p99 of two like rounds by ±30% in the morning's runs, six
// times the margin). The wall-time test is reported beside it, with its interval, and so is the
// share of passes that waited for a core on each side (where a scraper on this host shows).
// Two rounds of a kind side by side give the noise.
//
// The live rounds cannot decide a 5% difference in minutes: two rounds with nothing changed
// differ by ~19% in pass p99, because which passes a round gets (their sizes) depends on how the
// submits and completions fell between them. So the pass test that decides is the matched
// replay (metrics-replay.ts): one more scheduler records BENCH_RECORD_ROUNDS unscraped rounds of
// the same load, and its journal (every event and pass, with its time) is replayed into a fresh
// core BENCH_REPLAYS times in this process, half of them scraped (ABBA) at the recorded passes
// per second: every replay runs the very same passes (checked against the journal's decisions),
// so scraped and quiet replays differ only in the scraping (both pause at each scrape point for
// a scrape's round trip, the quiet side's to a server on the scraper's own thread, see
// metrics-replay.ts). The same pooled CPU p99 test, its interval over the pairs of replays (the
// live rounds' test is reported beside it).
//
// Then how the scheduler's share grows with the jobs it holds (1,000 to 100,000 pending, in
// process, CPU time). Writes bench/results/metrics.json.
//
//   npm run bench:metrics
//   BENCH_RUNS=2 BENCH_ROUNDS=24 BENCH_TASKS=10000 BENCH_SCRAPE_MS=1000 BENCH_RECORD_ROUNDS=10 BENCH_REPLAYS=240 BENCH_REPLAY_BUDGET_S=200 BENCH_GROWTH=1000,10000,100000 npm run bench:metrics   (the defaults)
//
// The load generator and the scraper are worker threads of this process (metrics-client.ts),
// with event loops of their own as the real clients' would be.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { DEFAULT_CLUSTER_PATH, FakeClock, SERVER_NODE_ARGS, launchAgent, loadClusterConfig, packageRoot, renderTable, type Child } from '../common/index.js';
import { AgentHub } from '../scheduler/agents/index.js';
import { SchedulerMetrics } from '../scheduler/api/index.js';
import type { JobSpec } from '../scheduler/core/index.js';
import { LiveDriver, combineObservers, makeCore, type CoreApi } from '../scheduler/driver/index.js';
import { LiveState } from '../scheduler/events/index.js';
import { startScheduler } from '../scheduler/index.js';
import { Store } from '../scheduler/store/index.js';
import type { ClientMessage, ClientOrder, LoadJob, ProbeJob, ScrapeJob, SlowScrapeSeen } from './metrics-client.js';
import { matchedReplay, type Probe, type ReplayRun } from './metrics-replay.js';
import { envNumber, median, medianCi, medianPresent, percentile, pooledPercentileRatioCi, round } from './stats.js';
import { ThreadWait } from './thread-sched.js';

interface Config {
  runs: number;
  /** Rounds per run, half of them scraped. */
  rounds: number;
  /** Tasks per round. */
  tasks: number;
  batch: number;
  timeScale: number;
  scrapeMs: number;
  warmup: number;
  timeoutS: number;
  /** Pending-job counts at which to time the scheduler's share (BENCH_GROWTH, comma-separated). */
  growth: number[];
  /** The matched replay (metrics-replay.ts): rounds recorded, then replays of them (half scraped); 0 replays: none. */
  recordRounds: number;
  replays: number;
  /** Wall seconds the measured replays may take (BENCH_REPLAY_BUDGET_S): no pair starts after it. */
  replayBudgetS: number;
}

/** One side (scraped or quiet) of a run: its rounds' samples. */
interface Samples {
  passMs: number[];
  /** Each pass's time on a CPU: its wall time less the time the scheduler's thread waited for a core meanwhile. */
  passCpuMs: number[];
  scrapeMs: number[];
  serveMs: number[];
  renderMs: number[];
  loop: IntervalHistogram;
  seconds: number;
  tasks: number;
  rounds: number;
  /** Slow scrapes, each with what the scheduler was doing meanwhile. */
  slow: SlowScrape[];
}

/** A scrape slower than SLOW_MS and what overlapped it in the scheduler's thread. */
interface SlowScrape {
  ms: number;
  /** The longest event-loop stall (ms) that overlapped it, and the GC pauses and driver snapshots that did. */
  stall_ms: number;
  /** Of the stalls that overlapped it, the time the scheduler's thread spent waiting for a core. */
  scheduler_wait_ms: number | null;
  /** The time the scraper's own thread spent waiting for a core during the scrape. */
  scraper_wait_ms: number | null;
  gc_ms: number;
  snapshot_copy_ms: number;
}

interface Side {
  rounds: number;
  passes: number;
  pass_p50_ms: number;
  pass_p99_ms: number;
  /** The same in CPU time: each pass's wall time less its waits for a core (null off Linux). */
  pass_cpu_p50_ms: number | null;
  pass_cpu_p99_ms: number | null;
  /** Passes during which the scheduler's thread waited for a core (another thread or process held it), and the share. */
  passes_waited: number;
  /** How late the scheduler's event loop ran a timer (monitorEventLoopDelay): what any request waits for its turn. */
  loop_delay_p99_ms: number;
  /** Snapshot formatting, once a second on both sides. */
  renders: number;
  render_p50_ms: number | null;
  render_p99_ms: number | null;
  tasks_per_sec: number;
}

interface ScrapedSide extends Side {
  scrapes: number;
  scrape_p50_ms: number;
  scrape_p99_ms: number;
  scrape_max_ms: number;
  /** The scheduler's own share of a scrape (SchedulerMetrics.exposition), without the wait for its turn. */
  serve_p50_ms: number;
  serve_p99_ms: number;
}

/** One round of a run, in the order run. */
interface RoundResult {
  scraped: boolean;
  passes: number;
  pass_p99_ms: number;
  loop_delay_p99_ms: number;
  /** Stalls of the scheduler's event loop (gaps of a 5 ms timer over 20 ms): the longest, and how many passed 50 ms. */
  max_stall_ms: number;
  stalls_over_50ms: number;
  /** Of those, the ones the thread spent mostly waiting for a core (the machine's other work), not running. */
  stalls_over_50ms_waiting: number;
  /** The pass p99 in CPU time (wall less the waits for a core). */
  pass_cpu_p99_ms: number | null;
}

interface Run {
  scraped: ScrapedSide;
  quiet: Side;
  /** Every measured round in order (ABBA): adjacent rounds are compared pairwise. */
  rounds: RoundResult[];
  scrape_bytes: number;
  /** Scrapes over SLOW_MS and what overlapped each in the scheduler. */
  slow_scrapes: SlowScrape[];
  load_1m_start: number;
  load_1m_end: number;
}

/** A pass counts as having waited for a core when its wall time exceeds its CPU time by more than this. */
const WAITED_MS = 0.01;
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const p = (xs: readonly number[], q: number, places = 3): number => round(percentile(sorted(xs), q), places);
const pOrNull = (xs: readonly number[], q: number): number | null => (xs.length ? p(xs, q) : null);
const load1m = (): number => round(loadavg()[0] ?? 0, 2);
const round2 = (x: number): number => round(x, 2);

/**
 * Adjacent rounds compared: in ABBA order rounds 1-2, 3-4, … are one scraped and one quiet
 * (scraped/quiet − 1 of the figure, each pair run under the same machine load within seconds),
 * and rounds 2-3, 4-5, … are two of a kind (|later/earlier − 1|: how much the figure moves
 * between two rounds with nothing changed, the noise a difference must stand out of).
 */
function paired(runs: readonly Run[], f: (r: RoundResult) => number | null): { worse: number[]; noise: number[] } {
  const worse: number[] = [];
  const noise: number[] = [];
  for (const run of runs) {
    const rs = run.rounds;
    for (let k = 0; k + 1 < rs.length; k++) {
      const a = rs[k] as RoundResult;
      const b = rs[k + 1] as RoundResult;
      const fa = f(a);
      const fb = f(b);
      if (fa === null || fb === null || fa <= 0 || fb <= 0) continue;
      if (a.scraped !== b.scraped) {
        if (k % 2 === 0) worse.push(a.scraped ? fa / fb - 1 : fb / fa - 1);
      } else noise.push(Math.abs(fb / fa - 1));
    }
  }
  return { worse, noise };
}

/** A client worker (metrics-client.ts), and its messages awaited one at a time. */
class Client {
  private readonly worker: Worker;
  private readonly inbox: ClientMessage[] = [];
  private waiter: { type: ClientMessage['type']; resolve: (m: ClientMessage) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(job: LoadJob | ScrapeJob | ProbeJob) {
    this.worker = new Worker(new URL('./metrics-client.js', import.meta.url), { workerData: job });
    const fail = (error: string): void => {
      this.failure ??= new Error(`${job.role} client: ${error}`);
      this.waiter?.reject(this.failure);
      this.waiter = null;
    };
    this.worker.on('message', (m: ClientMessage) => {
      if (m.type === 'failed') return fail(m.error);
      if (this.waiter?.type === m.type) {
        this.waiter.resolve(m);
        this.waiter = null;
      } else this.inbox.push(m);
    });
    this.worker.on('error', (err) => fail(err.stack ?? String(err)));
    this.worker.on('exit', (code) => code !== 0 && fail(`exited with code ${code}`));
  }

  send(order: ClientOrder): void {
    this.worker.postMessage(order);
  }

  next<T extends ClientMessage['type']>(type: T): Promise<Extract<ClientMessage, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Extract<ClientMessage, { type: T }>);
    return new Promise((resolve, reject) => (this.waiter = { type, resolve: resolve as (m: ClientMessage) => void, reject }));
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The matched replay's scraper (metrics-replay.ts) on a probe worker. */
function probeOf(client: Client): Probe {
  const ask = async (order: ClientOrder): Promise<number> => {
    client.send(order);
    return (await client.next('got')).ms;
  };
  return { scrape: (url) => ask({ type: 'get', url }), ping: () => ask({ type: 'ping' }), away: () => ask({ type: 'away' }) };
}

function side(s: Samples): Side {
  return {
    rounds: s.rounds,
    passes: s.passMs.length,
    pass_p50_ms: p(s.passMs, 50),
    pass_p99_ms: p(s.passMs, 99),
    pass_cpu_p50_ms: pOrNull(s.passCpuMs, 50),
    pass_cpu_p99_ms: pOrNull(s.passCpuMs, 99),
    passes_waited: s.passCpuMs.filter((c, i) => (s.passMs[i] as number) - c > WAITED_MS).length,
    loop_delay_p99_ms: round(s.loop.percentile(99) / 1e6, 2),
    renders: s.renderMs.length,
    render_p50_ms: pOrNull(s.renderMs, 50),
    render_p99_ms: pOrNull(s.renderMs, 99),
    tasks_per_sec: Math.round(s.tasks / s.seconds),
  };
}

const newSamples = (): Samples => ({ passMs: [], passCpuMs: [], scrapeMs: [], serveMs: [], renderMs: [], loop: monitorEventLoopDelay({ resolution: 1 }), seconds: 0, tasks: 0, rounds: 0, slow: [] });

/** What ran on the scheduler's thread, in epoch ms: event-loop stalls, GC pauses, driver snapshots. */
interface Watch {
  /** Each stall's wall ms, and how much of it the thread spent waiting for a core (null: unknown). */
  stalls: { at: number; ms: number; waitMs: number | null }[];
  gcs: { at: number; ms: number }[];
  snapshots: { at: number; ms: number }[];
  stop(): void;
}

/** Stalls seen by a 5 ms timer (any gap over 20 ms), GC pauses, and the synchronous copy of each driver snapshot. */
function watchStalls(driver: { snapshot(): Promise<void> }, wait: ThreadWait | null): Watch {
  const w: Watch = { stalls: [], gcs: [], snapshots: [], stop: () => undefined };
  const epoch = (t: number): number => performance.timeOrigin + t;
  let last = performance.now();
  let lastWait = wait?.waitMs() ?? 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const waited = wait?.waitMs() ?? 0;
    if (now - last > 20) w.stalls.push({ at: epoch(last), ms: now - last, waitMs: wait ? waited - lastWait : null });
    last = now;
    lastWait = waited;
  }, 5);
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.gcs.push({ at: epoch(e.startTime), ms: e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const snapshot = driver.snapshot.bind(driver);
  driver.snapshot = () => {
    const t = performance.now();
    const done = snapshot();
    w.snapshots.push({ at: epoch(t), ms: performance.now() - t });
    return done;
  };
  w.stop = () => {
    clearInterval(timer);
    gc.disconnect();
  };
  return w;
}

function explain(x: SlowScrapeSeen, w: Watch): SlowScrape {
  const over = (e: { at: number; ms: number }): boolean => e.at < x.at + x.ms && e.at + e.ms > x.at;
  const sum = (es: { ms: number }[]): number => round(es.reduce((a, e) => a + e.ms, 0), 1);
  const stalls = w.stalls.filter(over);
  return {
    ms: round(x.ms, 1),
    stall_ms: round(Math.max(0, ...stalls.map((e) => e.ms)), 1),
    // A stall's wait, counted whole even where the stall began before the scrape or ended after it.
    scheduler_wait_ms: stalls.some((e) => e.waitMs === null) ? null : round(stalls.reduce((a, e) => a + (e.waitMs ?? 0), 0), 1),
    scraper_wait_ms: x.scraperWaitMs === null ? null : round(x.scraperWaitMs, 1),
    gc_ms: sum(w.gcs.filter(over)),
    snapshot_copy_ms: sum(w.snapshots.filter(over)),
  };
}

/** One measured round's passes (wall and CPU ms), in the order run: the pass test's pairs are drawn from these. */
interface RoundPasses {
  scraped: boolean;
  wall: number[];
  cpu: number[];
}

async function run(cfg: Config, index: number, maxTimeMs: number, pooled: { scraped: Samples; quiet: Samples }, roundPasses: RoundPasses[]): Promise<Run> {
  const loadStart = load1m();
  const state = mkdtempSync(join(tmpdir(), 'gsched-bench-metrics-'));
  const sides = { scraped: newSamples(), quiet: newSamples() };
  let current: Samples | null = null;
  const wait = ThreadWait.open();
  // The pass the driver times is the core's schedule() call: time it here, exactly.
  const coreFactory = (config: Parameters<typeof makeCore>[0]): CoreApi => {
    const core = makeCore(config);
    const schedule = core.schedule.bind(core);
    core.schedule = (now) => {
      const into = current;
      if (!into) return schedule(now);
      const w = wait?.waitMs() ?? 0;
      const t = performance.now();
      const r = schedule(now);
      const ms = performance.now() - t;
      into.passMs.push(ms);
      if (wait) into.passCpuMs.push(Math.max(0, ms - (wait.waitMs() - w)));
      return r;
    };
    return core;
  };
  const cluster = DEFAULT_CLUSTER_PATH();
  const sched = await startScheduler(
    { host: '127.0.0.1', httpPort: 0, grpcPort: 0, stateDir: state, clusterPath: cluster, heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 10_000, startupGraceMs: 10_000, timeScale: cfg.timeScale, forgetAfterMs: 10_000, snapshotEveryRecords: 100_000, snapshotEveryMs: 60_000, logLevel: 'warn', tls: {}, insecure: false, rateLimit: { perSecond: 0, burst: 1 } },
    pino({ level: 'warn' }),
    coreFactory,
  );
  sched.metrics.onCost = (what, ms) => current?.[what === 'render' ? 'renderMs' : 'serveMs'].push(ms);
  const watch = watchStalls(sched.driver, wait);
  const agents: Child[] = [];
  const clients: Client[] = [];
  try {
    const containers = [...new Set(loadClusterConfig(cluster).nodes.map((n) => n.container))];
    for (const c of containers) {
      agents.push(
        await launchAgent(['--scheduler', sched.grpcAddress, '--name', `agent-${c}`, '--container', c, '--cluster', cluster, '--join-token-file', join(state, 'join-token'), '--time-scale', String(cfg.timeScale), '--kernels', 'noop']),
      );
    }
    const token = readFileSync(join(state, 'api-token'), 'utf8').trim();
    const loader = new Client({ role: 'load', url: sched.httpUrl, token, containers: containers.length, batch: cfg.batch, maxTimeMs, timeoutS: cfg.timeoutS });
    const scraper = new Client({ role: 'scrape', url: sched.httpUrl, everyMs: cfg.scrapeMs });
    clients.push(loader, scraper);
    await loader.next('ready');
    const round = async (tasks: number, scraped: boolean): Promise<{ seconds: number; scrapeMs: number[]; bytes: number; slow: SlowScrapeSeen[] }> => {
      if (scraped) scraper.send({ type: 'on' });
      loader.send({ type: 'round', tasks });
      const { seconds } = await loader.next('loaded');
      if (!scraped) return { seconds, scrapeMs: [], bytes: 0, slow: [] };
      scraper.send({ type: 'off' });
      return { seconds, ...(await scraper.next('scraped')) };
    };
    // Warm-up, scraped, as Prometheus scrapes a scheduler that has long been up: the first,
    // cold scrapes and passes (code not yet compiled) are not what they cost. Not measured.
    await round(cfg.warmup, true);
    let bytes = 0;
    const perRound: RoundResult[] = [];
    for (let k = 0; k < cfg.rounds; k++) {
      // ABBA (scraped, quiet, quiet, scraped, …), B first in every other run: both sides get the
      // same mean position in the run, so a scheduler still warming up (or a machine getting
      // busier) over a run favours neither.
      const scraped = (((k + 1) >> 1) + index) % 2 === 0;
      const s = scraped ? sides.scraped : sides.quiet;
      current = s;
      const passesBefore = s.passMs.length;
      const loop = monitorEventLoopDelay({ resolution: 1 });
      s.loop.enable();
      loop.enable();
      const from = performance.timeOrigin + performance.now();
      const r = await round(cfg.tasks, scraped);
      const to = performance.timeOrigin + performance.now();
      s.loop.disable();
      loop.disable();
      current = null;
      const passes = s.passMs.slice(passesBefore);
      const passesCpu = s.passCpuMs.slice(passesBefore);
      const stallsIn = watch.stalls.filter((x) => x.at >= from && x.at < to);
      const stalls = stallsIn.map((x) => x.ms);
      const over50 = stallsIn.filter((x) => x.ms > 50);
      roundPasses.push({ scraped, wall: passes, cpu: passesCpu });
      perRound.push({
        scraped,
        passes: passes.length,
        pass_p99_ms: p(passes, 99),
        loop_delay_p99_ms: round2(loop.percentile(99) / 1e6),
        max_stall_ms: Math.round(Math.max(0, ...stalls) * 10) / 10,
        stalls_over_50ms: over50.length,
        stalls_over_50ms_waiting: over50.filter((x) => x.waitMs !== null && x.waitMs > x.ms / 2).length,
        pass_cpu_p99_ms: pOrNull(passesCpu, 99),
      });
      s.seconds += r.seconds;
      s.tasks += cfg.tasks;
      s.rounds++;
      s.scrapeMs.push(...r.scrapeMs);
      for (const x of r.slow) s.slow.push(explain(x, watch));
      if (scraped) bytes = r.bytes;
    }
    for (const k of ['scraped', 'quiet'] as const) {
      pooled[k].passMs.push(...sides[k].passMs);
      pooled[k].passCpuMs.push(...sides[k].passCpuMs);
      pooled[k].scrapeMs.push(...sides[k].scrapeMs);
      pooled[k].serveMs.push(...sides[k].serveMs);
      pooled[k].renderMs.push(...sides[k].renderMs);
    }
    const sc = sides.scraped;
    return {
      scraped: {
        ...side(sc),
        scrapes: sc.scrapeMs.length,
        scrape_p50_ms: p(sc.scrapeMs, 50, 2),
        scrape_p99_ms: p(sc.scrapeMs, 99, 2),
        scrape_max_ms: p(sc.scrapeMs, 100, 2),
        serve_p50_ms: p(sc.serveMs, 50),
        serve_p99_ms: p(sc.serveMs, 99),
      },
      quiet: side(sides.quiet),
      rounds: perRound,
      scrape_bytes: bytes,
      slow_scrapes: sc.slow,
      load_1m_start: loadStart,
      load_1m_end: load1m(),
    };
  } finally {
    watch.stop();
    for (const c of clients) c.send({ type: 'stop' });
    await Promise.all(clients.map((c) => c.terminate()));
    await Promise.all(agents.map((a) => a.stop(2000)));
    await sched.stop();
    wait?.close();
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * The matched replay's recording: one scheduler (no journal snapshots, so its journal stays
 * whole) under `rounds` unscraped rounds of the same load, stopped; its state folder is kept for
 * matchedReplay. Passes per wall second over the rounds set the replay's cadence.
 */
async function record(cfg: Config, maxTimeMs: number): Promise<{ dir: string; passes: number; seconds: number }> {
  const state = mkdtempSync(join(tmpdir(), 'gsched-bench-metrics-journal-'));
  let passes = 0;
  let counting = false;
  const coreFactory = (config: Parameters<typeof makeCore>[0]): CoreApi => {
    const core = makeCore(config);
    const schedule = core.schedule.bind(core);
    core.schedule = (now, limitsAt) => {
      if (counting) passes++;
      return schedule(now, limitsAt);
    };
    return core;
  };
  const cluster = DEFAULT_CLUSTER_PATH();
  const sched = await startScheduler(
    { host: '127.0.0.1', httpPort: 0, grpcPort: 0, stateDir: state, clusterPath: cluster, heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 10_000, startupGraceMs: 10_000, timeScale: cfg.timeScale, forgetAfterMs: 10_000, snapshotEveryRecords: Number.MAX_SAFE_INTEGER, snapshotEveryMs: Number.MAX_SAFE_INTEGER, logLevel: 'warn', tls: {}, insecure: false, rateLimit: { perSecond: 0, burst: 1 } },
    pino({ level: 'warn' }),
    coreFactory,
  );
  const agents: Child[] = [];
  let loader: Client | null = null;
  let seconds = 0;
  try {
    const containers = [...new Set(loadClusterConfig(cluster).nodes.map((n) => n.container))];
    for (const c of containers) {
      agents.push(await launchAgent(['--scheduler', sched.grpcAddress, '--name', `agent-${c}`, '--container', c, '--cluster', cluster, '--join-token-file', join(state, 'join-token'), '--time-scale', String(cfg.timeScale), '--kernels', 'noop']));
    }
    const token = readFileSync(join(state, 'api-token'), 'utf8').trim();
    loader = new Client({ role: 'load', url: sched.httpUrl, token, containers: containers.length, batch: cfg.batch, maxTimeMs, timeoutS: cfg.timeoutS });
    await loader.next('ready');
    counting = true;
    for (let k = 0; k < cfg.recordRounds; k++) {
      loader.send({ type: 'round', tasks: cfg.tasks });
      seconds += (await loader.next('loaded')).seconds;
    }
    counting = false;
    return { dir: state, passes, seconds };
  } finally {
    loader?.send({ type: 'stop' });
    await loader?.terminate();
    await Promise.all(agents.map((a) => a.stop(2000)));
    await sched.stop();
    if (counting || seconds === 0) rmSync(state, { recursive: true, force: true }); // failed: nothing to replay
  }
}

/** CPU ms per call of what /metrics costs the scheduler, with `jobs` pending jobs held. */
interface Growth {
  jobs: number;
  /** A snapshot taken and formatted: once a second, scraped or not. */
  snapshot_ms: number;
  /** A scrape's own share (SchedulerMetrics.exposition). */
  serve_ms: number;
}

/**
 * How the scheduler's share grows with the jobs it holds: a driver on the default cluster with
 * no agents (every job pending, of four accounts and four classes), timed per call in CPU time
 * (the machine is shared: wall time would measure the neighbours too).
 */
async function growth(jobs: number): Promise<Growth> {
  const dir = mkdtempSync(join(tmpdir(), 'gsched-bench-metrics-growth-'));
  const config = loadClusterConfig(DEFAULT_CLUSTER_PATH());
  const log = pino({ level: 'silent' });
  const metrics = new SchedulerMetrics();
  const core = makeCore(config);
  const live = new LiveState(() => core, null);
  const clock = new FakeClock();
  // No driver snapshot: process CPU time counts every thread, and the snapshot worker's replay
  // of the submits (at 100,000 records) would be counted as /metrics' cost.
  const driver = new LiveDriver({ core, store: new Store(dir), log, timeScale: 1, forgetAfterMs: 3_600_000, clock, observer: combineObservers(metrics.observer(), live), snapshotEveryRecords: Number.MAX_SAFE_INTEGER, snapshotEveryMs: Number.MAX_SAFE_INTEGER });
  const hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log, clock: new FakeClock() });
  try {
    const accounts = ['rh-genetics', 'rh-oncology', 'herlev-genetics', 'auh-genetics'];
    const classes = ['wgs', 'wes', 'panel', 'tumour-normal'];
    const subs: Promise<unknown>[] = [];
    for (let i = 0; i < jobs; i++) {
      const job: JobSpec = { name: `g-${i}`, owner: 'bench', account: accounts[i % 4] as string, partition: 'clinical', qos: 'normal', purpose: 'treatment', pseudonyms: [], tasks: [{ cores: 1, memMb: 100 }], class: classes[(i >> 2) % 4] as string };
      subs.push(driver.submit(job));
    }
    await Promise.all(subs);
    clock.advance(1); // one pass: every job gets its pending reason
    metrics.watch(driver, hub, live, { snapshotMs: 3_600_000 });
    const cpuMs = async (fn: () => Promise<unknown>, n: number): Promise<number> => {
      await fn(); // warm
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await fn();
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000 / n;
    };
    return { jobs, snapshot_ms: round(await cpuMs(() => metrics.snapshot(), 50), 3), serve_ms: round(await cpuMs(() => metrics.exposition(), 200), 3) };
  } finally {
    metrics.close();
    hub.close();
    await driver.close();
    await driver.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Diagnostics, not the bench (BENCH_DIAG=http,direct,idle,away, each optionally +away; no results file): one recording,
 * then per mode a matched replay whose scraped side does only that at each scrape point (the
 * real scrape; SchedulerMetrics.exposition() on this thread without HTTP; only a wait for the
 * scraper's thread), with its pooled CPU p99 test, the same without the passes right after a
 * snapshot or scrape point, per position the scraped/quiet ratio of the replays' median CPU
 * (after a snapshot, after a scrape, the rest), and that ratio for the heaviest 1% of passes.
 */
async function diagnose(cfg: Config, cluster: ReturnType<typeof loadClusterConfig>, maxTimeMs: number, modes: string): Promise<void> {
  const rec = await record(cfg, maxTimeMs);
  const perSecond = rec.passes / rec.seconds;
  process.stderr.write(`diag: ${rec.passes} passes recorded, ${round(perSecond, 1)}/s\n`);
  const probe = new Client({ role: 'probe' });
  try {
    for (const m of modes.split(',')) {
      const [mode, quiet] = m.split('+');
      if ((mode !== 'http' && mode !== 'direct' && mode !== 'idle' && mode !== 'away') || (quiet !== undefined && quiet !== 'away')) throw new Error(`BENCH_DIAG=${modes}: expected modes among http, direct, idle, away, each optionally +away (the quiet side's)`);
      const replays = await matchedReplay(rec.dir, cluster, { replays: cfg.replays, passesPerSecond: perSecond, budgetS: cfg.replayBudgetS, mode, quietAway: quiet === 'away' }, probeOf(probe));
      const pairs = replays.flatMap((r, k) => {
        const next = replays[k + 1];
        if (k % 2 !== 0 || !next || next.scraped === r.scraped) return [];
        return [r.scraped ? { a: r.cpu, b: next.cpu } : { a: next.cpu, b: r.cpu }];
      });
      const first = replays[0];
      const snapAt = new Set(first?.afterSnapshot);
      const scrapeAt = new Set(first?.afterScrape);
      const kind = (j: number): 'snap' | 'scrape' | 'other' => (snapAt.has(j) ? 'snap' : scrapeAt.has(j) ? 'scrape' : 'other');
      const keep = (xs: number[]): number[] => xs.filter((_, j) => kind(j) === 'other');
      const fmt = (x: { ratio: number; lo: number; hi: number } | null): string => (x ? `${round(x.ratio * 100, 1)}% [${round(x.lo * 100, 1)}, ${round(x.hi * 100, 1)}]` : 'n/a');
      const all = pooledPercentileRatioCi(pairs, 99, 400);
      const rest = pooledPercentileRatioCi(pairs.map((x) => ({ a: keep(x.a), b: keep(x.b) })), 99, 400);
      const p50 = pooledPercentileRatioCi(pairs, 50, 400);
      // Per position: the median over the replays of a side, then scraped/quiet at that position.
      const n = replays[0]?.cpu.length ?? 0;
      const per = { snap: [] as number[], scrape: [] as number[], other: [] as number[] };
      const sideMed = (scraped: boolean, j: number): number => median(replays.filter((r) => r.scraped === scraped).map((r) => r.cpu[j] as number));
      const medS: number[] = [];
      const medQ: number[] = [];
      for (let j = 0; j < n; j++) {
        medS.push(sideMed(true, j));
        medQ.push(sideMed(false, j));
        per[kind(j)].push((medS[j] as number) / (medQ[j] as number) - 1);
      }
      // The heavy passes (top 1% by their quiet median): how much slower each is scraped.
      const cut = percentile(sorted(medQ), 99);
      const tail = medQ.flatMap((q, j) => (q >= cut ? [(medS[j] as number) / q - 1] : []));
      const meanOf = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
      process.stdout.write(`${m}: heavy passes (${tail.length}, quiet median ≥ ${round(cut, 4)} ms): scraped/quiet per-position median ${round(median(tail) * 100, 1)}%, mean ${round(meanOf(tail) * 100, 1)}%; p99 of per-position medians ${round((percentile(sorted(medS), 99) / cut - 1) * 100, 1)}%\n`);
      const sc = replays.filter((r) => r.scraped);
      const qu = replays.filter((r) => !r.scraped);
      const cpuP = (rs: ReplayRun[], q: number): number => p(rs.flatMap((r) => r.cpu), q, 4);
      process.stdout.write(
        `${m}: ${pairs.length} pairs; p99 ${cpuP(sc, 99)} / ${cpuP(qu, 99)} ms: ${fmt(all)}; without the ${per.snap.length + per.scrape.length} passes after a snapshot/scrape point: ${fmt(rest)}; p50 ${fmt(p50)}\n` +
          `   per-position median ratio: after snapshot ${round(median(per.snap) * 100, 1)}% (n ${per.snap.length}), after scrape ${round(median(per.scrape) * 100, 1)}% (n ${per.scrape.length}), others ${round(median(per.other) * 100, 1)}%; ` +
          `after-scrape passes' CPU median ${round(median(sc.flatMap((r) => r.cpu.filter((_, j) => kind(j) === 'scrape'))), 4)} vs quiet ${round(median(qu.flatMap((r) => r.cpu.filter((_, j) => kind(j) === 'scrape'))), 4)} ms; renders ${sc.reduce((a, r) => a + r.renders, 0)}/${qu.reduce((a, r) => a + r.renders, 0)}; scrape p50 ${p(sc.flatMap((r) => r.scrapeMs), 50)} ms\n`,
      );
    }
  } finally {
    probe.send({ type: 'stop' });
    await probe.terminate();
    rmSync(rec.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cfg: Config = {
    runs: envNumber('BENCH_RUNS', 2, { integer: true }),
    rounds: envNumber('BENCH_ROUNDS', 24, { integer: true }),
    tasks: envNumber('BENCH_TASKS', 10_000, { integer: true }),
    batch: envNumber('BENCH_BATCH', 100, { integer: true }),
    timeScale: envNumber('BENCH_TIME_SCALE', 1e-4),
    scrapeMs: envNumber('BENCH_SCRAPE_MS', 1000),
    warmup: envNumber('BENCH_WARMUP', 10_000, { integer: true }),
    timeoutS: envNumber('BENCH_TIMEOUT_S', 600),
    recordRounds: envNumber('BENCH_RECORD_ROUNDS', 10, { integer: true }),
    replays: envNumber('BENCH_REPLAYS', 240, { integer: true }),
    replayBudgetS: envNumber('BENCH_REPLAY_BUDGET_S', 200),
    growth: (process.env.BENCH_GROWTH ?? '1000,10000,100000').split(',').filter((x) => x.trim() !== '').map((x) => {
      const v = Number(x);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`BENCH_GROWTH=${process.env.BENCH_GROWTH}: expected job counts like 1000,10000,100000`);
      return v;
    }),
  };
  if (cfg.rounds < 2 || cfg.rounds % 2 !== 0) throw new Error(`BENCH_ROUNDS=${cfg.rounds}: expected an even number, at least 2 (rounds are compared in scraped/quiet pairs)`);
  if (cfg.replays !== 0 && (cfg.replays < 4 || cfg.replays % 2 !== 0)) throw new Error(`BENCH_REPLAYS=${cfg.replays}: expected 0 (no matched replay) or an even number, at least 4 (replays are compared in scraped/quiet pairs)`);
  if (cfg.replays > 0 && cfg.recordRounds < 1) throw new Error(`BENCH_RECORD_ROUNDS=${cfg.recordRounds}: expected at least 1 round to record for the matched replay`);
  const cluster = loadClusterConfig(DEFAULT_CLUSTER_PATH());
  const maxTimeMs = cluster.partitions.find((x) => x.name === 'research')?.maxTimeMs ?? 86_400_000;
  process.stderr.write(`bench:metrics: ${cfg.runs} run(s) of ${cfg.rounds} rounds of ${cfg.tasks} tasks after ${cfg.warmup} to warm up, /metrics every ${cfg.scrapeMs} ms in half of them (ABBA)\n`);
  if (process.env.BENCH_DIAG) return diagnose(cfg, cluster, maxTimeMs, process.env.BENCH_DIAG);
  const pooled = { scraped: newSamples(), quiet: newSamples() };
  const runs: Run[] = [];
  /** Per run, its rounds' passes. */
  const passesByRun: RoundPasses[][] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const rp: RoundPasses[] = [];
    passesByRun.push(rp);
    const r = await run(cfg, i, maxTimeMs, pooled, rp);
    const stallsOf = (scraped: boolean): string => {
      const rs = r.rounds.filter((x) => x.scraped === scraped);
      return `${rs.reduce((a, x) => a + x.stalls_over_50ms, 0)} over 50 ms (${rs.reduce((a, x) => a + x.stalls_over_50ms_waiting, 0)} mostly waiting for a core; longest ${Math.max(0, ...rs.map((x) => x.max_stall_ms))} ms)`;
    };
    process.stderr.write(`  run ${i + 1}: event-loop stalls ${stallsOf(true)} scraped, ${stallsOf(false)} quiet\n`);
    process.stderr.write(
      `  run ${i + 1}: scrape p99 ${r.scraped.scrape_p99_ms} ms over ${r.scraped.scrapes} (serve p99 ${r.scraped.serve_p99_ms} ms); pass p99 ${r.scraped.pass_p99_ms} ms scraped (${r.scraped.passes} passes) / ${r.quiet.pass_p99_ms} ms quiet (${r.quiet.passes}); loop delay p99 ${r.scraped.loop_delay_p99_ms} / ${r.quiet.loop_delay_p99_ms} ms; render p99 ${r.scraped.render_p99_ms} ms; ${r.scraped.tasks_per_sec} / ${r.quiet.tasks_per_sec} tasks/s; load ${r.load_1m_start}→${r.load_1m_end}\n`,
    );
    for (const x of r.slow_scrapes) process.stderr.write(`    slow scrape ${x.ms} ms: event-loop stall ${x.stall_ms} ms (the scheduler's thread waiting for a core ${x.scheduler_wait_ms} ms of it), the scraper's thread waiting for a core ${x.scraper_wait_ms} ms, GC ${x.gc_ms} ms, driver snapshot copy ${x.snapshot_copy_ms} ms meanwhile\n`);
    runs.push(r);
  }
  // The matched replay (metrics-replay.ts): the pass test on the same passes.
  let replays: ReplayRun[] = [];
  let recording: { rounds: number; tasks: number; passes: number; seconds: number; passes_per_second: number } | null = null;
  if (cfg.replays > 0) {
    const rec = await record(cfg, maxTimeMs);
    const perSecond = rec.passes / rec.seconds;
    recording = { rounds: cfg.recordRounds, tasks: cfg.recordRounds * cfg.tasks, passes: rec.passes, seconds: round(rec.seconds, 2), passes_per_second: round(perSecond, 1) };
    process.stderr.write(`  recorded ${recording.tasks} tasks: ${rec.passes} passes in ${recording.seconds} s (${recording.passes_per_second} a second); replaying it ${cfg.replays} + 2 times\n`);
    const probe = new Client({ role: 'probe' });
    try {
      replays = await matchedReplay(rec.dir, cluster, { replays: cfg.replays, passesPerSecond: perSecond, budgetS: cfg.replayBudgetS, quietAway: true }, probeOf(probe));
    } finally {
      probe.send({ type: 'stop' });
      await probe.terminate();
      rmSync(rec.dir, { recursive: true, force: true });
    }
    for (const r of replays) process.stderr.write(`    replay ${r.scraped ? 'scraped' : 'quiet  '}: ${r.cpu.length} passes, CPU p50 ${p(r.cpu, 50)} ms, p99 ${p(r.cpu, 99)} ms, ${r.passesWithGc} with a GC in them (${round(r.gcMsInPasses, 1)} ms), ${r.scrapeMs.length} scrapes, ${r.renders} formattings, ${round(r.seconds, 2)} s\n`);
  }
  const grown: Growth[] = [];
  for (const jobs of cfg.growth) {
    const g = await growth(jobs);
    process.stderr.write(`  ${jobs} jobs held: a snapshot ${g.snapshot_ms} ms, a scrape's own share ${g.serve_ms} ms (CPU)\n`);
    grown.push(g);
  }
  const med = (f: (r: Run) => number): number => median(runs.map(f));
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${round(x * 100, 1)}%`);
  const target = { scrape_p99_ms: 50, pass_p99_worse_max: 0.05 };
  const allScrapes = pooled.scraped.scrapeMs;
  const scrapeP99 = p(allScrapes, 99, 2);
  // The pass test (see the header): the p99 of every scraped round's passes against that of
  // every quiet round's, in CPU time, with a 95% interval from resampling the scraped/quiet
  // pairs of rounds. Met when the whole interval is at most +5%, missed when all of it is
  // above, unresolved otherwise. Beside it: the same in wall time, and the median over the
  // pairs of each pair's own p99 ratio (sign-test interval).
  const roundPairs = passesByRun.flatMap((rs) => rs.flatMap((r, k) => {
    const next = rs[k + 1];
    if (k % 2 !== 0 || !next || next.scraped === r.scraped) return [];
    return [r.scraped ? { scraped: r, quiet: next } : { scraped: next, quiet: r }];
  }));
  const boot = (f: (r: RoundPasses) => number[]): { ratio: number; ci95: [number, number] } | null => {
    const x = pooledPercentileRatioCi(roundPairs.map((pr) => ({ a: f(pr.scraped), b: f(pr.quiet) })), 99);
    return x && Number.isFinite(x.ratio) ? { ratio: round(x.ratio, 4), ci95: [round(x.lo, 4), round(x.hi, 4)] } : null;
  };
  const cpuPooled = boot((r) => r.cpu);
  const wallPooled = boot((r) => r.wall);
  const cpuPairs = paired(runs, (r) => r.pass_cpu_p99_ms);
  const wallPairs = paired(runs, (r) => r.pass_p99_ms);
  const loopPairs = paired(runs, (r) => r.loop_delay_p99_ms);
  const interval = (pairs: { worse: number[]; noise: number[] }): { median: number | null; ci95: [number, number] | null; pairs: number; noise_median: number | null } => {
    const ci = medianCi(pairs.worse);
    return {
      median: pairs.worse.length ? round(median(pairs.worse), 4) : null,
      ci95: ci ? [round(ci.lo, 4), round(ci.hi, 4)] : null,
      pairs: pairs.worse.length,
      noise_median: pairs.noise.length ? round(median(pairs.noise), 4) : null,
    };
  };
  const cpu = interval(cpuPairs);
  const wall = interval(wallPairs);
  const verdict = (x: { ci95: [number, number] | null }): 'met' | 'missed' | 'unresolved' => (x.ci95 === null ? 'unresolved' : x.ci95[1] <= target.pass_p99_worse_max ? 'met' : x.ci95[0] > target.pass_p99_worse_max ? 'missed' : 'unresolved');
  const liveVerdict = verdict(cpuPooled ?? { ci95: null });
  // The matched replay's test: the same statistic over replays of one recorded pass sequence,
  // the interval from resampling the scraped/quiet pairs of replays (1-2, 3-4, …). It decides
  // the target when it ran: the live rounds' passes differ from round to round, the replays' do not.
  const replayPairs = replays.flatMap((r, k) => {
    const next = replays[k + 1];
    if (k % 2 !== 0 || !next || next.scraped === r.scraped) return [];
    return [r.scraped ? { scraped: r, quiet: next } : { scraped: next, quiet: r }];
  });
  const replayBoot = (f: (r: ReplayRun) => number[], q: number): { ratio: number; ci95: [number, number] } | null => {
    const x = pooledPercentileRatioCi(replayPairs.map((pr) => ({ a: f(pr.scraped), b: f(pr.quiet) })), q);
    return x && Number.isFinite(x.ratio) ? { ratio: round(x.ratio, 4), ci95: [round(x.lo, 4), round(x.hi, 4)] } : null;
  };
  const replayCpu = replayBoot((r) => r.cpu, 99);
  const replayWall = replayBoot((r) => r.wall, 99);
  const replayCpuP50 = replayBoot((r) => r.cpu, 50);
  // Two replays of a kind side by side (2-3, 4-5, …): how much the p99 moves with nothing changed.
  const replayNoise: number[] = [];
  for (let k = 1; k + 1 < replays.length; k += 2) {
    const a = replays[k] as ReplayRun;
    const b = replays[k + 1] as ReplayRun;
    if (a.scraped === b.scraped) replayNoise.push(Math.abs(p(b.cpu, 99) / p(a.cpu, 99) - 1));
  }
  // The passes right after a scrape point and right after a snapshot point (formatted on the
  // scraped side only): their median CPU ms on each side, where a scrape's cost to the pass after
  // it shows (the same passes on both sides).
  const nextPass = (at: 'afterScrape' | 'afterSnapshot') => {
    const of = (scraped: boolean): number | null => {
      const xs = replays.filter((r) => r.scraped === scraped).flatMap((r) => r[at].map((j) => r.cpu[j] as number));
      return xs.length ? round(median(xs), 4) : null;
    };
    return { passes_per_replay: replays[0]?.[at].length ?? 0, cpu_median_ms_scraped: of(true), cpu_median_ms_quiet: of(false) };
  };
  const replaySide = (scraped: boolean) => {
    const rs = replays.filter((r) => r.scraped === scraped);
    const cpus = rs.flatMap((r) => r.cpu);
    const passes = cpus.length;
    return {
      replays: rs.length,
      passes,
      pass_cpu_p50_ms: pOrNull(cpus, 50),
      pass_cpu_p99_ms: pOrNull(cpus, 99),
      pass_p99_ms: pOrNull(rs.flatMap((r) => r.wall), 99),
      passes_with_gc_share: round(rs.reduce((a, r) => a + r.passesWithGc, 0) / Math.max(1, passes), 4),
      gc_ms_in_passes_per_1000_passes: round((rs.reduce((a, r) => a + r.gcMsInPasses, 0) * 1000) / Math.max(1, passes), 2),
      scrapes: rs.reduce((a, r) => a + r.scrapeMs.length, 0),
      /** The quiet side's pauses at the scrape points (a scrape-sized round trip that leaves the scheduler's thread alone), against the scraped side's scrape round trips. */
      pause_p50_ms: pOrNull(rs.flatMap((r) => (scraped ? r.scrapeMs : r.awayMs)), 50),
      scrape_p99_ms: pOrNull(rs.flatMap((r) => r.scrapeMs), 99),
      renders: rs.reduce((a, r) => a + r.renders, 0),
      seconds_median: rs.length ? round(median(rs.map((r) => r.seconds)), 2) : null,
    };
  };
  const passVerdict = replays.length > 0 ? verdict(replayCpu ?? { ci95: null }) : liveVerdict;
  const pl = {
    scrapes: allScrapes.length,
    scrape_p50_ms: p(allScrapes, 50, 2),
    scrape_p99_ms: scrapeP99,
    scrape_max_ms: p(allScrapes, 100, 2),
    passes_with_scraping: pooled.scraped.passMs.length,
    passes_without_scraping: pooled.quiet.passMs.length,
    pass_p50_ms_with_scraping: p(pooled.scraped.passMs, 50),
    pass_p50_ms_without_scraping: p(pooled.quiet.passMs, 50),
    pass_p99_ms_with_scraping: p(pooled.scraped.passMs, 99),
    pass_p99_ms_without_scraping: p(pooled.quiet.passMs, 99),
    pass_cpu_p99_ms_with_scraping: pOrNull(pooled.scraped.passCpuMs, 99),
    pass_cpu_p99_ms_without_scraping: pOrNull(pooled.quiet.passCpuMs, 99),
    serve_p50_ms: pOrNull(pooled.scraped.serveMs, 50),
    serve_p99_ms: pOrNull(pooled.scraped.serveMs, 99),
    render_p50_ms: pOrNull([...pooled.scraped.renderMs, ...pooled.quiet.renderMs], 50),
    render_p99_ms: pOrNull([...pooled.scraped.renderMs, ...pooled.quiet.renderMs], 99),
    renders_with_scraping: pooled.scraped.renderMs.length,
    renders_without_scraping: pooled.quiet.renderMs.length,
  };
  const slow = runs.flatMap((r) => r.slow_scrapes);
  const stallsOver50 = runs.reduce((a, r) => a + r.rounds.reduce((b, x) => b + x.stalls_over_50ms, 0), 0);
  const result = {
    bench: 'metrics',
    measured_at: new Date().toISOString(),
    node: process.version,
    host_cores: availableParallelism(),
    /** The 1-minute load average when the first run started (bench:table prints it). */
    load_1m: runs[0]?.load_1m_start ?? null,
    load_1m_max: Math.max(...runs.flatMap((r) => [r.load_1m_start, r.load_1m_end])),
    config: { ...cfg, cluster: 'scheduler/config/cluster.default.json' },
    /** p99 of every scrape of every run (the target's figure), and the median of the runs' own p99s. */
    scrape_p99_ms: scrapeP99,
    scrapes: allScrapes.length,
    scrape_p99_ms_median_of_runs: round(med((r) => r.scraped.scrape_p99_ms), 2),
    /** Scrapes over 50 ms, and how long the scheduler's and the scraper's threads waited for a core in them (medians). */
    slow_scrapes: slow.length,
    slow_scrape_scheduler_wait_ms_median: medianPresent(slow.map((x) => x.scheduler_wait_ms)),
    slow_scrape_scraper_wait_ms_median: medianPresent(slow.map((x) => x.scraper_wait_ms)),
    /** The target's pass test: from the matched replay when it ran (replay_* below), else from the live rounds. */
    pass_verdict: passVerdict,
    pass_test: replays.length > 0 ? 'matched replay' : 'live rounds',
    /** The matched replay: pass p99 in CPU time over every scraped replay's passes vs every quiet one's, − 1, 95% interval from resampling the pairs of replays. */
    replay_pass_cpu_p99_worse: replayCpu?.ratio ?? null,
    replay_pass_cpu_p99_worse_ci95: replayCpu?.ci95 ?? null,
    replay_pairs: replayPairs.length,
    replay_pass_p99_worse: replayWall?.ratio ?? null,
    replay_pass_p99_worse_ci95: replayWall?.ci95 ?? null,
    replay_pass_cpu_p50_worse: replayCpuP50?.ratio ?? null,
    replay_pass_cpu_p50_worse_ci95: replayCpuP50?.ci95 ?? null,
    /** Median |later/earlier − 1| of the CPU p99 of two replays of a kind side by side. */
    replay_pass_cpu_p99_noise: replayNoise.length ? round(median(replayNoise), 4) : null,
    /** The pass right after each scrape point, and right after each snapshot point (where the scraped side formats): median CPU ms, scraped vs quiet. */
    replay_pass_after_scrape: replays.length ? nextPass('afterScrape') : null,
    replay_pass_after_snapshot: replays.length ? nextPass('afterSnapshot') : null,
    replay_with_scraping: replays.length ? replaySide(true) : null,
    replay_without_scraping: replays.length ? replaySide(false) : null,
    replay_recording: recording,
    /** The live rounds' pass test: p99 of all scraped rounds' passes vs all quiet rounds', in CPU time, − 1; 95% interval from resampling the pairs of rounds. */
    pass_verdict_live: liveVerdict,
    pass_cpu_p99_worse: cpuPooled?.ratio ?? null,
    pass_cpu_p99_worse_ci95: cpuPooled?.ci95 ?? null,
    pairs: roundPairs.length,
    /** The same in wall time (the waits for a core that the machine's other work causes included). */
    pass_p99_worse: wallPooled?.ratio ?? null,
    pass_p99_worse_ci95: wallPooled?.ci95 ?? null,
    /** Per pair of rounds, scraped p99 / quiet p99 − 1: the median over the pairs and its sign-test 95% interval; noise = median |later/earlier − 1| of two like rounds side by side. */
    pass_cpu_p99_worse_paired: cpu.median,
    pass_cpu_p99_worse_paired_ci95: cpu.ci95,
    pass_cpu_p99_noise_paired: cpu.noise_median,
    pass_p99_worse_paired: wall.median,
    pass_p99_worse_paired_ci95: wall.ci95,
    pass_p99_noise_paired: wall.noise_median,
    pass_p99_ms_with_scraping_median_of_runs: round(med((r) => r.scraped.pass_p99_ms), 3),
    pass_p99_ms_without_scraping_median_of_runs: round(med((r) => r.quiet.pass_p99_ms), 3),
    pass_cpu_p99_ms_with_scraping_median_of_runs: medianPresent(runs.map((r) => r.scraped.pass_cpu_p99_ms)),
    pass_cpu_p99_ms_without_scraping_median_of_runs: medianPresent(runs.map((r) => r.quiet.pass_cpu_p99_ms)),
    /** Share of passes during which the scheduler's thread waited for a core. */
    passes_waited_share_with_scraping: round(runs.reduce((a, r) => a + r.scraped.passes_waited, 0) / Math.max(1, pl.passes_with_scraping), 4),
    passes_waited_share_without_scraping: round(runs.reduce((a, r) => a + r.quiet.passes_waited, 0) / Math.max(1, pl.passes_without_scraping), 4),
    loop_delay_p99_worse_paired: round(median(loopPairs.worse), 4),
    loop_delay_p99_noise_paired: round(median(loopPairs.noise), 4),
    loop_delay_p99_ms_with_scraping_median_of_runs: round(med((r) => r.scraped.loop_delay_p99_ms), 2),
    loop_delay_p99_ms_without_scraping_median_of_runs: round(med((r) => r.quiet.loop_delay_p99_ms), 2),
    /** Event-loop stalls over 50 ms in all runs, how many of them the thread spent mostly waiting for a core, and the longest. */
    stalls_over_50ms: stallsOver50,
    stalls_over_50ms_waiting: runs.reduce((a, r) => a + r.rounds.reduce((b, x) => b + x.stalls_over_50ms_waiting, 0), 0),
    max_stall_ms: Math.max(0, ...runs.flatMap((r) => r.rounds.map((x) => x.max_stall_ms))),
    /** Every run's samples together. */
    pooled: pl,
    method:
      "one scheduler per run under rounds of bench:live load (the same tasks each round), scraped every second in half of the rounds, interleaved ABBA after a scraped warm-up; " +
      'scrape = GET /metrics round trip from a worker thread of its own (it includes waiting for the scheduler\'s event loop and both threads\' waits for a core), its p99 over every scrape of every run; ' +
      "pass = the core's schedule() call, timed in the scheduler's thread; its CPU time = wall time less the thread's wait for a core meanwhile (/proc/thread-self/schedstat run_delay, exact at each switch-in). " +
      "Pass test: the p99 of all scraped passes / that of all quiet passes − 1, in CPU time, with a 95% interval from a bootstrap over the scraped/quiet pairs; met if the interval's top is ≤ +5%, missed if its bottom is above, else unresolved. " +
      "It decides on the matched replay: a recorded run's journal (bench:live load, unscraped, no snapshots) replayed into a fresh core again and again in one process, half the replays scraped (ABBA) through the real /metrics route from a worker thread, a snapshot every recorded second of passes on both sides and half a second later a pause for a scrape's round trip on both sides (the scraped side's a GET of /metrics, the quiet side's a GET of the same body from a server on the scraper's own thread: live, the scheduler idles between passes either way), each replayed pass checked against the journal's decisions: the same passes on both sides; pairs = replays 1-2, 3-4, …. " +
      "The live rounds' test (pairs = rounds 1-2, 3-4, … of a run, side by side under the same machine load) is reported beside it; their passes differ from round to round. " +
      "CPU time, not wall: a scrape is served on the scheduler's thread between passes, never within one, so what it can add to a pass is work in the pass (GC of its garbage, caches), which CPU time keeps; what wall time adds on this shared 2-core host is the waits for a core, set by every other process (in production the scraper is another machine); the wall-time test is reported beside it, with its interval. " +
      'noise = median |later/earlier − 1| of two rounds of a kind side by side; loop delay = monitorEventLoopDelay p99 in the scheduler\'s thread; serve = SchedulerMetrics.exposition() in the scheduler; render = formatting a snapshot (on the timer after a scrape, or in the first scrape after a new snapshot: never without scraping)',
    /** CPU ms per call with this many pending jobs held (see growth()). */
    growth: grown,
    target,
    meets_target: scrapeP99 <= target.scrape_p99_ms && passVerdict === 'met',
    runs,
  };
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(result, null, 2) + '\n');
  const rel = (a: number | null, b: number | null): string => (a === null || b === null || b <= 0 ? '' : pct(a / b - 1));
  const rows = runs.map((r, i) => [String(i + 1), String(r.scraped.scrapes), String(r.scraped.scrape_p99_ms), String(r.scraped.serve_p99_ms), `${r.scraped.pass_cpu_p99_ms} / ${r.quiet.pass_cpu_p99_ms}`, rel(r.scraped.pass_cpu_p99_ms, r.quiet.pass_cpu_p99_ms), `${r.scraped.pass_p99_ms} / ${r.quiet.pass_p99_ms}`, rel(r.scraped.pass_p99_ms, r.quiet.pass_p99_ms), `${r.load_1m_start}-${r.load_1m_end}`]);
  rows.push(['all', String(pl.scrapes), String(scrapeP99), String(pl.serve_p99_ms), `${pl.pass_cpu_p99_ms_with_scraping} / ${pl.pass_cpu_p99_ms_without_scraping}`, rel(pl.pass_cpu_p99_ms_with_scraping, pl.pass_cpu_p99_ms_without_scraping), `${pl.pass_p99_ms_with_scraping} / ${pl.pass_p99_ms_without_scraping}`, rel(pl.pass_p99_ms_with_scraping, pl.pass_p99_ms_without_scraping), '']);
  const ci = (x: { median: number | null; ci95: [number, number] | null }): string => `${pct(x.median)} [${x.ci95 ? `${pct(x.ci95[0])}, ${pct(x.ci95[1])}` : 'n/a'}]`;
  const bootCi = (x: { ratio: number; ci95: [number, number] } | null): string => (x ? `${pct(x.ratio)} [${pct(x.ci95[0])}, ${pct(x.ci95[1])}]` : 'n/a');
  rows.push([`all, 95% (${roundPairs.length} pairs)`, '', '', '', '', bootCi(cpuPooled), '', bootCi(wallPooled), '']);
  rows.push(['median of pairs', '', '', '', '', ci(cpu), '', ci(wall), '']);
  rows.push(['target', '', `≤${target.scrape_p99_ms}`, '', '', '≤+5%', '', '', '']);
  process.stdout.write(
    renderTable(
      [{ header: 'RUN' }, { header: 'SCRAPES', align: 'right' }, { header: 'SCRAPE_P99_MS', align: 'right' }, { header: 'SERVE_P99_MS', align: 'right' }, { header: 'PASS_CPU_P99_MS_SCRAPED/QUIET', align: 'right' }, { header: 'WORSE_CPU', align: 'right' }, { header: 'PASS_P99_MS_SCRAPED/QUIET', align: 'right' }, { header: 'WORSE_WALL', align: 'right' }, { header: 'LOAD_1M' }],
      rows,
    ),
  );
  process.stdout.write(`live rounds' pass test (p99 in CPU time, scraped vs quiet, 95% interval over ${roundPairs.length} pairs of rounds): ${bootCi(cpuPooled)} → ${liveVerdict}; wall time ${bootCi(wallPooled)}; per-round p99 noise between two rounds of a kind ${pct(cpu.noise_median)} (wall ${pct(wall.noise_median)})\n`);
  if (replays.length > 0) {
    const ws = result.replay_with_scraping;
    const wo = result.replay_without_scraping;
    process.stdout.write(`matched replay's pass test (the same ${ws?.passes !== undefined ? Math.round(ws.passes / Math.max(1, ws.replays)) : '?'} passes per replay, p99 in CPU time, scraped vs quiet, 95% interval over ${replayPairs.length} pairs of replays): ${bootCi(replayCpu)} → ${passVerdict}; p99 ${ws?.pass_cpu_p99_ms} / ${wo?.pass_cpu_p99_ms} ms; wall ${bootCi(replayWall)}; p50 ${bootCi(replayCpuP50)}; p99 noise between two replays of a kind ${pct(result.replay_pass_cpu_p99_noise)}\n`);
    const as = result.replay_pass_after_scrape;
    const an = result.replay_pass_after_snapshot;
    process.stdout.write(`  the pass right after a scrape (${as?.passes_per_replay} a replay): CPU median ${as?.cpu_median_ms_scraped} ms scraped / ${as?.cpu_median_ms_quiet} ms quiet; right after a snapshot (formatted when scraped; ${an?.passes_per_replay} a replay): ${an?.cpu_median_ms_scraped} / ${an?.cpu_median_ms_quiet} ms\n`);
    process.stdout.write(`  passes with a GC in them ${pct(ws?.passes_with_gc_share ?? null)} scraped / ${pct(wo?.passes_with_gc_share ?? null)} quiet (GC ms in passes per 1,000 passes ${ws?.gc_ms_in_passes_per_1000_passes} / ${wo?.gc_ms_in_passes_per_1000_passes}); ${ws?.scrapes} scrapes (p99 ${ws?.scrape_p99_ms} ms), formattings ${ws?.renders} / ${wo?.renders}; pause at a scrape point p50 ${ws?.pause_p50_ms} ms scraped (the scrape) / ${wo?.pause_p50_ms} ms quiet\n`);
  }
  process.stdout.write(`passes that waited for a core: ${pct(result.passes_waited_share_with_scraping)} scraped, ${pct(result.passes_waited_share_without_scraping)} quiet; loop delay p99 ${result.loop_delay_p99_ms_with_scraping_median_of_runs} / ${result.loop_delay_p99_ms_without_scraping_median_of_runs} ms (median of runs) (paired ${pct(result.loop_delay_p99_worse_paired)}, noise ${pct(result.loop_delay_p99_noise_paired)})\n`);
  process.stdout.write(`scrapes: p50 ${pl.scrape_p50_ms} ms, p99 ${scrapeP99} ms (median of runs ${result.scrape_p99_ms_median_of_runs}), ${slow.length} over 50 ms (scheduler's thread waiting for a core ${result.slow_scrape_scheduler_wait_ms_median} ms, the scraper's ${result.slow_scrape_scraper_wait_ms_median} ms, medians); stalls over 50 ms ${stallsOver50} (${result.stalls_over_50ms_waiting} mostly waiting for a core)\n`);
  process.stdout.write(`render (snapshot formatting): ${pl.renders_with_scraping} scraped / ${pl.renders_without_scraping} quiet, p50 ${pl.render_p50_ms} ms, p99 ${pl.render_p99_ms} ms\n`);
  if (grown.length > 0) process.stdout.write(renderTable([{ header: 'JOBS_HELD', align: 'right' }, { header: 'SNAPSHOT_CPU_MS', align: 'right' }, { header: 'SCRAPE_CPU_MS', align: 'right' }], grown.map((g) => [String(g.jobs), String(g.snapshot_ms), String(g.serve_ms)])));
  process.stdout.write(`wrote bench/results/metrics.json (${result.meets_target ? 'meets' : 'misses'} the target)\n`);
}

// The scheduler runs in this process: with the V8 flags `gsched up` starts a scheduler with
// (SERVER_NODE_ARGS: a larger young generation, so fewer scavenges land in passes), or its
// passes' GC would not be the deployed scheduler's. Without them, run again with them.
if (SERVER_NODE_ARGS.every((a) => process.execArgv.includes(a))) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:metrics: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
} else {
  const child = spawn(process.execPath, [...process.execArgv, ...SERVER_NODE_ARGS, ...process.argv.slice(1)], { stdio: 'inherit' });
  child.on('exit', (code, signal) => (process.exitCode = code ?? (signal ? 1 : 0)));
}
