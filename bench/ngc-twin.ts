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
import { MetricsCollector, SimEngine, fanOut, ngcWorkload, type EngineOptions, type Submission, type WorkloadItem } from '../sim/index.js';
import { cpuByRole, cpuSecondsOf, treeCpu } from './proc-cpu.js';
import { FreeWhileWaiting } from './free-while-waiting.js';
import { JsonPoster } from './json-poster.js';
import { BENCH_UP_ARGS, POSTER_SOCKETS, accountingOf, figuresOfAcct, postConsents, submitAsRuns, submitOffsets, taskLag, waitIdle, type Progress, type RunFigures } from './ngc-live.js';

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
  /**
   * The simulator again, each task lasting what it took live (start decision to completion, on
   * the scheduler's clock) instead of its modelled time: what is left of the difference after
   * that is the policy's, not the live tasks' overrun.
   */
  simObserved: RunFigures | null;
  /** How far live tasks ran past their modelled time × scale (the agent's hold). */
  overrun: Overrun | null;
  /** CPU seconds the scheduler and the agents (kernels included) spent from intake to the end, and the wall seconds that took. */
  cpu: { scheduler_cpu_s: number; agents_cpu_s: number; run_wall_s: number } | null;
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
export function simulate(cluster: ClusterConfig, items: readonly WorkloadItem[], offsetsMs: readonly number[], liveIds: readonly number[], engine: Pick<EngineOptions, 'passIntervalMs'> = {}): RunFigures & { free_share_while_waiting?: number } {
  const t0 = performance.now();
  const metrics = new MetricsCollector(cluster);
  const order = items.map((_, i) => i).filter((i) => (offsetsMs[i] ?? -1) >= 0);
  order.sort((a, b) => (offsetsMs[a] as number) - (offsetsMs[b] as number) || (liveIds[a] as number) - (liveIds[b] as number));
  // Live, every consent is on record before the first submission (the bench posts them first):
  // here too, or an analysis taken in ahead of the one that carries its patient's consent is refused.
  const consent = items.flatMap((it) => it.consent ?? []);
  const subs: Submission[] = order.map((i, k) => ({ submitAt: offsetsMs[i] as number, job: (items[i] as WorkloadItem).job, ...(k === 0 ? { consent } : {}) }));
  const core = new SchedulerCore(cluster);
  const free = new FreeWhileWaiting(
    cluster.nodes.reduce((n, x) => n + x.cores, 0),
    () => core.cluster().pendingTasks,
  );
  new SimEngine(core, { ...engine, observer: fanOut(metrics, free) }).run(subs);
  const m = metrics.metrics();
  return {
    analyses: m.states.COMPLETED ?? 0,
    makespan_s: Math.round(m.makespanS),
    mean_turnaround_s: Math.round(m.turnaround.mean),
    utilization: Math.round(m.utilization * 10_000) / 10_000,
    wall_s: Math.round(((performance.now() - t0) / 1000) * 10) / 10,
    energy_kwh: Math.round(m.energyMwh * 1000 * 10) / 10,
    heat_recovered_kwh: Math.round(m.heatRecoveredMwh * 1000 * 10) / 10,
    // Set against the live burst's refill_left_by_pass_share (bench:ngc).
    ...(free.share() === null ? {} : { free_share_while_waiting: free.share() as number }),
  };
}

/** Where live tasks ran past their hold: the kernel still running after the modelled time × scale, or queued for the pool. */
export interface Overrun {
  /** Tasks with a genome kernel (qc, align, call) and a recorded result. */
  kernel_tasks: number;
  /** Their kernels' own wall time (pool queue + run, as the agent measured), wall ms. */
  kernel_wall_ms_p50: number;
  kernel_wall_ms_p90: number;
  /** Share of them whose kernel outlasted the hold by more than 10 ms. */
  overran_share: number;
  /** Of all tasks: wall ms the attempt took beyond its hold, summed over tasks, as modelled s per task. */
  mean_overrun_modelled_s: number;
  /** All tasks: live run time (scheduler clock) over modelled time, in modelled s. */
  mean_live_run_s: number;
  mean_modelled_run_s: number;
}

const GENOME = new Set(['qc', 'align', 'call', 'simulate']);

/**
 * Every live job's task run times (modelled ms, by task index; -1 where a task has none) read
 * back from the scheduler, checked against the sample's own modelled durations (the same seed
 * must build the same DAG live), and the tasks' overrun of their holds.
 */
export async function observedRuns(client: Client, items: readonly WorkloadItem[], jobIdOf: readonly number[], timeScale: number): Promise<{ runs: (number[] | null)[]; overrun: Overrun }> {
  const runs: (number[] | null)[] = [];
  const kernelWall: number[] = [];
  let kernelTasks = 0;
  let overran = 0;
  let overrunMs = 0;
  let liveRun = 0;
  let modelled = 0;
  let tasks = 0;
  for (const [i, item] of items.entries()) {
    const id = jobIdOf[i] ?? -1;
    if (id < 0) {
      runs.push(null);
      continue;
    }
    const j = await client.getJob(String(id));
    const spec = item.job.tasks;
    if (j.tasks.length !== spec.length) throw new Error(`live job ${id} has ${j.tasks.length} tasks, the sample's analysis ${i} ${spec.length}: the same seed built another DAG`);
    const res = new Map((j.results ?? []).map((r) => [r.taskId, r]));
    const out = new Array<number>(spec.length).fill(-1);
    for (const t of j.tasks) {
      const want = spec[t.index]?.durationMs;
      if (t.durationMs !== (want ?? null)) throw new Error(`live job ${id} task ${t.index}: modelled ${t.durationMs} ms, the sample's ${want} ms`);
      if (t.startedAt === null || t.endedAt === null || t.durationMs === null) continue;
      out[t.index] = t.endedAt - t.startedAt;
      tasks++;
      liveRun += t.endedAt - t.startedAt;
      modelled += t.durationMs;
      const r = res.get(t.id);
      if (!r) continue;
      const over = Math.max(0, r.wallMs - t.durationMs * timeScale);
      overrunMs += over;
      const summary = r.summary as { kernelWallMs?: number } | null;
      if (GENOME.has(r.kernel) && typeof summary?.kernelWallMs === 'number') {
        kernelTasks++;
        kernelWall.push(summary.kernelWallMs);
        if (over > 10) overran++;
      }
    }
    runs.push(out);
  }
  kernelWall.sort((a, b) => a - b);
  const q = (p: number): number => Math.round(kernelWall[Math.min(kernelWall.length - 1, Math.floor(kernelWall.length * p))] ?? 0);
  const perTask = (ms: number): number => Math.round(ms / Math.max(1, tasks) / 1000);
  return {
    runs,
    overrun: {
      kernel_tasks: kernelTasks,
      kernel_wall_ms_p50: q(0.5),
      kernel_wall_ms_p90: q(0.9),
      overran_share: Math.round((overran / Math.max(1, kernelTasks)) * 1000) / 1000,
      mean_overrun_modelled_s: perTask(overrunMs / timeScale),
      mean_live_run_s: perTask(liveRun),
      mean_modelled_run_s: perTask(modelled),
    },
  };
}

/**
 * Each live job's task run times on the scheduler's clock (start decision to completion
 * applied, modelled ms, by task index; -1 where a task has none), by workload index (null:
 * refused). Reads `concurrency` jobs at a time.
 */
export async function liveRuns(client: Client, jobIdOf: readonly number[], concurrency = 8): Promise<(number[] | null)[]> {
  const out: (number[] | null)[] = new Array<number[] | null>(jobIdOf.length).fill(null);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobIdOf.length) {
        const i = next++;
        const id = jobIdOf[i] ?? -1;
        if (id < 0) continue;
        const j = await client.getJob(String(id));
        const r = new Array<number>(j.tasks.length).fill(-1);
        for (const t of j.tasks) if (t.startedAt !== null && t.endedAt !== null) r[t.index] = t.endedAt - t.startedAt;
        out[i] = r;
      }
    }),
  );
  return out;
}

/** The sample's items with each task lasting its live run time (tasks that never ran keep their model). */
export function withRuns(items: readonly WorkloadItem[], runs: readonly (number[] | null)[]): WorkloadItem[] {
  return items.map((it, i) => {
    const r = runs[i];
    if (!r) return it;
    return { ...it, job: { ...it.job, tasks: it.job.tasks.map((t, k) => ((r[k] ?? -1) >= 0 ? { ...t, durationMs: r[k] as number } : t)) } };
  });
}

/** Runs the sample live (a fresh `gsched up`), then in the simulator at the live submission times. */
export async function twinSample(o: TwinOptions): Promise<TwinResult> {
  const items = sampleItems(o.analyses, o.seed, o.classes);
  const cores = o.cluster.nodes.reduce((s, n) => s + n.cores, 0);
  const args = ['--kernels', o.kernels, ...BENCH_UP_ARGS];
  if (o.kernelScale !== undefined) args.push('--kernel-scale', String(o.kernelScale));
  const up = await startGschedUp({ ...(o.clusterPath ? { cluster: o.clusterPath } : {}), timeScale: o.timeScale, args, readyTimeoutMs: 60_000 });
  // Closed in `finally` too: kept-alive sockets left open by a failed intake keep the process alive.
  let poster: JsonPoster | null = null;
  try {
    const client = Client.fromOptions({ url: up.httpUrl, stateDir: up.state, timeout: '120' });
    poster = new JsonPoster(up.httpUrl, up.token, POSTER_SOCKETS);
    await postConsents(poster, items, o.progress);
    const t0 = performance.now();
    const cpu0 = treeCpu(up.pid);
    const intake = await submitAsRuns(poster, items, `SAMPLE-${o.seed}`, o.progress);
    poster.close();
    if (intake.refused > 0) throw new Error(`${intake.refused} samples were refused`);
    await waitIdle(client, items.length, o.timeoutS, o.progress, 250);
    const wallS = (performance.now() - t0) / 1000;
    const byRole = cpuByRole(cpu0, treeCpu(up.pid));
    const cpu = { scheduler_cpu_s: cpuSecondsOf(byRole, 'scheduler'), agents_cpu_s: cpuSecondsOf(byRole, 'agent'), run_wall_s: Math.round(wallS * 10) / 10 };
    const acct = await accountingOf(client);
    const live = figuresOfAcct(acct, cores, wallS);
    const offsets = submitOffsets(acct, intake.jobIdOf);
    const sim = simulate(o.cluster, items, offsets, intake.jobIdOf);
    const lag = o.measureLag ? await taskLag(client, intake.jobIds, o.timeScale) : null;
    let simObserved: RunFigures | null = null;
    let overrun: Overrun | null = null;
    if (o.measureLag) {
      const obs = await observedRuns(client, items, intake.jobIdOf, o.timeScale);
      overrun = obs.overrun;
      simObserved = simulate(o.cluster, withRuns(items, obs.runs), offsets, intake.jobIdOf);
    }
    return { live, sim, simObserved, overrun, cpu, submitOffsetsMs: offsets, lag };
  } finally {
    poster?.close();
    await up.stop();
  }
}

/** Relative difference of live from sim, as a fraction. */
export const rel = (live: number, sim: number): number => (sim === 0 ? (live === 0 ? 0 : Infinity) : (live - sim) / sim);
