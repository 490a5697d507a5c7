// The twin check on a sample: the same analyses (same seed, so the same DAGs and modelled run
// times) run live through gRPC and in the simulator, the simulator submitting each at the
// modelled time the live scheduler took it in. Used by bench:ngc and, small, by npm test.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_PATH, loadClusterConfig } from '../common/index.js';
import { startGschedUp } from '../cli/testing/index.js';
import { ApiClient as Client } from '../cli/index.js';
import { SchedulerCore, type ClusterConfig } from '../scheduler/core/index.js';
import { MetricsCollector, SimEngine, ngcWorkload, type Submission, type WorkloadItem } from '../sim/index.js';
import { BENCH_UP_ARGS, accountingOf, figuresOfAcct, postConsents, submitAsRuns, submitOffsets, taskLag, waitIdle, type Progress, type RunFigures } from './ngc-live.js';

export interface TwinOptions {
  cluster: ClusterConfig;
  clusterPath?: string;
  analyses: number;
  seed: number;
  /** Wall ms per modelled ms on the live side. */
  timeScale: number;
  kernels: 'real' | 'noop';
  /** Size of the real kernels' synthetic data. */
  kernelScale?: number;
  timeoutS: number;
  progress: Progress;
  /** Also measure where live tasks lose time against their model (a few hundred job reads). */
  measureLag?: boolean;
  /** Only analyses of these classes (the first `analyses` of them in the workload). */
  classes?: readonly string[];
}

export interface TwinResult {
  live: RunFigures;
  sim: RunFigures;
  /** Live submission offsets from the first, modelled ms (what the simulator replays). */
  submitOffsetsMs: number[];
  /** Where live tasks lost time against their model (taskLag), when asked for. */
  lag: Awaited<ReturnType<typeof taskLag>> | null;
}

/**
 * The default cluster with Slurm's OverTimeLimit at one modelled day, for both sides of the twin.
 * On a compressed clock every wall millisecond of reporting delay is many modelled seconds
 * (10 s at 1e-4), enough to push a short task past its time limit on a busy host. No simulated
 * task overruns its limit (run times are capped at 2.5x the expectation, limits are 3x), so the
 * grace changes nothing in the simulator; live, it keeps such delays from becoming kills.
 */
export const TWIN_OVERTIME_MS = 86_400_000;

export function writeTwinCluster(): { path: string; config: ClusterConfig } {
  const raw = JSON.parse(readFileSync(DEFAULT_CLUSTER_PATH(), 'utf8')) as { scheduler: Record<string, unknown> };
  raw.scheduler.overTimeLimitMs = TWIN_OVERTIME_MS;
  const path = join(mkdtempSync(join(tmpdir(), 'gsched-ngc-')), 'cluster.twin.json');
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return { path, config: loadClusterConfig(path) };
}

/** The first `n` analyses of the seed's 60,000-analysis burst: a sample of the same workload. */
export function sampleItems(n: number, seed: number, classes?: readonly string[]): WorkloadItem[] {
  const out: WorkloadItem[] = [];
  for (const item of ngcWorkload({ analyses: Math.max(n, 60_000), seed, scenario: 'burst' })) {
    if (classes && !classes.includes(item.job.class as string)) continue;
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

/**
 * The simulator on `items`, each submitted at its live offset (modelled ms; -1: refused live,
 * left out) and in the order the live scheduler filed them (its job ids), so that ties in
 * priority break the same way.
 */
export function simulate(cluster: ClusterConfig, items: readonly WorkloadItem[], offsetsMs: readonly number[], liveIds: readonly number[]): RunFigures {
  const t0 = performance.now();
  const metrics = new MetricsCollector(cluster);
  const order = items.map((_, i) => i).filter((i) => (offsetsMs[i] ?? -1) >= 0);
  order.sort((a, b) => (offsetsMs[a] as number) - (offsetsMs[b] as number) || (liveIds[a] as number) - (liveIds[b] as number));
  // Live, every consent is on record before the first submission (the bench posts them first):
  // here too, or an analysis taken in ahead of the one that carries its patient's consent is refused.
  const consent = items.flatMap((it) => it.consent ?? []);
  const subs: Submission[] = order.map((i, k) => ({ submitAt: offsetsMs[i] as number, job: (items[i] as WorkloadItem).job, ...(k === 0 ? { consent } : {}) }));
  new SimEngine(new SchedulerCore(cluster), { observer: metrics }).run(subs);
  const m = metrics.metrics();
  return {
    analyses: m.states.COMPLETED ?? 0,
    makespan_s: Math.round(m.makespanS),
    mean_turnaround_s: Math.round(m.turnaround.mean),
    utilization: Math.round(m.utilization * 10_000) / 10_000,
    wall_s: Math.round(((performance.now() - t0) / 1000) * 10) / 10,
    energy_kwh: Math.round(m.energyMwh * 1000 * 10) / 10,
    heat_recovered_kwh: Math.round(m.heatRecoveredMwh * 1000 * 10) / 10,
  };
}

/** Runs the sample live (a fresh `gsched up`), then in the simulator at the live submission times. */
export async function twinSample(o: TwinOptions): Promise<TwinResult> {
  const items = sampleItems(o.analyses, o.seed, o.classes);
  const cores = o.cluster.nodes.reduce((s, n) => s + n.cores, 0);
  const args = ['--kernels', o.kernels, ...BENCH_UP_ARGS];
  if (o.kernelScale !== undefined) args.push('--kernel-scale', String(o.kernelScale));
  const up = await startGschedUp({ ...(o.clusterPath ? { cluster: o.clusterPath } : {}), timeScale: o.timeScale, args, readyTimeoutMs: 60_000 });
  try {
    const client = Client.fromOptions({ url: up.httpUrl, stateDir: up.state, timeout: '120' });
    await postConsents(client, items, o.progress);
    const t0 = performance.now();
    const intake = await submitAsRuns(client, items, `SAMPLE-${o.seed}`, o.progress);
    if (intake.refused > 0) throw new Error(`${intake.refused} samples were refused`);
    await waitIdle(client, items.length, o.timeoutS, o.progress, 250);
    const wallS = (performance.now() - t0) / 1000;
    const acct = await accountingOf(client);
    const live = figuresOfAcct(acct, cores, wallS);
    const offsets = submitOffsets(acct, intake.jobIdOf);
    const sim = simulate(o.cluster, items, offsets, intake.jobIdOf);
    const lag = o.measureLag ? await taskLag(client, intake.jobIds, o.timeScale) : null;
    return { live, sim, submitOffsetsMs: offsets, lag };
  } finally {
    await up.stop();
  }
}

/** Relative difference of live from sim, as a fraction. */
export const rel = (live: number, sim: number): number => (sim === 0 ? (live === 0 ? 0 : Infinity) : (live - sim) / sim);
