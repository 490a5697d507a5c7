// Where the wall time of bench:sim's ngc-steady-60k run goes, outside the scheduling core: the
// workload generator, the metrics collector, and the end-of-run figures. The same run as
// runNgc's (seed 1, steady, the default cluster), in fresh child processes, alternating:
//   full     the run as bench:sim times it, with the time spent inside the workload's next()
//            (generating the analysis just submitted) and in metrics()/series() taken apart;
//   bare     the same without the metrics collector (no observer at all).
// The collector's cost is the difference of the medians. Process start and module loading are
// outside bench:sim's figure (it starts timing in runNgc) and outside these.
//   node dist/bench/sim-parts.js [pairs=5] [analyses=60000]
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { compiledPath, loadClusterConfig } from '../common/index.js';
import { SchedulerCore } from '../scheduler/core/index.js';
import { MetricsCollector, ngcSubmissions, SimEngine, type SimObserver, type Submission } from '../sim/index.js';
import { median, round, table } from './stats.js';

type Mode = 'full' | 'bare';

interface Sample {
  mode: Mode;
  wallS: number;
  cpuS: number;
  /** Inside the workload iterator's next(): generating the analyses. */
  generateS: number;
  /** metrics() and series() after the run (full only). */
  figuresS: number;
  events: number;
}

/** Child mode: one run, one JSON line. */
function child(mode: Mode, analyses: number): void {
  const cluster = loadClusterConfig();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const metrics = mode === 'full' ? new MetricsCollector(cluster) : null;
  const observer: SimObserver = metrics ?? {};
  const inner = ngcSubmissions({ analyses, seed: 1, scenario: 'steady' });
  let generateMs = 0;
  const timed: Iterable<Submission> = {
    [Symbol.iterator]: () => {
      const it = inner[Symbol.iterator]();
      return {
        next: () => {
          const a = performance.now();
          const r = it.next();
          generateMs += performance.now() - a;
          return r;
        },
      };
    },
  };
  const outcome = new SimEngine(new SchedulerCore(cluster), { observer, progressEvery: 5_000 }).run(timed);
  const t1 = performance.now();
  if (metrics) {
    metrics.metrics();
    metrics.series();
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const s: Sample = {
    mode,
    wallS: (t2 - t0) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    generateS: generateMs / 1000,
    figuresS: (t2 - t1) / 1000,
    events: outcome.events,
  };
  process.stdout.write(JSON.stringify(s) + '\n');
}

function parent(pairs: number, analyses: number): void {
  const samples: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    for (const mode of ['full', 'bare'] as const) {
      const p = spawnSync(process.execPath, [compiledPath('bench/sim-parts.ts'), '--child', mode, String(analyses)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${mode} run failed (exit ${p.status}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const s = JSON.parse(p.stdout.trim().split('\n').pop()!) as Sample;
      samples.push(s);
      process.stderr.write(`  pair ${i + 1}/${pairs} ${mode}: ${s.wallS.toFixed(3)} s wall, ${s.cpuS.toFixed(3)} s CPU, generating ${s.generateS.toFixed(3)} s\n`);
    }
  }
  const of = (m: Mode, k: 'wallS' | 'cpuS' | 'generateS' | 'figuresS'): number => median(samples.filter((s) => s.mode === m).map((s) => s[k]));
  const full = of('full', 'wallS');
  const share = (x: number): string => `${round((100 * x) / full, 1)}%`;
  const collector = full - of('bare', 'wallS');
  const rows: (string | number)[][] = [
    ['part (medians)', 'wall s', 'of the full run'],
    ['full run (as bench:sim)', round(full, 3), '100%'],
    ['generating the workload', round(of('full', 'generateS'), 3), share(of('full', 'generateS'))],
    ['metrics collector (full - bare)', round(collector, 3), share(collector)],
    ['metrics() + series() at the end', round(of('full', 'figuresS'), 3), share(of('full', 'figuresS'))],
    ['bare run (no collector)', round(of('bare', 'wallS'), 3), share(of('bare', 'wallS'))],
  ];
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(`CPU s median: full ${round(of('full', 'cpuS'), 3)}, bare ${round(of('bare', 'cpuS'), 3)}; ${pairs} alternated pairs, ${analyses.toLocaleString('en-US')} analyses\n`);
  process.stdout.write(`host load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} (${availableParallelism()} cores)\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') child(args[1] === 'bare' ? 'bare' : 'full', Number(args[2] ?? 60_000));
else parent(Number(args[0] ?? 5), Number(args[1] ?? 60_000));
