// bench:ngc — the centre's 60,000 analyses in the simulator and live through gRPC, side by side,
// and the twin check between them. Parts (all by default; NGC_PARTS=sim,live-full,full-twin,sample picks;
// sim-steady or sim-burst for one of the two simulations):
//   (a) sim        the simulator on the full steady and burst scenarios (NGC_ANALYSES, 60,000;
//                  fresh child processes)
//   (b) live-full  `gsched up` (scheduler + three agents, noop kernels, NGC_FULL_SCALE = 1e-4,
//                  --dispatch-window NGC_FULL_DISPATCH_WINDOW = 1000, the agents on the
//                  host's last CPU: --agent-cpus NGC_FULL_AGENT_CPUS)
//                  takes a burst of NGC_LIVE_ANALYSES (default NGC_ANALYSES, 60,000) as
//                  sequencing runs and runs it to the end
//       full-twin  the simulator on the same analyses, each submitted at the modelled time and
//                  in the order the live scheduler took it in; then, to show where the live run
//                  differs from that (not a bound: NGC_FULL_OBSERVED=0 skips it), again with each
//                  task lasting what it took live (read back job by job), and again with that and
//                  a pass no more often than the live scheduler ran them after intake (its mean
//                  interval, in modelled time: EngineOptions.passIntervalMs)
//   (c) sample     NGC_SAMPLE (600) analyses of the same workload, live, submitted at once, at
//                  NGC_SAMPLE_SCALE (3e-3: at 1e-3 the kernels need more CPU than this 2-core
//                  host gives them and overrun their holds), the genome kernels on scaled-down data
//                  (NGC_KERNEL_SCALE 0.005: a 500 bp genome at 30x, 100 reads a task);
//                  NGC_SAMPLE_KERNELS=noop runs the no-op kernel instead
//   (d)            the simulator on that sample: same seed (same DAGs and run times), each analysis
//                  submitted at the modelled time the live scheduler took it in; and again with each
//                  task lasting the time it took live (start decision to completion), which
//                  separates the policy (same decisions given the same run times) from the live
//                  tasks' overrun of their modelled time (kernels that need more CPU than the
//                  host gives them at that time scale)
// Writes bench/results/ngc.json and prints one table. Progress goes to stderr.
//   npm run bench:ngc
//   NGC_ANALYSES=6000 NGC_PARTS=sim,live-full npm run bench:ngc     (a smaller try)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../cli/index.js';
import { startGschedUp } from '../cli/testing/index.js';
import { allowedCpus, compiledPath, cpuCount, lastCpu, packageRoot, renderTable } from '../common/index.js';
import { runNgc, ngcWorkload, powerFigures, type NgcRunResult, type WorkloadItem } from '../sim/index.js';
import { withPowerSave } from '../scheduler/core/index.js';
import { JsonPoster } from './json-poster.js';
import { BENCH_UP_ARGS, POSTER_SOCKETS, PauseWatch, accountingOf, figuresOfAcct, postConsents, submitAsRuns, submitOffsets, taskLag, waitIdle, type RunFigures } from './ngc-live.js';
import { liveRuns, rel, simulate, twinSample, withRuns, writeTwinCluster } from './ngc-twin.js';
import { cpuByRole, cpuSecondsOf, schedulerThreadSeconds, treeCpu } from './proc-cpu.js';
import { metricSum } from './prom.js';
import type { RefillFigures } from '../scheduler/driver/index.js';

type Figures = RunFigures & Record<string, number | string | null>;

function env(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return v;
}

/** NGC_FULL_AGENT_CPUS, else the last CPU this process may use if it may use two or more; null: none. */
function agentCpus(): string | null {
  const raw = process.env.NGC_FULL_AGENT_CPUS;
  if (raw === 'none') return null;
  if (raw !== undefined && raw !== '') return raw;
  const allowed = allowedCpus();
  if (allowed === null || (cpuCount(allowed) ?? 0) < 2) return null;
  return String(lastCpu(allowed));
}

/** `[flag, value]` for gsched up when the knob is set (0: unset, the scheduler's default). */
function upOption(flag: string, value: number): string[] {
  return value > 0 ? [flag, String(value)] : [];
}

/** A 0/1 switch: `dflt` when unset; anything else than 0 or 1 is refused. */
function flag(name: string, dflt: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  if (raw !== '0' && raw !== '1') throw new Error(`${name}=${raw}: expected 0 or 1`);
  return raw === '1';
}

const cfg = {
  analyses: env('NGC_ANALYSES', 60_000),
  /** The live burst's size (default: NGC_ANALYSES); its twin simulates the same analyses. */
  liveAnalyses: env('NGC_LIVE_ANALYSES', env('NGC_ANALYSES', 60_000)),
  seed: env('NGC_SEED', 1),
  sample: env('NGC_SAMPLE', 600),
  fullScale: env('NGC_FULL_SCALE', 1e-4),
  /**
   * The live burst's --dispatch-window (the scheduler's default is 100): at 1e-4 a pass that
   * waits for agents' acknowledgements leaves freed cores idle for modelled minutes, and on this
   * shared 2-core host the agents answer late whenever they wait for a core.
   */
  fullDispatchWindow: env('NGC_FULL_DISPATCH_WINDOW', 1000),
  /**
   * The live burst's --agent-cpus: the agents (noop kernels) run on this host's last CPU, so on
   * a small host their work stays off the CPU the scheduler's event loop runs on, as it would
   * with the agents on other machines (NGC_FULL_AGENT_CPUS: another list; 'none': not pinned).
   */
  fullAgentCpus: agentCpus(),
  /**
   * The live burst's --snapshot-every-records and --snapshot-every-ms (unset: the scheduler's
   * defaults, 100,000 and 60,000). Each snapshot replays the journal since the one before in a
   * worker thread, which on this 2-core host takes CPU from the agents and the main thread.
   */
  fullSnapshotEveryRecords: env('NGC_FULL_SNAPSHOT_EVERY_RECORDS', 0),
  fullSnapshotEveryMs: env('NGC_FULL_SNAPSHOT_EVERY_MS', 0),
  /** Also simulate the full burst with each task lasting what it took live (NGC_FULL_OBSERVED=0: not). */
  fullObserved: flag('NGC_FULL_OBSERVED', true),
  sampleScale: env('NGC_SAMPLE_SCALE', 3e-3),
  kernelScale: env('NGC_KERNEL_SCALE', 0.005),
  sampleKernels: process.env.NGC_SAMPLE_KERNELS === 'noop' ? ('noop' as const) : ('real' as const),
  timeoutS: env('NGC_TIMEOUT_S', 1500),
  parts: new Set((process.env.NGC_PARTS ?? 'sim,live-full,full-twin,sample').split(',').map((s) => s.trim())),
};

const t0 = performance.now();
const since = (): string => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
let lastLen = 0;
/** One status line, rewritten in place on a terminal; one line per update otherwise. */
function progress(part: string): (line: string) => void {
  return (line) => {
    const text = `[${since()}] ${part}: ${line}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text.padEnd(lastLen)}`);
      lastLen = text.length;
    } else process.stderr.write(text + '\n');
  };
}
function done(part: string, line: string): void {
  if (process.stderr.isTTY) process.stderr.write('\r' + ' '.repeat(lastLen) + '\r');
  lastLen = 0;
  process.stderr.write(`[${since()}] ${part}: ${line}\n`);
}

// ---------------------------------------------------------------- (a) the simulator, in children

function simChild(scenario: 'steady' | 'burst', powerSave = false): void {
  const { config } = writeTwinCluster();
  const r = runNgc({ analyses: cfg.analyses, seed: cfg.seed, scenario, cluster: powerSave ? withPowerSave(config) : config });
  const m = r.metrics;
  const out: Figures = {
    analyses: m.states.COMPLETED ?? 0,
    makespan_s: Math.round(m.makespanS),
    mean_turnaround_s: Math.round(m.turnaround.mean),
    utilization: Math.round(m.utilization * 10_000) / 10_000,
    wall_s: Math.round(r.wallS * 10) / 10,
    energy_kwh: Math.round(m.energyMwh * 1000),
    heat_recovered_kwh: Math.round(m.heatRecoveredMwh * 1000),
    urgent_p95_turnaround_h: r.urgentP95H === null ? null : Math.round(r.urgentP95H * 100) / 100,
    p95_turnaround_h: Math.round((m.turnaround.p95 / 3600) * 100) / 100,
    tasks: r.outcome.tasksStarted,
    events: r.outcome.events,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(powerSave ? powerSaveExtras(r) : {}),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

// ---------------------------------------------------------------- (a) power saving (sim_steady_powersave)

/** What power saving did in a run (the cluster's defaults, DEFAULT_POWER_SAVE). */
function powerSaveExtras(r: NgcRunResult): Record<string, number> {
  const f = powerFigures(r);
  const ps = withPowerSave(writeTwinCluster().config).powerSave;
  return { mean_suspended_nodes: f.mean_suspended_nodes, resumes: f.resumes, suspends: f.suspends, suspend_time_s: (ps?.suspendTimeMs ?? 0) / 1000, resume_delay_s: (ps?.resumeDelayMs ?? 0) / 1000, reserve_cores: ps?.reserveCores ?? 0 };
}

/** The issue's target for power saving: ≥ 60% less energy in the steady scenario, urgent p95 still ≤ 8 h. */
function powerSaveCheck(off: Figures, on: Figures): { energy_saved: number; urgent_p95_h: number | null; ok: boolean } {
  const saved = 1 - (on.energy_kwh ?? 0) / (off.energy_kwh ?? 1);
  const urgent = on.urgent_p95_turnaround_h;
  const ok = saved >= 0.6 && typeof urgent === 'number' && urgent <= 8;
  process.stdout.write(`power saving (steady): energy ${signed(-saved)} (target at least 60% less), urgent p95 ${urgent ?? '-'} h (target at most 8 h): ${ok ? 'met' : 'NOT met'}\n`);
  return { energy_saved: Math.round(saved * 1000) / 1000, urgent_p95_h: typeof urgent === 'number' ? urgent : null, ok };
}

/**
 * The burst at the live intake: each analysis submitted at the modelled time and in the order
 * the live scheduler took it in. `twin-observed`: each task also lasting what it took live;
 * `twin-cadence`: that, with a pass no more often than the live scheduler ran them.
 */
function twinChild(file: string, kind: 'twin' | 'twin-observed' | 'twin-cadence'): void {
  const { offsets, ids, runs, passIntervalMs } = JSON.parse(readFileSync(file, 'utf8')) as FullIntake;
  const { config } = writeTwinCluster();
  let items = [...ngcWorkload({ analyses: cfg.liveAnalyses, seed: cfg.seed, scenario: 'burst' })];
  if (kind !== 'twin') {
    if (!runs || passIntervalMs === undefined) throw new Error('the intake file has no live run times or pass interval');
    items = withRuns(items, runs);
  }
  const f = simulate(config, items, offsets, ids, kind === 'twin-cadence' ? { passIntervalMs } : {});
  process.stdout.write(JSON.stringify({ ...f, peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}

type TwinScenario = 'twin' | 'twin-observed' | 'twin-cadence';
type SimScenario = 'steady' | 'burst' | 'steady-powersave' | TwinScenario;
const TWIN_NAMES: Record<TwinScenario, string> = { twin: 'sim full at live intake', 'twin-observed': 'sim full at live run times', 'twin-cadence': 'sim full at live run times and pass cadence' };
const twinLike = (s: string): s is TwinScenario => s in TWIN_NAMES;
const simName = (s: SimScenario): string => (twinLike(s) ? TWIN_NAMES[s] : `sim ${s}`);

function runSimChild(scenario: SimScenario, arg?: string): Promise<Figures> {
  const name = simName(scenario);
  const p = progress(name);
  p(`${twinLike(scenario) ? cfg.liveAnalyses : cfg.analyses} analyses…`);
  const child = spawn(process.execPath, ['--max-old-space-size=4096', compiledPath('bench/ngc.ts'), '--child', scenario, ...(arg ? [arg] : [])], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} failed (exit ${code}): ${err.trim().slice(-2000)}`));
      const f = JSON.parse(out.trim().split('\n').pop() as string) as Figures;
      done(name, `makespan ${days(f.makespan_s)} d, utilization ${pct(f.utilization)}, ${f.wall_s} s wall, ${f.peak_rss_mib} MiB`);
      resolve(f);
    });
  });
}

// ---------------------------------------------------------------- (b) the full burst, live

/** Where liveFull leaves each analysis' live submission (modelled ms after the first) and job id, for the twin. */
interface FullIntake {
  offsets: number[];
  ids: number[];
  /** Each task's live run time (liveRuns), and the modelled ms between the live scheduler's passes, on average. */
  runs?: (number[] | null)[];
  passIntervalMs?: number;
}
let fullIntake: FullIntake | null = null;

async function liveFull(): Promise<Figures> {
  const part = 'live full';
  const p = progress(part);
  const items: WorkloadItem[] = [...ngcWorkload({ analyses: cfg.liveAnalyses, seed: cfg.seed, scenario: 'burst' })];
  const tasks = items.reduce((s, i) => s + i.job.tasks.length, 0);
  // The scheduler builds the tasks from the templates; here only class, pseudonyms, account and seed are sent.
  for (const i of items) i.job.tasks = [];
  const { path, config } = writeTwinCluster();
  const cores = config.nodes.reduce((s, n) => s + n.cores, 0);
  p(`starting gsched up (noop kernels, time scale ${cfg.fullScale}${cfg.fullAgentCpus === null ? '' : `, agents on CPU ${cfg.fullAgentCpus}`})`);
  // The driver's refill trace (scheduler/driver/refill-watch.ts): where cores stand free while work waits.
  const refillFile = join(mkdtempSync(join(tmpdir(), 'gsched-ngc-')), 'refill.json');
  process.env.GSCHED_REFILL_TRACE = refillFile;
  const up = await startGschedUp({ cluster: path, timeScale: cfg.fullScale, args: ['--kernels', 'noop', '--dispatch-window', String(cfg.fullDispatchWindow), ...(cfg.fullAgentCpus === null ? [] : ['--agent-cpus', cfg.fullAgentCpus]), ...upOption('--snapshot-every-records', cfg.fullSnapshotEveryRecords), ...upOption('--snapshot-every-ms', cfg.fullSnapshotEveryMs), ...BENCH_UP_ARGS], readyTimeoutMs: 60_000 }).finally(() => delete process.env.GSCHED_REFILL_TRACE);
  // Closed in `finally` too: kept-alive sockets left open by a failed intake keep the process alive.
  let poster: JsonPoster | null = null;
  try {
    const client = ApiClient.fromOptions({ url: up.httpUrl, stateDir: up.state, timeout: '300' });
    // Consent and intake go through lean keep-alive connections (json-poster.ts), the rest through the CLI's client.
    poster = new JsonPoster(up.httpUrl, up.token, POSTER_SOCKETS);
    const consents = await postConsents(poster, items, p);
    done(part, `${consents} consents recorded`);
    // Passes of the core (count, CPU s), and assignments acknowledged (count, s from send to ack).
    // And state snapshots written (count, wall s, journal records their replica replayed).
    const passes = async (): Promise<{ n: number; s: number; acks: number; ackS: number; snaps: number; snapS: number; replayed: number }> => {
      const text = await (await fetch(`${up.httpUrl}/metrics`)).text();
      const m = (name: string): number => metricSum(text, name);
      return {
        n: m('gsched_schedule_pass_seconds_count'),
        s: m('gsched_schedule_pass_seconds_sum'),
        acks: m('gsched_dispatch_latency_seconds_count'),
        ackS: m('gsched_dispatch_latency_seconds_sum'),
        snaps: m('gsched_state_snapshot_seconds_count'),
        snapS: m('gsched_state_snapshot_seconds_sum'),
        replayed: m('gsched_state_snapshot_replayed_records_total'),
      };
    };
    const w0 = performance.now();
    const cpu0 = treeCpu(up.pid);
    const ps0 = await passes();
    const intake = await submitAsRuns(poster, items, `NOVA-${cfg.seed}`, p);
    poster.close();
    const submitS = (performance.now() - w0) / 1000;
    const psIntake = await passes();
    const cpu1 = treeCpu(up.pid);
    // The refill trace so far (written every 2 s): how the intake's wall, when the scheduler also
    // takes the submissions in, compares with the rest.
    const refillIntake = refillFigures(refillFile);
    done(part, `${intake.submitted} analyses (${tasks} tasks) taken in: ${intake.runs} sequencing runs + ${intake.analysesPosted} single analyses in ${submitS.toFixed(1)} s; ${intake.refused} refused`);
    const pauses = new PauseWatch(async () => (await fetch(`${up.httpUrl}/metrics`)).text());
    await pauses.start();
    await waitIdle(client, items.length, cfg.timeoutS, p, 1000, (c) => pauses.poll(c));
    const wallS = (performance.now() - w0) / 1000;
    // Who spent the CPU while the tasks ran (after intake): the scheduler's share is what bounds
    // how many tasks a wall second it can start and finish on this host.
    const run = cpuByRole(cpu1, treeCpu(up.pid));
    const runS = wallS - submitS;
    // Passes of the core during intake and run: how many tasks one pass starts, and the core's share of a pass.
    const ps1 = await passes();
    const cpuFigures = {
      passes: ps1.n - ps0.n,
      passes_run: ps1.n - psIntake.n,
      tasks_per_pass: Math.round((tasks / Math.max(1, ps1.n - ps0.n)) * 10) / 10,
      core_pass_cpu_s: Math.round((ps1.s - ps0.s) * 10) / 10,
      // Send to acknowledgement, the round trip to the agents (the start's wait before the send is deducted from its hold).
      dispatch_ack_wall_ms_mean: Math.round(((ps1.ackS - psIntake.ackS) * 10_000) / Math.max(1, ps1.acks - psIntake.acks)) / 10,
      scheduler_cpu_s_intake: cpuSecondsOf(cpuByRole(cpu0, cpu1), 'scheduler'),
      scheduler_cpu_s_run: cpuSecondsOf(run, 'scheduler'),
      agents_cpu_s_run: cpuSecondsOf(run, 'agent'),
      scheduler_cpu_us_per_task: Math.round(((run.scheduler ?? 0) * 1000) / tasks),
      // The scheduler's JavaScript thread alone: what bounds its tasks per wall second (the
      // snapshot replica and lmdb's writer run beside it, on the other core).
      scheduler_main_thread_cpu_us_per_task: Math.round(((run['scheduler-main-thread'] ?? 0) * 1000) / tasks),
      scheduler_busy_share_run: Math.round(((run.scheduler ?? 0) / 1000 / Math.max(1, runS)) * 1000) / 1000,
      // Its other threads by name during the run: the snapshot replica (gsched-replica), and
      // libuv's pool and V8's helpers (unnamed, so called node like the main thread).
      ...schedulerThreadSeconds(run, '_run'),
      // Snapshots written from the intake's start to the end (each replays the journal since the one before).
      snapshots: ps1.snaps - ps0.snaps,
      snapshot_wall_s_mean: Math.round(((ps1.snapS - ps0.snapS) / Math.max(1, ps1.snaps - ps0.snaps)) * 10) / 10,
      snapshot_replayed_records: ps1.replayed - ps0.replayed,
    };
    const pauseFigures = await pauses.figures();
    done(part, `pauses: ${pauseFigures.loop_stalls_over_1s} polls of ${pauseFigures.loop_polls} saw the event loop stall 1 s or more (longest ${pauseFigures.loop_max_stall_s} s); ${pauseFigures.idle_dips} found most cores idle with work waiting, ${pauseFigures.idle_dips_after_stall} of them after a stall of 250 ms or more; with 10,000+ tasks waiting, ${pauseFigures.busy_share_while_waiting} of the cores busy on average (${pauseFigures.busy_polls_below_80pct} of ${pauseFigures.busy_polls} polls under 80%); GC ${pauseFigures.gc_major_s} s major, ${pauseFigures.gc_minor_s} s minor, ${pauseFigures.gc_pauses_over_1s} pauses of 1 s or more`);
    const acct = await accountingOf(client);
    const f = figuresOfAcct(acct, cores, wallS);
    fullIntake = { offsets: submitOffsets(acct, intake.jobIdOf), ids: intake.jobIdOf };
    if (cfg.fullObserved) {
      p("reading every task's live run time");
      fullIntake.runs = await liveRuns(client, intake.jobIdOf);
      // The live scheduler's pass cadence in modelled time, after intake (when the queue is
      // long and completions stream in): the run's wall over its passes.
      fullIntake.passIntervalMs = Math.round((runS * 1000) / Math.max(1, ps1.n - psIntake.n) / cfg.fullScale);
    }
    const lag = await taskLag(client, intake.jobIds, cfg.fullScale);
    const refill = { ...refillFigures(refillFile), ...intakeShare(refillIntake) };
    done(part, `makespan ${days(f.makespan_s)} d, utilization ${pct(f.utilization)}, ${f.wall_s} s wall`);
    const interval = fullIntake.passIntervalMs;
    const cadence: Record<string, number> = interval === undefined ? {} : { pass_interval_modelled_s: Math.round(interval / 100) / 10 };
    return { ...f, tasks, submit_s: Math.round(submitS * 10) / 10, ...cadence, time_scale: cfg.fullScale, load_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10, ...lag, ...cpuFigures, ...pauseFigures, ...refill };
  } finally {
    poster?.close();
    await up.stop();
  }
}

/**
 * The scheduler's refill trace, as figures: the mean share of cores free while 10,000+ tasks
 * waited, what passes left free of it, and what completions had freed and no pass had refilled
 * yet (in all and by what the driver was doing), and the wall seconds spent in each of those
 * states meanwhile (how long a capped chain or the dispatch window held passes). Empty if the
 * trace was not written.
 */
function refillFigures(file: string): Record<string, unknown> {
  let r: RefillFigures;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as RefillFigures;
  } catch {
    return {};
  }
  const freed = Object.values(r.freed_share_by_state).reduce((a, b) => a + b, 0);
  return { refill_waiting_wall_s: r.waiting_wall_s, refill_free_share: r.free_share, refill_left_by_pass_share: r.left_by_pass_share, refill_freed_share: Math.round(freed * 10_000) / 10_000, refill_freed_share_by_state: r.freed_share_by_state, refill_wall_s_by_state: r.wall_s_by_state, refill_deferrals: r.deferrals };
}

/**
 * The refill figures read when the intake ended, as `refill_intake_*`: the free share while the
 * scheduler also took the submissions in, which the whole run's can be set against.
 */
function intakeShare(r: Record<string, unknown>): Record<string, number> {
  const wall = r.refill_waiting_wall_s;
  const free = r.refill_free_share;
  return typeof wall === 'number' && typeof free === 'number' ? { refill_intake_waiting_wall_s: wall, refill_intake_free_share: free } : {};
}

// ---------------------------------------------------------------- output

const days = (s: number): string => (s / 86_400).toFixed(2);
const hours = (s: number): string => (s / 3600).toFixed(2);
const pct = (u: number): string => `${(u * 100).toFixed(1)}%`;
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

interface TwinCheck {
  what: string;
  live: number;
  sim: number;
  diff: string;
  bound: string;
  ok: boolean;
}

/** The issue's twin bounds for a live run against its simulated twin: makespan and mean turnaround within 5%, utilization within 3 points. */
function agreement(live: Figures, sim: Figures, names: [makespan: string, turnaround: string, utilization: string]): TwinCheck[] {
  const m = rel(live.makespan_s, sim.makespan_s);
  const tt = rel(live.mean_turnaround_s, sim.mean_turnaround_s);
  const u = live.utilization - sim.utilization;
  return [
    { what: names[0], live: live.makespan_s, sim: sim.makespan_s, diff: signed(m), bound: '±5%', ok: Math.abs(m) <= 0.05 },
    { what: names[1], live: live.mean_turnaround_s, sim: sim.mean_turnaround_s, diff: signed(tt), bound: '±5%', ok: Math.abs(tt) <= 0.05 },
    { what: names[2], live: live.utilization, sim: sim.utilization, diff: `${u >= 0 ? '+' : ''}${(u * 100).toFixed(1)} pts`, bound: '±3 pts', ok: Math.abs(u) <= 0.03 },
  ];
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    const kind = process.argv[child + 1];
    if (kind !== undefined && twinLike(kind)) return twinChild(process.argv[child + 2] as string, kind);
    return simChild(kind === 'burst' ? 'burst' : 'steady', kind === 'steady-powersave');
  }

  process.stderr.write(`bench:ngc: ${cfg.analyses} analyses (live burst ${cfg.liveAnalyses}; seed ${cfg.seed}); parts ${[...cfg.parts].join(', ')}; host load ${loadavg()[0]?.toFixed(1)}\n`);
  const result: Record<string, unknown> = {
    bench: 'ngc',
    measured_at: new Date().toISOString(),
    node: process.version,
    host_cores: availableParallelism(),
    load_1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    config: { ...cfg, parts: [...cfg.parts] },
  };
  const rows: [string, Figures][] = [];
  /** Wall seconds of each part, so the bench's own length can be read part by part. */
  const partWall: Record<string, number> = {};
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const w0 = performance.now();
    try {
      return await run();
    } finally {
      partWall[name] = Math.round((performance.now() - w0) / 100) / 10;
    }
  };
  result.part_wall_s = partWall;
  // The live burst first: its twin (the simulator at the live intake) then runs beside the other
  // simulations instead of after them.
  if (cfg.parts.has('live-full')) {
    try {
      result.live_full = await timed('live_full', liveFull);
    } catch (err) {
      done('live full', `FAILED: ${(err as Error).message}`);
      result.live_full_error = (err as Error).message;
    }
  }
  // `sim` is all three simulations; `sim-steady`, `sim-steady-powersave` and `sim-burst` one each;
  // `full-twin` the burst at the live intake. A part that fails is recorded with its error; the
  // others still run and are written.
  const sims = [
    ['steady', 'sim_steady', 'sim_steady (a)'],
    ['steady-powersave', 'sim_steady_powersave', 'sim_steady_powersave (a)'],
    ['burst', 'sim_full', 'sim_full (a, burst)'],
    ['twin', 'sim_full_twin', 'sim_full_twin (d, live intake)'],
    ['twin-observed', 'sim_full_observed', 'sim_full at live run times'],
    ['twin-cadence', 'sim_full_observed_cadence', 'sim_full at live run times + cadence'],
  ] as const;
  let intakeFile: string | undefined;
  if (cfg.parts.has('full-twin') && fullIntake) {
    intakeFile = join(mkdtempSync(join(tmpdir(), 'gsched-ngc-')), 'intake.json');
    writeFileSync(intakeFile, JSON.stringify(fullIntake));
  }
  const wanted = sims.filter(([scenario]) => (scenario === 'twin' ? intakeFile !== undefined : twinLike(scenario) ? intakeFile !== undefined && fullIntake?.runs !== undefined : cfg.parts.has('sim') || cfg.parts.has(`sim-${scenario}`)));
  const outcomes = new Map<string, Figures | Error>();
  // The simulations are independent single-threaded children: on a 2-core host two at a time,
  // the two bursts (the longest) first, so the steady runs share a core beside the longer one.
  const queue = [...wanted].sort((a, b) => Number(b[0] === 'burst' || twinLike(b[0])) - Number(a[0] === 'burst' || twinLike(a[0])));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(2, wanted.length) }, async () => {
      while (next < queue.length) {
        const [scenario] = queue[next++] as (typeof sims)[number];
        outcomes.set(scenario, await timed(`sim_${scenario}`, () => runSimChild(scenario, twinLike(scenario) ? intakeFile : undefined)).catch((err: Error) => err));
      }
    }),
  );
  for (const [scenario, key, label] of wanted) {
    const o = outcomes.get(scenario);
    if (o instanceof Error || o === undefined) {
      done(simName(scenario), `FAILED: ${o?.message ?? 'not run'}`);
      result[`${key}_error`] = o?.message ?? 'not run';
      continue;
    }
    result[key] = o;
    if (scenario === 'twin' && result.live_full) {
      rows.push(['live_full (b, burst)', result.live_full as Figures]);
      const l = result.live_full as Record<string, unknown>;
      const twinFree = (o as Record<string, unknown>).free_share_while_waiting;
      if (typeof l.refill_free_share === 'number' && typeof twinFree === 'number') {
        done('live full', `with 10,000+ tasks waiting, ${pct(l.refill_free_share)} of the cores free on average: ${pct(l.refill_left_by_pass_share as number)} left free by passes (the twin: ${pct(twinFree)} free), ${pct(l.refill_freed_share as number)} freed and not yet refilled`);
      }
    }
    rows.push([label, o]);
  }
  if (result.live_full && !result.sim_full_twin) rows.push(['live_full (b, burst)', result.live_full as Figures]);
  if (cfg.parts.has('sample')) await timed('sample', () => sample(result, rows)).catch((err: Error) => {
    done('sample', `FAILED: ${err.message}`);
    result.sample_error = err.message;
  });

async function sample(result: Record<string, unknown>, rows: [string, Figures][]): Promise<void> {
    const part = 'sample';
    const { path, config } = writeTwinCluster();
    const t = await twinSample({ cluster: config, clusterPath: path, analyses: cfg.sample, seed: cfg.seed, timeScale: cfg.sampleScale, kernels: cfg.sampleKernels, kernelScale: cfg.kernelScale, timeoutS: cfg.timeoutS, progress: progress(part), measureLag: true });
    done(part, `live makespan ${hours(t.live.makespan_s)} h, sim ${hours(t.sim.makespan_s)} h`);
    result.live = { ...t.live, time_scale: cfg.sampleScale, kernel_scale: cfg.kernelScale, kernels: cfg.sampleKernels, ...(t.lag ?? {}), ...(t.overrun ?? {}), ...(t.cpu ?? {}) };
    result.sim_sample = t.sim;
    rows.push(['live (c, sample)', result.live as Figures], ['sim_sample (d)', result.sim_sample as Figures]);
    if (t.simObserved) {
      result.sim_sample_observed = t.simObserved;
      rows.push(['sim_sample at live run times', result.sim_sample_observed as Figures]);
    }
    if (t.overrun) {
      const o = t.overrun;
      done(part, `tasks ran ${o.mean_live_run_s} modelled s live vs ${o.mean_modelled_run_s} s modelled on average (past their hold: ${o.mean_overrun_modelled_s} s); kernel wall p50 ${o.kernel_wall_ms_p50} ms, p90 ${o.kernel_wall_ms_p90} ms; ${(o.overran_share * 100).toFixed(1)}% of kernels outlasted their hold`);
    }
}

  // The twin check: the issue's bounds.
  const checks: TwinCheck[] = [];
  const lf = result.live_full as Figures | undefined;
  const sf = result.sim_full as Figures | undefined;
  if (lf && sf && cfg.liveAnalyses === cfg.analyses) {
    const d = rel(lf.makespan_s, sf.makespan_s);
    checks.push({ what: 'full burst makespan (s), sim all at t = 0', live: lf.makespan_s, sim: sf.makespan_s, diff: signed(d), bound: '±5%', ok: Math.abs(d) <= 0.05 });
  }
  const st = result.sim_full_twin as Figures | undefined;
  if (lf && st) {
    checks.push(...agreement(lf, st, ['full burst makespan (s), sim at live intake', 'full burst mean turnaround (s), at live intake', 'full burst utilization, at live intake']));
  }
  // Where the live burst and its twin differ (not a bound: these simulations are given what the
  // live run did): the twin again with each task lasting what it took live, then also passing
  // no more often than the live scheduler did.
  const explained: TwinCheck[] = [];
  for (const [key, how] of [
    ['sim_full_observed', 'at live run times'],
    ['sim_full_observed_cadence', 'at live run times and pass cadence'],
  ] as const) {
    const o = result[key] as Figures | undefined;
    if (lf && o) explained.push(...agreement(lf, o, [`full burst makespan (s), ${how}`, `full burst mean turnaround (s), ${how}`, `full burst utilization, ${how}`]));
  }
  result.twin_explained = explained.map(({ what, live, sim, diff }) => ({ what, live, sim, diff }));
  const ls = result.live as Figures | undefined;
  const ss = result.sim_sample as Figures | undefined;
  if (ls && ss) {
    checks.push(...agreement(ls, ss, ['sample makespan (s)', 'sample mean turnaround (s)', 'sample utilization']));
  }
  const so = result.sim_sample_observed as Figures | undefined;
  if (ls && so) {
    checks.push(...agreement(ls, so, ['sample makespan (s), sim at live run times', 'sample mean turnaround (s), at live run times', 'sample utilization, at live run times']));
  }
  result.twin_check = checks;
  if (result.sim_steady && result.sim_steady_powersave) result.power_save_check = powerSaveCheck(result.sim_steady as Figures, result.sim_steady_powersave as Figures);
  result.total_wall_s = Math.round((performance.now() - t0) / 100) / 10;

  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ngc.json'), JSON.stringify(result, null, 2) + '\n');

  const show = (x: number | string | null | undefined): string => (x === null || x === undefined ? '-' : typeof x === 'number' ? x.toLocaleString('en-US') : x);
  process.stdout.write(
    renderTable(
      [{ header: 'RUN' }, { header: 'ANALYSES', align: 'right' }, { header: 'MAKESPAN', align: 'right' }, { header: 'MEAN_TURNAROUND', align: 'right' }, { header: 'UTIL', align: 'right' }, { header: 'ENERGY_KWH', align: 'right' }, { header: 'HEAT_KWH', align: 'right' }, { header: 'WALL_S', align: 'right' }],
      rows.map(([name, f]) => [name, show(f.analyses), `${days(f.makespan_s)} d`, `${hours(f.mean_turnaround_s)} h`, pct(f.utilization), show(f.energy_kwh), show(f.heat_recovered_kwh), show(f.wall_s)]),
    ),
  );
  if (checks.length > 0) {
    process.stdout.write('\ntwin check (live vs sim)\n');
    process.stdout.write(
      renderTable(
        [{ header: 'MEASURE' }, { header: 'LIVE', align: 'right' }, { header: 'SIM', align: 'right' }, { header: 'DIFF', align: 'right' }, { header: 'BOUND', align: 'right' }, { header: 'MET' }],
        checks.map((c) => [c.what, show(c.live), show(c.sim), c.diff, c.bound, c.ok ? 'yes' : 'NO']),
      ),
    );
  }
  if (explained.length > 0) {
    process.stdout.write('\nwhere the full burst differs from its twin (the simulator given what the live run did; not a bound)\n');
    process.stdout.write(
      renderTable(
        [{ header: 'MEASURE, SIM' }, { header: 'LIVE', align: 'right' }, { header: 'SIM', align: 'right' }, { header: 'DIFF', align: 'right' }],
        explained.map((c) => [c.what, show(c.live), show(c.sim), c.diff]),
      ),
    );
  }
  process.stdout.write(`wrote bench/results/ngc.json (${result.total_wall_s} s in all)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:ngc: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
