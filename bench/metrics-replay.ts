// bench:metrics' matched replay: the pass test on the SAME passes with and without scraping.
//
// Under live load the pass p99 of two rounds with nothing changed differs by ~19% (which passes
// a round gets depends on how the submits and completions fell between passes), so a 5% effect
// of scraping cannot be told from it in minutes. Here a recorded run's journal (every event and
// every pass, with its time, of bench:live's load on the live scheduler) is replayed into a
// fresh core again and again in this one process, its passes timed (CPU time, as the live test),
// half the replays scraped (ABBA): every replay runs exactly the recorded pass sequence (each
// pass's decisions are checked against the journal's), so what differs between a scraped and a
// quiet replay is only the scraping: the pass set, its sizes and the process are the same.
//
// Both sides pause at each scrape point for a scrape's round trip on the scraper's thread: the
// scraped side's is a GET of the scheduler's /metrics, the quiet side's a GET of the same body
// from a server on the scraper's own thread (quietAway). Live, the scheduler's thread idles
// between passes scraped or not (80-200 passes a second of ~0.04 ms); a replay runs its passes
// back to back, so a pause on one side only would be a cost of scraping that live does not
// have: in the 23:00 diagnostics (BENCH_DIAG=http,away,http+away, 40 pairs, load 4-5) a scraped
// side that only paused, its scheduler serving nothing, came out +4.9% [+1.5%, +8.7%] in pass
// p99 and its next pass +51%, as much as the real scrape's +2.7% [-1.5%, +7.8%] and +55%; with
// the quiet side pausing too, the real scrape came out -1.5% [-5.6%, +2.3%] and +15.7%.
//
// Scraped means what a scraped scheduler does on its thread: the real /metrics route (buildApi's
// fastify, the real SchedulerMetrics, watching the replayed core through a LiveState fed the
// replay's events and decisions) answers a real HTTP GET from a worker thread (as Prometheus on
// another machine). Cadence as recorded: the recorded run's passes per wall second set how many
// passes one second is, and every such stretch a snapshot is taken (both sides: the timer does
// it scraped or not, formatting it only when the previous text was scraped) and, half a stretch
// later, the scraped side is scraped once. Both sides yield to the event loop after every pass.
// The replay does less between passes than the live scheduler (no HTTP load, no gRPC, no
// journal writes), so scraping's garbage is a larger share of the heap's traffic here than
// live: if anything this overstates what scraping adds to a pass.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pino } from 'pino';
import { FakeClock } from '../common/index.js';
import { AgentHub } from '../scheduler/agents/index.js';
import { SchedulerMetrics, buildApi } from '../scheduler/api/index.js';
import type { ClusterConfig } from '../scheduler/core/index.js';
import { LiveDriver, combineObservers, makeCore, replayDivergence, replayRecord, type CoreApi } from '../scheduler/driver/index.js';
import { LiveState } from '../scheduler/events/index.js';
import { Store } from '../scheduler/store/index.js';
import { ThreadWait } from './thread-sched.js';

export interface ReplayConfig {
  /** Measured replays, half of them scraped (ABBA); one of each kind before them warms up. */
  replays: number;
  /** Passes in one recorded wall second: a snapshot every this many passes, and on the scraped side a scrape. */
  passesPerSecond: number;
  /** Wall seconds for the measured replays: no new pair of replays starts after this (so a slow host ends the bench in time). */
  budgetS: number;
  /**
   * What the scraped side does at each scrape point (diagnostics; default 'http', the real
   * scrape): 'direct' calls SchedulerMetrics.exposition() on this thread with no HTTP, 'idle'
   * only waits for a round trip to the scraper's thread (no work here: the thread sleeps).
   */
  mode?: 'http' | 'direct' | 'idle' | 'away';
  /** At each scrape point the quiet side waits for a scrape-sized round trip between the scraper's thread and a server of its own ('away'). */
  quietAway?: boolean;
}

/** One replay's passes and what happened around them. */
export interface ReplayRun {
  scraped: boolean;
  /** Each pass's CPU ms (wall less the thread's waits for a core) and wall ms, in journal order. */
  cpu: number[];
  wall: number[];
  /** Passes during which a GC ran on this thread, and the GC ms inside passes. */
  passesWithGc: number;
  gcMsInPasses: number;
  /** Indices (into cpu and wall) of the passes right after a snapshot point and right after a scrape point: the same on both sides. */
  afterSnapshot: number[];
  afterScrape: number[];
  /** The quiet side's waits at the scrape points (ms): scrape-sized round trips that leave this thread alone (quietAway). */
  awayMs: number[];
  /** Scrape round trips (ms) and the snapshot formattings (ms) in this replay. */
  scrapeMs: number[];
  renders: number;
  seconds: number;
}

/** The scraper on another thread: a GET of `url`/metrics, or a bare round trip (ping); each resolves with its round trip in ms. */
export interface Probe {
  scrape(url: string): Promise<number>;
  ping(): Promise<number>;
  /** A round trip of the last scraped body from a server on the scraper's own thread. */
  away(): Promise<number>;
}

/** The bench's own error: the replay did not follow the recording. */
export class ReplayDivergedError extends Error {
  constructor(pass: number, detail: string) {
    super(`bench:metrics' replay: pass ${pass} decided otherwise than the recorded run (${detail}): the passes compared would not be the same`);
    this.name = 'ReplayDivergedError';
  }
}

/** The bench's own error: a replay left jobs in the live state, so the next would not start where it did. */
export class ReplayCarryOverError extends Error {
  constructor(keys: number) {
    super(`bench:metrics' replay: ${keys} job count(s) left in the live state after a replay: the recording's jobs did not all end, and the next replay would start from another state`);
    this.name = 'ReplayCarryOverError';
  }
}

/**
 * Replays the journal in `journalDir` (a stopped scheduler's state folder, taken without
 * snapshots so the journal is whole) `cfg.replays` + 2 times, or fewer pairs when the budget
 * runs out; the first two (one of each kind) are warm-up and not returned.
 */
export async function matchedReplay(journalDir: string, config: ClusterConfig, cfg: ReplayConfig, probe: Probe): Promise<ReplayRun[]> {
  const recorded = new Store(journalDir);
  const shellDir = mkdtempSync(join(tmpdir(), 'gsched-bench-metrics-replay-'));
  const log = pino({ level: 'silent' });
  // The API needs a driver: an idle one of its own (a fake clock that never moves: it never
  // runs a pass). /metrics reads the replayed core through `source`, not this driver.
  const shell = new LiveDriver({ core: makeCore(config), store: new Store(shellDir), log, timeScale: 1, forgetAfterMs: 3_600_000, clock: new FakeClock(), snapshotEveryRecords: Number.MAX_SAFE_INTEGER, snapshotEveryMs: Number.MAX_SAFE_INTEGER, snapshotInWorker: false });
  const hub = new AgentHub(shell, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log, clock: new FakeClock() });
  const metrics = new SchedulerMetrics();
  let core: CoreApi = makeCore(config);
  let now = 0;
  const source = {
    get core(): CoreApi {
      return core;
    },
    clock: { now: () => now },
  };
  const live = new LiveState(() => core, null);
  const observer = combineObservers(metrics.observer(), live);
  // The snapshot timer is the replay's (every passesPerSecond passes), not a wall-clock one.
  metrics.watch(source, hub, live, { snapshotMs: 3_600_000 });
  let renders = 0;
  metrics.onCost = (what) => void (what === 'render' && renders++);
  const app = buildApi({ driver: shell, hub, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const gcs: { start: number; end: number }[] = [];
  const gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  const wait = ThreadWait.open();
  const every = Math.max(2, Math.round(cfg.passesPerSecond));
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  const mode = cfg.mode ?? 'http';

  const replay = async (scraped: boolean): Promise<ReplayRun> => {
    core = makeCore(config);
    now = 0;
    const cpu: number[] = [];
    const wall: number[] = [];
    const starts: number[] = [];
    const scrapeMs: number[] = [];
    const awayMs: number[] = [];
    const afterSnapshot: number[] = [];
    const afterScrape: number[] = [];
    // A snapshot before the first pass: the previous replay's scrape (its flag that makes the
    // snapshot timer format) is spent here, untimed, so a quiet replay never formats.
    metrics.takeSnapshot();
    await turn();
    const rendersBefore = renders;
    const gcFrom = gcs.length;
    const t0 = performance.now();
    for (const { seq, record } of recorded.replay()) {
      if (record.k === 'x') continue; // (replay() yields none)
      now = record.now;
      // Only passes are timed (the thread's wait read costs a /proc read).
      const w = record.k === 's' ? (wait?.waitMs() ?? 0) : 0;
      const t = performance.now();
      const r = replayRecord(core, record, seq);
      const ms = performance.now() - t;
      if (r.k === 'e') {
        observer.accepted?.(r.record.event, r.res, r.record.now);
        continue;
      }
      starts.push(t);
      wall.push(ms);
      cpu.push(wait ? Math.max(0, ms - (wait.waitMs() - w)) : ms);
      const decisions = r.step.decisions;
      const diverged = replayDivergence(decisions, r.record.d);
      if (diverged !== null) throw new ReplayDivergedError(wall.length, diverged);
      // What the driver's observer hears of a pass (metrics' histogram, the live state's jobs).
      observer.pass?.(ms, decisions.length);
      for (const d of decisions) {
        if (d.type === 'start') observer.started?.(d.jobId, d.taskId, d.node, d.cores);
        else if (d.type === 'jobEnded') observer.jobEnded?.(d.state, d.jobId);
      }
      const n = wall.length;
      if (n % every === 0) {
        metrics.takeSnapshot();
        afterSnapshot.push(n);
      }
      if (n % every === every >> 1) {
        afterScrape.push(n);
        if (scraped && mode === 'http') scrapeMs.push(await probe.scrape(url));
        else if (scraped && mode === 'direct') {
          const t1 = performance.now();
          await metrics.exposition();
          scrapeMs.push(performance.now() - t1);
        } else if (scraped && mode === 'away') await probe.away();
        else if (scraped) await probe.ping();
        else if (cfg.quietAway) awayMs.push(await probe.away());
      }
      await turn();
    }
    await turn(); // the GC entries of the last passes
    // Every job of the recording ended, so the live state (one for all replays, as the
    // /metrics route's) is empty again: the next replay starts from where this one did.
    if (live.jobCounts().length > 0) throw new ReplayCarryOverError(live.jobCounts().length);
    let passesWithGc = 0;
    let gcMsInPasses = 0;
    const inRun = gcs.slice(gcFrom);
    for (let i = 0, g = 0; i < starts.length; i++) {
      const s = starts[i] as number;
      const e = s + (wall[i] as number);
      while (g < inRun.length && (inRun[g] as { end: number }).end <= s) g++;
      let hit = false;
      for (let h = g; h < inRun.length && (inRun[h] as { start: number }).start < e; h++) {
        const x = inRun[h] as { start: number; end: number };
        gcMsInPasses += Math.min(e, x.end) - Math.max(s, x.start);
        hit = true;
      }
      if (hit) passesWithGc++;
    }
    return { scraped, cpu, wall, passesWithGc, gcMsInPasses, afterSnapshot: afterSnapshot.filter((i) => i < cpu.length), afterScrape: afterScrape.filter((i) => i < cpu.length), awayMs, scrapeMs, renders: renders - rendersBefore, seconds: (performance.now() - t0) / 1000 };
  };

  try {
    await replay(true);
    await replay(false);
    const runs: ReplayRun[] = [];
    // ABBA: scraped, quiet, quiet, scraped, …: a drift over the phase favours neither side.
    const until = performance.now() + cfg.budgetS * 1000;
    for (let k = 0; k < cfg.replays; k++) {
      if (k % 2 === 0 && k >= 4 && performance.now() > until) break; // whole pairs only, at least two
      runs.push(await replay(((k + 1) >> 1) % 2 === 0));
    }
    return runs;
  } finally {
    gcWatch.disconnect();
    metrics.close();
    await app.close();
    hub.close();
    await shell.close();
    await shell.store.close();
    await recorded.close();
    rmSync(shellDir, { recursive: true, force: true });
  }
}
