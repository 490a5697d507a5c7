// bench:core — the scheduling core alone, at several scales. Each run submits N single-task
// jobs of mixed sizes at t = 0, then runs scheduling passes with random completions in
// between (a tenth of what runs ends each simulated minute) until all are placed or
// MAX_PASSES minutes have run. A pass that stops at the config's start cap (maxStartsPerPass)
// asks for another at once (wakeAt = now): those run at the same instant, as the driver and the
// simulator run them, and each counts as a pass. Every run happens in a fresh child process started with
// --expose-gc, so its heap figure is its own: retained heap after a full GC, with the
// submitted spec objects dropped, divided by the jobs pending. Each child first warms its
// code up on a throwaway core (BENCH_WARMUP_JOBS, default 20,000; 0 for a cold start).
//   npm run bench:core                       every row
//   node dist/bench/core.js 100000:default   some rows (pending:cluster, cluster = default | ten-times | flat-100k)
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compiledPath, loadClusterConfig, Rng } from '../common/index.js';
import { SchedulerCore, type ClusterConfig, type JobSpec, type NodeSpec } from '../scheduler/core/index.js';
import { median, percentile, table, writeResult } from './stats.js';

const SEED = 42;
const HOUR = 3_600_000;
/** Simulated minutes: enough to place 100,000 tasks on the default cluster; a 1,000,000 run stops here. */
const MAX_PASSES = Number(process.env.BENCH_MAX_PASSES ?? 1_000);

type ClusterKind = 'default' | 'ten-times' | 'flat-100k';
const KINDS: readonly ClusterKind[] = ['default', 'ten-times', 'flat-100k'];

interface RowSpec {
  pending: number;
  cluster: ClusterKind;
  repeats: number;
}

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const ROWS: RowSpec[] = [
  { pending: 10_000, cluster: 'default', repeats: REPEATS },
  { pending: 100_000, cluster: 'default', repeats: REPEATS },
  // A million-job run takes about a minute of submissions and passes on this machine.
  { pending: 1_000_000, cluster: 'default', repeats: Math.min(REPEATS, 2) },
  { pending: 100_000, cluster: 'ten-times', repeats: REPEATS },
  { pending: 100_000, cluster: 'flat-100k', repeats: REPEATS },
];

/** One run's figures (the JSON a child prints). */
interface Run {
  pending: number;
  cluster: ClusterKind;
  cluster_cores: number;
  nodes: number;
  submit_per_sec: number;
  bytes_per_pending: number;
  passes: number;
  placements: number;
  placements_per_sec: number;
  /** The same rates per second of this process's CPU time (what a busy shared machine inflates least). */
  submit_per_cpu_sec: number;
  placements_per_cpu_sec: number;
  pass_ms_p50: number;
  pass_ms_p99: number;
  pass_ms_max: number;
}

/** The default cluster, ten times its containers (same shape), or one flat node of 100,000 cores. */
function clusterOf(kind: ClusterKind): ClusterConfig {
  const base = loadClusterConfig();
  if (kind === 'default') return base;
  let nodes: NodeSpec[];
  if (kind === 'ten-times') {
    nodes = [];
    for (let k = 0; k < 10; k++) {
      for (const n of base.nodes) nodes.push({ ...n, name: `x${k}-${n.name}`, container: `x${k}-${n.container}` });
    }
  } else {
    // Memory enough for 100,000 cores at the workload's 4 GB per core at most.
    const kind0 = base.nodes[0] as NodeSpec;
    nodes = [{ ...kind0, name: 'flat-n001', container: 'flat', kind: 'flat', cores: 100_000, memMb: 100_000 * 4_000 }];
  }
  return { ...base, name: `${base.name}-${kind}`, nodes };
}

function workload(rand: () => number, accounts: string[], n: number): JobSpec[] {
  const sizes = [1, 1, 2, 4, 4, 8, 8, 16, 24, 32, 64];
  const jobs: JobSpec[] = [];
  for (let i = 0; i < n; i++) {
    const cores = sizes[Math.floor(rand() * sizes.length)] as number;
    const research = rand() < 0.25;
    const urgent = !research && rand() < 0.05;
    jobs.push({
      name: `bench-${i}`,
      owner: 'bench',
      account: research ? 'research-ngc' : (accounts[Math.floor(rand() * accounts.length)] as string),
      partition: research ? 'research' : 'clinical',
      qos: urgent ? 'urgent' : research ? 'low' : 'normal',
      purpose: research ? 'research' : 'treatment',
      pseudonyms: [],
      tasks: [{ cores, memMb: cores * (2000 + Math.floor(rand() * 2000)), timeLimitMs: (1 + Math.floor(rand() * 48)) * HOUR }],
    });
  }
  return jobs;
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (npm run bench:core does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** CPU time of this process so far, in milliseconds. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Submits `n` jobs and runs `passes` passes with completions between them (the warm-up). */
function drive(core: SchedulerCore, rand: () => number, leaves: string[], n: number, passes: number): void {
  for (const job of workload(rand, leaves, n)) core.apply({ type: 'submit', job }, 0);
  const running: number[] = [];
  let now = 0;
  for (let p = 0; p < passes; p++) {
    for (let again = true; again; ) {
      const r = core.schedule(now);
      for (const d of r.decisions) if (d.type === 'start') running.push(d.taskId);
      again = r.wakeAt === now;
    }
    now += 60_000;
    for (let k = Math.max(1, Math.floor(running.length / 10)); k > 0 && running.length > 0; k--) {
      const i = Math.floor(rand() * running.length);
      core.apply({ type: 'taskEnded', taskId: running[i] as number, outcome: 'completed' }, now);
      running[i] = running[running.length - 1] as number;
      running.pop();
    }
  }
}

/** Submits every job at t = 0; returns the wall and CPU milliseconds it took. */
function submitAll(core: SchedulerCore, jobs: JobSpec[]): [number, number] {
  const c0 = cpuMs();
  const t0 = performance.now();
  for (const job of jobs) {
    const r = core.apply({ type: 'submit', job }, 0);
    if (!r.ok) throw new Error(r.error.message);
  }
  return [performance.now() - t0, cpuMs() - c0];
}

/** Jobs and passes of the warm-up run (see runRow); 0 turns it off. */
const WARMUP_JOBS = Number(process.env.BENCH_WARMUP_JOBS ?? 20_000);
const WARMUP_PASSES = 60;

/**
 * Child mode: one run of one row. A scheduler runs for months: what it costs once its code is
 * compiled is what matters, not the first pass of a fresh process, which runs in V8's
 * interpreter (the first pass on the ten-times cluster took ~200 ms of CPU for its first
 * 5,600 starts, ~35 µs each). So a throwaway core on the same cluster takes WARMUP_JOBS jobs
 * through WARMUP_PASSES passes first (as bench:live sends 2,000 tasks before it measures).
 */
/** Uniform [0, 1) draws from common's one seeded Rng. */
function seeded(seed: number): () => number {
  const rng = new Rng(seed, 0);
  return () => rng.next();
}

function runRow(pending: number, kind: ClusterKind): Run {
  const cfg = clusterOf(kind);
  const leaves = cfg.accounts.filter((a) => !cfg.accounts.some((b) => b.parent === a.name) && a.name !== 'research-ngc').map((a) => a.name);
  if (WARMUP_JOBS > 0) drive(new SchedulerCore(cfg), seeded(SEED + 1), leaves, WARMUP_JOBS, WARMUP_PASSES);
  const core = new SchedulerCore(cfg);
  const rand = seeded(SEED);
  const before = heapAfterGc();
  const [submitMs, submitCpuMs] = submitAll(core, workload(rand, leaves, pending));
  // The workload's own specs are released (they lived in submitAll's frame): what is left is
  // what the core keeps per job.
  const bytesPerPending = (heapAfterGc() - before) / pending;

  const running: number[] = [];
  const passMs: number[] = [];
  let coreMs = 0;
  let coreCpuMs = 0;
  let placements = 0;
  let now = 0;
  for (let minute = 0; placements < pending && minute < MAX_PASSES; minute++) {
    // The passes of this instant: more than one when a pass stopped at the start cap.
    for (let again = true; again; ) {
      const c1 = cpuMs();
      const t1 = performance.now();
      const { decisions, wakeAt } = core.schedule(now);
      const dt = performance.now() - t1;
      coreCpuMs += cpuMs() - c1;
      passMs.push(dt);
      coreMs += dt;
      for (const d of decisions) {
        if (d.type === 'start') {
          placements++;
          running.push(d.taskId);
        } else if (d.type === 'preempt') placements--; // it will be placed again
      }
      again = wakeAt === now && placements < pending;
    }
    // Random completions: a tenth of what runs ends during the next simulated minute.
    now += 60_000;
    const ending = Math.max(1, Math.floor(running.length / 10));
    const c2 = cpuMs();
    const t2 = performance.now();
    for (let k = 0; k < ending && running.length > 0; k++) {
      const i = Math.floor(rand() * running.length);
      const id = running[i] as number;
      running[i] = running[running.length - 1] as number;
      running.pop();
      core.apply({ type: 'taskEnded', taskId: id, outcome: 'completed' }, now);
    }
    coreMs += performance.now() - t2;
    coreCpuMs += cpuMs() - c2;
  }
  passMs.sort((a, b) => a - b);
  return {
    pending,
    cluster: kind,
    cluster_cores: cfg.nodes.reduce((s, n) => s + n.cores, 0),
    nodes: cfg.nodes.length,
    submit_per_sec: pending / (submitMs / 1000),
    bytes_per_pending: bytesPerPending,
    passes: passMs.length,
    placements,
    placements_per_sec: placements / (coreMs / 1000),
    submit_per_cpu_sec: pending / (submitCpuMs / 1000),
    placements_per_cpu_sec: placements / (coreCpuMs / 1000),
    pass_ms_p50: percentile(passMs, 50),
    pass_ms_p99: percentile(passMs, 99),
    pass_ms_max: passMs[passMs.length - 1] as number,
  };
}

/** The targets for a row, by name; each is [figure, at least (1) or at most (-1), bound]. */
function targetsOf(row: RowSpec): Record<string, [keyof Run, 1 | -1, number]> {
  if (row.cluster === 'default' && row.pending === 1_000_000) {
    return {
      submit_per_sec: ['submit_per_sec', 1, 100_000],
      pass_ms_p99: ['pass_ms_p99', -1, 50],
      bytes_per_pending: ['bytes_per_pending', -1, 2048],
    };
  }
  if (row.cluster === 'default' && row.pending === 100_000) return { placements_per_sec: ['placements_per_sec', 1, 200_000] };
  if (row.cluster === 'ten-times') return { placements_per_sec: ['placements_per_sec', 1, 100_000] };
  return {};
}

function parent(picked: RowSpec[]): void {
  const scaling: Record<string, unknown>[] = [];
  for (const row of picked) {
    const runs: Run[] = [];
    for (let i = 0; i < row.repeats; i++) {
      const p = spawnSync(process.execPath, ['--expose-gc', compiledPath('bench/core.ts'), '--child', String(row.pending), row.cluster], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (p.status !== 0) throw new Error(`${row.pending}:${row.cluster} failed (exit ${p.status}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      runs.push(JSON.parse(p.stdout.trim().split('\n').pop() as string) as Run);
      const r = runs[i] as Run;
      process.stderr.write(`  ${row.pending}:${row.cluster} run ${i + 1}/${row.repeats}: ${Math.round(r.submit_per_sec)} submits/s, ${Math.round(r.placements_per_sec)} placements/s\n`);
    }
    const mid = (k: keyof Run): number => median(runs.map((r) => r[k] as number));
    const first = runs[0] as Run;
    const out: Record<string, unknown> = {
      pending: row.pending,
      cluster: row.cluster,
      cluster_cores: first.cluster_cores,
      nodes: first.nodes,
      submit_per_sec: mid('submit_per_sec'),
      placements_per_sec: mid('placements_per_sec'),
      pass_ms_p99: mid('pass_ms_p99'),
      bytes_per_pending: mid('bytes_per_pending'),
      submit_per_cpu_sec: mid('submit_per_cpu_sec'),
      placements_per_cpu_sec: mid('placements_per_cpu_sec'),
      pass_ms_p50: mid('pass_ms_p50'),
      pass_ms_max: mid('pass_ms_max'),
      passes: mid('passes'),
      placements: mid('placements'),
      repeats: runs.length,
    };
    const targets = targetsOf(row);
    out.targets = Object.fromEntries(Object.entries(targets).map(([k, [, dir, bound]]) => [k, dir === 1 ? `>= ${bound}` : `<= ${bound}`]));
    const met = ([k, dir, bound]: [keyof Run, 1 | -1, number]): boolean => (dir === 1 ? (out[k] as number) >= bound : (out[k] as number) <= bound);
    out.met = Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, met(t)]));
    out.meets_targets = Object.values(targets).every(met);
    out.runs = runs;
    scaling.push(out);
  }
  // Same events per second on one node of 100,000 cores as on the default cluster.
  const flat = scaling.find((r) => r.cluster === 'flat-100k');
  const base = scaling.find((r) => r.cluster === 'default' && r.pending === 100_000);
  const flatRatio = flat && base ? (flat.placements_per_sec as number) / (base.placements_per_sec as number) : null;

  const fmtTargets = (r: Record<string, unknown>): string => {
    const t = Object.entries(r.targets as Record<string, string>);
    if (r.cluster === 'flat-100k' && flatRatio !== null) return `${flatRatio.toFixed(2)}× the default's placements/s`;
    const met = r.met as Record<string, boolean>;
    return t.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v} ${met[k] ? 'met' : 'NOT met'}`).join('; ');
  };
  console.log(
    table([
      ['bench:core scaling (medians)', 'cluster cores', 'nodes', 'submits/s', 'placements/s', 'pass ms p99', 'bytes/pending', 'submits/CPU-s', 'placements/CPU-s', 'runs', 'targets'],
      ...scaling.map((r) => [
        `${(r.pending as number).toLocaleString('en-US')} pending, ${r.cluster}`,
        r.cluster_cores as number,
        r.nodes as number,
        Math.round(r.submit_per_sec as number),
        Math.round(r.placements_per_sec as number),
        r.pass_ms_p99 as number,
        Math.round(r.bytes_per_pending as number),
        Math.round(r.submit_per_cpu_sec as number),
        Math.round(r.placements_per_cpu_sec as number),
        r.repeats as number,
        fmtTargets(r),
      ]),
    ]),
  );
  const headline = base ?? scaling[0];
  const result = {
    // The default cluster at 100,000 pending, as before this bench had rows (bench:table reads these).
    tasks: headline?.pending ?? null,
    cluster_cores: headline?.cluster_cores ?? null,
    placements_per_sec: headline?.placements_per_sec ?? null,
    pass_ms_p50: headline?.pass_ms_p50 ?? null,
    pass_ms_p99: headline?.pass_ms_p99 ?? null,
    pass_ms_max: headline?.pass_ms_max ?? null,
    target_placements_per_sec: 200_000,
    target_pass_ms_p99: 50,
    max_passes: MAX_PASSES,
    flat_vs_default_placements: flatRatio,
    // The machine is shared: wall-clock rates mean little without the load they were taken under.
    host_load: loadavg().map((x) => Math.round(x * 100) / 100),
    host_cores: availableParallelism(),
    warmup_jobs: WARMUP_JOBS,
    scaling,
  };
  console.log(`host load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${availableParallelism()} cores)`);
  console.log(`wrote ${writeResult('core', result)}`);
}

function rowsFromArgs(args: string[]): RowSpec[] {
  if (args.length === 0) return ROWS;
  return args.map((a) => {
    const [p, c = 'default'] = a.split(':');
    const pending = Number(p);
    if (!Number.isInteger(pending) || pending < 1 || !KINDS.includes(c as ClusterKind)) {
      throw new Error(`a row is pending:cluster with a whole number and one of ${KINDS.join(', ')} (got ${a})`);
    }
    return { pending, cluster: c as ClusterKind, repeats: pending >= 1_000_000 ? Math.min(REPEATS, 2) : REPEATS };
  });
}

const args = process.argv.slice(2);
if (args[0] === '--child') process.stdout.write(JSON.stringify(runRow(Number(args[1]), args[2] as ClusterKind)) + '\n');
else parent(rowsFromArgs(args));
