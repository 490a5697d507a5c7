// bench:metrics — what scraping /metrics costs a loaded scheduler. The scheduler runs in this
// process (so every scheduling pass is timed exactly, by wrapping the core's schedule()), its
// three agents as real processes on loopback with no-op kernels, and bench:live's load (one-
// core tasks submitted over HTTP in batches of 100 until the last completes). Each run measures
// the same load twice, once with /metrics scraped every second and once without (in alternating
// order), and reports the scrape p99 and the pass p99 of both. Writes bench/results/metrics.json.
//
//   npm run bench:metrics
//   BENCH_TASKS=20000 BENCH_RUNS=3 BENCH_SCRAPE_MS=1000 npm run bench:metrics
//
// The load generator and the scraper are worker threads of this process (metrics-client.ts),
// with event loops of their own as the real clients' would be; the machine is shared, so
// medians over runs are quoted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { DEFAULT_CLUSTER_PATH, launchAgent, loadClusterConfig, packageRoot, renderTable, type Child } from '../common/index.js';
import { makeCore, type CoreApi } from '../scheduler/driver/index.js';
import { startScheduler } from '../scheduler/index.js';
import type { ClientMessage, LoadJob, ScrapeJob } from './metrics-client.js';
import { envNumber, median, percentile, round } from './stats.js';

interface Config {
  tasks: number;
  batch: number;
  runs: number;
  timeScale: number;
  scrapeMs: number;
  warmup: number;
  timeoutS: number;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

interface Phase {
  scraping: boolean;
  passes: number;
  pass_p50_ms: number;
  pass_p99_ms: number;
  scrapes: number;
  scrape_p50_ms: number | null;
  scrape_p99_ms: number | null;
  scrape_max_ms: number | null;
  scrape_bytes: number | null;
  /** Registry.metrics() in the scheduler: what a scrape costs it, without the wait for its turn on the event loop. */
  format_p50_ms: number | null;
  format_p99_ms: number | null;
  /** How late the scheduler's event loop ran a timer (monitorEventLoopDelay): what any request waits for its turn. */
  loop_delay_p99_ms: number;
  tasks_per_sec: number;
  load_1m: number;
}

/** A client worker (metrics-client.ts); `on` sees each message it sends until it fails. */
function client(job: LoadJob | ScrapeJob, on: (m: ClientMessage) => void): Worker {
  const w = new Worker(new URL('./metrics-client.js', import.meta.url), { workerData: job });
  w.on('message', (m: ClientMessage) => on(m));
  w.on('error', (err) => on({ type: 'failed', error: err.stack ?? String(err) }));
  w.on('exit', (code) => code !== 0 && on({ type: 'failed', error: `exited with code ${code}` }));
  return w;
}

/** Time inside the scheduler's own Registry.metrics() (the formatting of one scrape), per scrape. */
const metricsCallMs: number[] = [];
const formatMetrics = Registry.prototype.metrics;
Registry.prototype.metrics = async function (this: Registry): Promise<string> {
  const t = performance.now();
  const text = await formatMetrics.call(this);
  metricsCallMs.push(performance.now() - t);
  return text;
};

async function phase(cfg: Config, scraping: boolean, maxTimeMs: number): Promise<Phase> {
  const state = mkdtempSync(join(tmpdir(), 'gsched-bench-metrics-'));
  const passMs: number[] = [];
  let timing = false;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  // The pass the driver times is the core's schedule() call: time it here, exactly.
  const coreFactory = (config: Parameters<typeof makeCore>[0]): CoreApi => {
    const core = makeCore(config);
    const schedule = core.schedule.bind(core);
    core.schedule = (now) => {
      const t = performance.now();
      const r = schedule(now);
      if (timing) passMs.push(performance.now() - t);
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
  const agents: Child[] = [];
  const workers: Worker[] = [];
  try {
    const containers = [...new Set(loadClusterConfig(cluster).nodes.map((n) => n.container))];
    for (const c of containers) {
      agents.push(
        await launchAgent(['--scheduler', sched.grpcAddress, '--name', `agent-${c}`, '--container', c, '--cluster', cluster, '--join-token-file', join(state, 'join-token'), '--time-scale', String(cfg.timeScale), '--threads', '1', '--kernels', 'noop']),
      );
    }
    const token = readFileSync(join(state, 'api-token'), 'utf8').trim();
    // The scraper starts with the warm-up, as Prometheus scrapes a scheduler that has long been
    // up: the first, cold scrapes (code not yet compiled) are not what a scrape costs. The load
    // generator says when it starts measuring (the scraper's times start then), and when its
    // last task ended (the scraper stops then).
    let loadSeconds = 0;
    const scraped = new Promise<{ scrapeMs: number[]; bytes: number }>((resolve, reject) => {
      const scraper = scraping
        ? client({ role: 'scrape', url: sched.httpUrl, everyMs: cfg.scrapeMs }, (s) => {
            if (s.type === 'failed') reject(new Error(`scraper: ${s.error}`));
            if (s.type === 'scraped') resolve(s);
          })
        : null;
      if (scraper) workers.push(scraper);
      const seconds = new Promise<number>((loaded, failed) => {
        workers.push(client({ role: 'load', url: sched.httpUrl, token, containers: containers.length, warmup: cfg.warmup, tasks: cfg.tasks, batch: cfg.batch, maxTimeMs, timeoutS: cfg.timeoutS }, (m) => {
          if (m.type === 'failed') failed(new Error(`load generator: ${m.error}`));
          if (m.type === 'loaded') loaded(m.seconds);
          if (m.type !== 'measuring') return;
          scraper?.postMessage('measure');
          metricsCallMs.length = 0;
          loopDelay.reset();
          loopDelay.enable();
          timing = true;
        }));
      });
      seconds.then((s) => {
        timing = false;
        loopDelay.disable();
        loadSeconds = s;
        if (scraper) scraper.postMessage('stop');
        else resolve({ scrapeMs: [], bytes: 0 });
      }, reject);
    });
    const { scrapeMs, bytes } = await scraped;
    const p = sorted(passMs);
    const s = sorted(scrapeMs);
    const f = sorted(metricsCallMs);
    return {
      scraping,
      passes: p.length,
      pass_p50_ms: round(percentile(p, 50), 3),
      pass_p99_ms: round(percentile(p, 99), 3),
      scrapes: s.length,
      scrape_p50_ms: s.length ? round(percentile(s, 50), 2) : null,
      scrape_p99_ms: s.length ? round(percentile(s, 99), 2) : null,
      scrape_max_ms: s.length ? round(s[s.length - 1] as number, 2) : null,
      scrape_bytes: scraping ? bytes : null,
      format_p50_ms: f.length ? round(percentile(f, 50), 2) : null,
      format_p99_ms: f.length ? round(percentile(f, 99), 2) : null,
      loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 2),
      tasks_per_sec: Math.round(cfg.tasks / loadSeconds),
      load_1m: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await Promise.all(agents.map((a) => a.stop(2000)));
    await sched.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cfg: Config = {
    tasks: envNumber('BENCH_TASKS', 20_000),
    batch: envNumber('BENCH_BATCH', 100),
    runs: envNumber('BENCH_RUNS', 3),
    timeScale: envNumber('BENCH_TIME_SCALE', 1e-4),
    scrapeMs: envNumber('BENCH_SCRAPE_MS', 1000),
    warmup: envNumber('BENCH_WARMUP', 2000),
    timeoutS: envNumber('BENCH_TIMEOUT_S', 600),
  };
  const cluster = loadClusterConfig(DEFAULT_CLUSTER_PATH());
  const maxTimeMs = cluster.partitions.find((p) => p.name === 'research')?.maxTimeMs ?? 86_400_000;
  process.stderr.write(`bench:metrics: ${cfg.tasks} tasks per phase after ${cfg.warmup} to warm up, /metrics every ${cfg.scrapeMs} ms in one phase of each run, ${cfg.runs} run(s)\n`);
  const runs: { with_scraping: Phase; without: Phase }[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    // Alternate which goes first, so a machine getting busier or quieter does not favour one.
    const order = i % 2 === 0 ? [true, false] : [false, true];
    const got: Phase[] = [];
    for (const scraping of order) {
      const p = await phase(cfg, scraping, maxTimeMs);
      process.stderr.write(`  run ${i + 1} ${scraping ? 'scraping' : 'no scrape'}: ${p.passes} passes, pass p99 ${p.pass_p99_ms} ms, scrape p99 ${p.scrape_p99_ms ?? '-'} ms (formatting p99 ${p.format_p99_ms ?? '-'} ms, event-loop delay p99 ${p.loop_delay_p99_ms} ms), ${p.tasks_per_sec} tasks/s, load ${p.load_1m}\n`);
      got.push(p);
    }
    runs.push({ with_scraping: got.find((p) => p.scraping) as Phase, without: got.find((p) => !p.scraping) as Phase });
  }
  const scrapeP99 = median(runs.map((r) => r.with_scraping.scrape_p99_ms ?? 0));
  const passWith = median(runs.map((r) => r.with_scraping.pass_p99_ms));
  const passWithout = median(runs.map((r) => r.without.pass_p99_ms));
  const worse = passWithout > 0 ? passWith / passWithout - 1 : 0;
  const target = { scrape_p99_ms: 50, pass_p99_worse_max: 0.05 };
  const result = {
    bench: 'metrics',
    measured_at: new Date().toISOString(),
    node: process.version,
    host_cores: availableParallelism(),
    config: { ...cfg, cluster: 'scheduler/config/cluster.default.json' },
    scrape_p99_ms: round(scrapeP99, 2),
    /** The scheduler's own share of a scrape: Registry.metrics(), median over runs of its p99. */
    format_p99_ms: round(median(runs.map((r) => r.with_scraping.format_p99_ms ?? 0)), 2),
    /** What any request to the scheduler waits for its turn on the event loop, median over runs of its p99 (scraped / quiet). */
    loop_delay_p99_ms_with_scraping: round(median(runs.map((r) => r.with_scraping.loop_delay_p99_ms)), 2),
    loop_delay_p99_ms_without_scraping: round(median(runs.map((r) => r.without.loop_delay_p99_ms)), 2),
    pass_p99_ms_with_scraping: round(passWith, 3),
    pass_p99_ms_without_scraping: round(passWithout, 3),
    pass_p99_worse: round(worse, 4),
    method: 'medians over runs; pass = the core schedule() call the driver times, measured exactly in process; scrape = GET /metrics round trip from a client in a worker thread of its own (it includes waiting for the scheduler\'s busy event loop); format = Registry.metrics() inside the scheduler',
    target,
    meets_target: scrapeP99 <= target.scrape_p99_ms && worse <= target.pass_p99_worse_max,
    runs,
  };
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(result, null, 2) + '\n');
  const rows = runs.map((r, i) => [String(i + 1), String(r.with_scraping.scrape_p99_ms ?? '-'), String(r.with_scraping.pass_p99_ms), String(r.without.pass_p99_ms), String(r.with_scraping.scrapes)]);
  rows.push(['median', String(result.scrape_p99_ms), String(result.pass_p99_ms_with_scraping), String(result.pass_p99_ms_without_scraping), `${round(worse * 100, 1)}% worse`]);
  rows.push(['target', `≤${target.scrape_p99_ms}`, '', '', '≤5% worse']);
  process.stdout.write(
    renderTable(
      [{ header: 'RUN' }, { header: 'SCRAPE_P99_MS', align: 'right' }, { header: 'PASS_P99_MS_SCRAPED', align: 'right' }, { header: 'PASS_P99_MS_QUIET', align: 'right' }, { header: 'SCRAPES', align: 'right' }],
      rows,
    ),
  );
  process.stdout.write(`wrote bench/results/metrics.json (${result.meets_target ? 'meets' : 'misses'} the target)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:metrics: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
