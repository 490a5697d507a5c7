// bench:core — the scheduling core alone on the default cluster: 100,000 pending tasks of
// mixed sizes, scheduling passes with random completions in between until all are placed.
import { performance } from 'node:perf_hooks';
import { loadClusterConfig } from '../common/index.js';
import { SchedulerCore, type JobSpec } from '../scheduler/core/index.js';
import { percentile, seeded, table, writeResult } from './stats.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const SEED = 42;
const HOUR = 3_600_000;

function workload(rand: () => number, accounts: string[]): JobSpec[] {
  const sizes = [1, 1, 2, 4, 4, 8, 8, 16, 24, 32, 64];
  const jobs: JobSpec[] = [];
  for (let i = 0; i < TASKS; i++) {
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

function run(): Record<string, number> {
  const cfg = loadClusterConfig();
  const core = new SchedulerCore(cfg);
  const rand = seeded(SEED);
  const leaves = cfg.accounts.filter((a) => !cfg.accounts.some((b) => b.parent === a.name) && a.name !== 'research-ngc').map((a) => a.name);
  const jobs = workload(rand, leaves);
  for (const job of jobs) {
    const r = core.apply({ type: 'submit', job }, 0);
    if (!r.ok) throw new Error(r.error.message);
  }
  const running: number[] = [];
  const passMs: number[] = [];
  let coreMs = 0;
  let placements = 0;
  let now = 0;
  while (placements < TASKS) {
    const t0 = performance.now();
    const { decisions } = core.schedule(now);
    const dt = performance.now() - t0;
    passMs.push(dt);
    coreMs += dt;
    for (const d of decisions) {
      if (d.type === 'start') {
        placements++;
        running.push(d.taskId);
      } else if (d.type === 'preempt') placements--; // it will be placed again
    }
    // Random completions: a tenth of what runs ends during the next simulated minute.
    now += 60_000;
    const ending = Math.max(1, Math.floor(running.length / 10));
    const t1 = performance.now();
    for (let k = 0; k < ending && running.length > 0; k++) {
      const i = Math.floor(rand() * running.length);
      const id = running[i] as number;
      running[i] = running[running.length - 1] as number;
      running.pop();
      core.apply({ type: 'taskEnded', taskId: id, outcome: 'completed' }, now);
    }
    coreMs += performance.now() - t1;
  }
  passMs.sort((a, b) => a - b);
  return {
    tasks: TASKS,
    passes: passMs.length,
    placements,
    core_ms: coreMs,
    placements_per_sec: placements / (coreMs / 1000),
    pass_ms_p50: percentile(passMs, 50),
    pass_ms_p99: percentile(passMs, 99),
    pass_ms_max: passMs[passMs.length - 1] as number,
    first_pass_ms: 0,
  };
}

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const runs = Array.from({ length: repeats }, run);
const mid = (k: string) => percentile(runs.map((r) => r[k] as number).sort((a, b) => a - b), 50);
const result = {
  tasks: TASKS,
  cluster_cores: 17_280,
  repeats,
  passes: mid('passes'),
  placements_per_sec: mid('placements_per_sec'),
  pass_ms_p50: mid('pass_ms_p50'),
  pass_ms_p99: mid('pass_ms_p99'),
  pass_ms_max: mid('pass_ms_max'),
  target_placements_per_sec: 100_000,
  target_pass_ms_p99: 50,
  runs,
};
console.log(
  table([
    ['bench:core (median of ' + repeats + ')', 'value', 'target'],
    ['pending tasks', TASKS, ''],
    ['scheduling passes', result.passes, ''],
    ['placements/s (core time)', result.placements_per_sec, '>= 100,000'],
    ['pass ms p50', result.pass_ms_p50, ''],
    ['pass ms p99', result.pass_ms_p99, '<= 50'],
    ['pass ms max', result.pass_ms_max, ''],
  ]),
);
console.log(`wrote ${writeResult('core', result)}`);
