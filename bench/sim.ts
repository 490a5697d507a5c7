// Simulator benchmark: KTH-SP2 replays (EASY, FCFS) and the steady and burst 60,000-analysis NGC scenarios.
// Each run happens in a fresh child process, so peak RSS is that scenario's own. The machine is
// shared and noisy: every scenario runs several times and the table quotes medians, with CPU
// time next to wall time (CPU time is what contention does not inflate).
//   npm run bench:sim                     all scenarios
//   node dist/bench/sim.js kth-easy       some of them
//   SIM_REPEATS=1 node dist/bench/sim.js ngc-burst-60k   fewer runs of each
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { compiledPath, loadClusterConfig, packageRoot, renderTable } from '../common/index.js';
import { median, round } from './stats.js';
import { readSwfFile, runNgc, runSwf, type SimMetrics, type SimOutcome } from '../sim/index.js';

interface Scenario {
  name: string;
  what: string;
  repeats: number;
  /** Targets from the issue: wall seconds and RSS MiB. */
  target: { wallS?: number; rssMiB?: number };
  run: () => { outcome: SimOutcome; metrics: SimMetrics; wallS: number; extra: Record<string, number | null> };
}

const KTH = (): string => join(packageRoot(), 'sim', 'traces', 'KTH-SP2.swf');

const SCENARIOS: Scenario[] = [
  {
    name: 'kth-easy',
    what: 'KTH-SP2 replay, EASY (28,481 jobs, 100 procs)',
    repeats: 5,
    target: { wallS: 1 },
    run: () => kth('easy'),
  },
  {
    name: 'kth-fcfs',
    what: 'KTH-SP2 replay, FCFS',
    repeats: 5,
    target: {},
    run: () => kth('fcfs'),
  },
  {
    name: 'ngc-steady-60k',
    what: 'NGC steady, 60,000 analyses over 4.5 years, 17,280 cores',
    // Five runs: a median of three moved by a second when one run met a busy neighbour.
    repeats: 5,
    target: { wallS: 5, rssMiB: 1024 },
    run: () => {
      const r = runNgc({ analyses: 60_000, seed: 1, scenario: 'steady', cluster: loadClusterConfig() });
      return {
        ...r,
        extra: {
          tasks: r.outcome.tasksStarted,
          analyses_completed: r.metrics.states.COMPLETED ?? 0,
          urgent_p95_turnaround_h: r.urgentP95H,
          utilization: r.metrics.utilization,
          energy_mwh: r.metrics.energyMwh,
          heat_recovered_mwh: r.metrics.heatRecoveredMwh,
          preemptions: r.metrics.preemptions,
        },
      };
    },
  },
  {
    name: 'ngc-burst-60k',
    what: 'NGC burst, all 60,000 analyses at t = 0, 17,280 cores',
    // About a minute or two per run: three, not five.
    repeats: 3,
    target: { wallS: 30, rssMiB: 1024 },
    run: () => {
      const r = runNgc({ analyses: 60_000, seed: 1, scenario: 'burst', cluster: loadClusterConfig() });
      return {
        ...r,
        extra: {
          tasks: r.outcome.tasksStarted,
          analyses_completed: r.metrics.states.COMPLETED ?? 0,
          // The schedule's own figures: a faster simulator must reproduce them to the last digit.
          makespan_s: r.metrics.makespanS,
          mean_turnaround_s: r.metrics.turnaround.mean,
          urgent_p95_turnaround_h: r.urgentP95H,
          utilization: r.metrics.utilization,
          energy_mwh: r.metrics.energyMwh,
          heat_recovered_mwh: r.metrics.heatRecoveredMwh,
          preemptions: r.metrics.preemptions,
        },
      };
    },
  },
];

function kth(policy: 'easy' | 'fcfs'): ReturnType<Scenario['run']> {
  // Parsing is part of what a user waits for: time it with the replay.
  const t0 = performance.now();
  const trace = readSwfFile(KTH());
  const r = runSwf(trace, 'KTH-SP2.swf', { policy });
  return {
    outcome: r.outcome,
    metrics: r.metrics,
    wallS: (performance.now() - t0) / 1000,
    extra: {
      avg_wait_s: r.metrics.wait.mean,
      avg_flow_s: r.metrics.flow.mean,
      avg_bsld: r.metrics.bsld.mean,
      max_bsld: r.metrics.bsld.max,
      utilization: r.metrics.utilization,
    },
  };
}

interface Sample {
  wallS: number;
  cpuS: number;
  events: number;
  eventsPerS: number;
  rssMiB: number;
  extra: Record<string, number | null>;
}

/** Child mode: run one scenario once and print one JSON line. */
function child(name: string): void {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}`);
  const cpu0 = process.cpuUsage();
  const r = s.run();
  const cpu = process.cpuUsage(cpu0);
  const sample: Sample = {
    wallS: r.wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    events: r.outcome.events,
    eventsPerS: r.outcome.events / r.wallS,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    extra: r.extra,
  };
  process.stdout.write(JSON.stringify(sample) + '\n');
}

/** Children run the compiled script, also when this module is the .ts source under vitest. */
function thisScript(): string {
  return compiledPath('bench/sim.ts');
}

function parent(names: string[]): void {
  const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
  if (chosen.length === 0) throw new Error(`no such scenario; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const results: Record<string, unknown>[] = [];
  for (const s of chosen) {
    const samples: Sample[] = [];
    const repeats = process.env.SIM_REPEATS === undefined ? s.repeats : Math.max(1, Number(process.env.SIM_REPEATS));
    for (let i = 0; i < repeats; i++) {
      const p = spawnSync(process.execPath, [thisScript(), '--child', s.name], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (p.status !== 0) throw new Error(`${s.name} failed (exit ${p.status}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      samples.push(JSON.parse(p.stdout.trim().split('\n').pop()!) as Sample);
      process.stderr.write(`  ${s.name} run ${i + 1}/${repeats}: ${samples[i]!.wallS.toFixed(3)} s wall, ${samples[i]!.cpuS.toFixed(3)} s CPU\n`);
    }
    const wallS = median(samples.map((x) => x.wallS));
    const rssMiB = median(samples.map((x) => x.rssMiB));
    results.push({
      scenario: s.name,
      what: s.what,
      runs: samples.length,
      wall_s_median: round(wallS, 3),
      wall_s_min: round(Math.min(...samples.map((x) => x.wallS)), 3),
      cpu_s_median: round(median(samples.map((x) => x.cpuS)), 3),
      events: samples[0]!.events,
      events_per_s_median: Math.round(median(samples.map((x) => x.eventsPerS))),
      peak_rss_mib_median: round(rssMiB, 1),
      target_wall_s: s.target.wallS ?? null,
      target_rss_mib: s.target.rssMiB ?? null,
      meets_target: (s.target.wallS === undefined || wallS <= s.target.wallS) && (s.target.rssMiB === undefined || rssMiB <= s.target.rssMiB),
      ...Object.fromEntries(Object.entries(samples[0]!.extra).map(([k, v]) => [k, v === null ? null : round(v, 4)])),
    });
  }
  const cols = ['scenario', 'wall_s_median', 'cpu_s_median', 'events', 'events_per_s_median', 'peak_rss_mib_median', 'meets_target'] as const;
  const head = ['scenario', 'wall s (med)', 'CPU s (med)', 'events', 'events/s', 'RSS MiB', 'target'];
  const rows = results.map((r) => cols.map((c) => (typeof r[c] === 'number' ? (r[c] as number).toLocaleString('en-US') : String(r[c]))));
  process.stdout.write(renderTable(head.map((h, i) => ({ header: h, align: i === 0 ? 'left' : 'right' })), rows, { rule: true }));
  process.stdout.write(`host load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${availableParallelism()} cores)\n`);
  const out = join(packageRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  // A run of some scenarios replaces their entries and keeps the others' (each says when it ran).
  const file = join(out, 'sim.json');
  const kept = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, unknown>[] }).results ?? []) : [];
  const date = new Date().toISOString();
  const load = loadavg().map((x) => round(x, 2));
  const fresh: Record<string, unknown>[] = results.map((r) => ({ ...r, date, host_load: load }));
  const merged: Record<string, unknown>[] = [...kept.filter((k) => !fresh.some((r) => r.scenario === k.scenario)), ...fresh];
  merged.sort((a, b) => SCENARIOS.findIndex((x) => x.name === a.scenario) - SCENARIOS.findIndex((x) => x.name === b.scenario));
  const doc = { bench: 'sim', node: process.version, platform: `${process.platform}-${process.arch}`, date, results: merged };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write(`wrote ${join('bench', 'results', 'sim.json')}\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') child(args[1] ?? '');
else parent(args);
