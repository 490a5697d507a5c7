// `gsched sim`: replay an SWF trace or run an NGC scenario through the real scheduling core in
// virtual time, and print what happened (a table, or one JSON object with --json).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, type Policy } from '../../scheduler/core/index.js';
import { loadClusterConfig, renderTable } from '../../common/index.js';
import {
  baseSummary,
  comparePowerSave,
  powerFigures,
  powerSaveRows,
  type NgcRunOptions,
  DEFAULT_ALL_TARGET_HOURS,
  findCapacity,
  formatSwf,
  ngcSummary,
  readSwfFile,
  renderReport,
  runNgc,
  runSwf,
  scheduleAsSwf,
  SimError,
  summaryTable,
  type NgcRunResult,
  type Progress,
  type SimMetrics,
  type SimSeries,
  type Summary,
} from '../../sim/index.js';
import { CliError } from '../errors.js';

const POLICIES: readonly Policy[] = ['easy', 'fcfs', 'conservative'];
const SCENARIOS = ['steady', 'burst', 'capacity'] as const;
const TIE_ORDERS = ['submits-first', 'ends-first'] as const;
const HOUR = 3_600_000;

interface SimFlags {
  swf?: string;
  workload?: string;
  policy?: string;
  scenario: string;
  analyses: string;
  seed: string;
  cluster?: string;
  targetHours: string;
  allTargetHours: string;
  mtbfHours?: string;
  mttrHours: string;
  tieOrder: string;
  json?: boolean;
  out?: string;
  report?: string;
  powerSave?: boolean;
}

export function registerSimCommands(program: Command): void {
  program
    .command('sim')
    .description('simulate in virtual time: replay an SWF trace (--swf) or run the NGC workload (--workload ngc)')
    .option('--swf <file>', 'Standard Workload Format trace to replay on a flat machine of MaxProcs processors')
    .option('--policy <policy>', `scheduling policy: ${POLICIES.join('|')} (--swf default easy; --workload default: the cluster file's)`)
    .option('--tie-order <order>', `for --swf, equal-time event order: ${TIE_ORDERS.join('|')} (submits-first also schedules after every event, as pyss)`, 'submits-first')
    .option('--out <file>', 'with --swf: write the simulated schedule as SWF (wait times filled in)')
    .option('--workload <name>', 'synthetic workload to run: ngc')
    .option('--scenario <name>', `NGC scenario: ${SCENARIOS.join('|')}`, 'steady')
    .option('--analyses <n>', 'number of analyses', '60000')
    .option('--seed <s>', 'random seed (a whole number)', '1')
    .option('--cluster <file>', 'cluster configuration (default: scheduler/config/cluster.default.json)')
    .option('--target-hours <h>', 'capacity: p95 turnaround target of urgent clinical analyses', '48')
    .option('--all-target-hours <h>', 'capacity: p95 turnaround bound for all analyses (what keeps a rate sustainable)', String(DEFAULT_ALL_TARGET_HOURS))
    .option('--mtbf-hours <h>', 'NGC: random node failures with this mean time between failures per node')
    .option('--mttr-hours <h>', 'NGC: mean time to repair a failed node', '4')
    .option('--power-save', "NGC steady|burst: run it with and without power saving (the cluster's powerSave section, or the defaults) and report both side by side")
    .option('--json', 'print one JSON object instead of a table')
    .option('--report <file>', 'write a self-contained HTML report')
    .action((flags: SimFlags) => {
      try {
        runCommand(flags);
      } catch (err) {
        if (err instanceof SimError || err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
    });
}

function runCommand(flags: SimFlags): void {
  if ((flags.swf === undefined) === (flags.workload === undefined)) {
    throw new CliError('sim needs exactly one of --swf FILE or --workload ngc', 2);
  }
  if (flags.swf !== undefined) runTrace(flags.swf, flags);
  else runWorkload(flags);
}

function runTrace(file: string, flags: SimFlags): void {
  const policy = oneOf(flags.policy ?? 'easy', POLICIES, '--policy');
  const tieOrder = oneOf(flags.tieOrder, TIE_ORDERS, '--tie-order');
  const trace = readSwfFile(file);
  const progress = progressBar(trace.jobs.length);
  const result = runSwf(trace, file, {
    policy,
    tieOrder,
    schedulePer: tieOrder === 'submits-first' ? 'event' : 'timestamp',
    keepJobs: flags.out !== undefined,
    onProgress: progress.update,
  });
  progress.done();
  if (flags.out !== undefined) {
    const header = [
      ' Computer: gsched simulator',
      ` MaxProcs: ${result.replay.maxProcs}`,
      ` Note: replay of ${file} under policy ${policy}, tie order ${tieOrder}`,
    ];
    writeOut(flags.out, formatSwf({ header: { comments: header }, jobs: scheduleAsSwf(result.replay, result.records) }));
  }
  const summary: Summary = {
    source: file,
    policy,
    ...baseSummary(result.metrics, result.outcome, result.wallS),
    skipped: result.replay.skipped.length,
  };
  if (flags.report !== undefined) writeReport(flags.report, `gsched sim: ${file} (${policy})`, summary, result.metrics, result.series);
  print(summary, flags.json === true);
}

function runWorkload(flags: SimFlags): void {
  if (flags.workload !== 'ngc') throw new CliError(`--workload is "${flags.workload}", expected ngc`, 2);
  const scenario = oneOf(flags.scenario, SCENARIOS, '--scenario');
  const analyses = wholeNumber(flags.analyses, '--analyses', 1);
  const seed = wholeNumber(flags.seed, '--seed', Number.MIN_SAFE_INTEGER);
  const loaded = loadClusterConfig(flags.cluster);
  const cluster =
    flags.policy === undefined ? loaded : { ...loaded, scheduler: { ...loaded.scheduler, policy: oneOf(flags.policy, POLICIES, '--policy') } };
  const failures =
    flags.mtbfHours === undefined
      ? null
      : { mtbfMs: positive(flags.mtbfHours, '--mtbf-hours') * HOUR, mttrMs: positive(flags.mttrHours, '--mttr-hours') * HOUR, seed };
  const base = { analyses, seed, cluster, failures };

  if (scenario === 'capacity' && flags.powerSave === true) throw new CliError('--power-save compares one run with and without power saving: use it with --scenario steady or burst', 2);
  if (scenario === 'capacity') {
    const targetHours = positive(flags.targetHours, '--target-hours');
    const allTargetHours = positive(flags.allTargetHours, '--all-target-hours');
    const tty = process.stderr.isTTY === true;
    const cap = findCapacity({
      ...base,
      targetHours,
      allTargetHours,
      onProbe: (p) => {
        if (!tty) return;
        const h = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)} h`);
        process.stderr.write(`  ${p.perDay.toFixed(1)} analyses/day: p95 urgent ${h(p.urgentP95H)}, all ${h(p.allP95H)}: ${p.ok ? 'sustained' : p.stoppedEarly ? 'over target (stopped early)' : 'over target'}\n`);
      },
    });
    const summary: Summary = {
      scenario,
      analyses,
      seed,
      target_hours: targetHours,
      all_target_hours: allTargetHours,
      capacity_per_day: Math.round(cap.perDay * 100) / 100,
      failed_at_per_day: cap.failedAtPerDay === null ? null : Math.round(cap.failedAtPerDay * 100) / 100,
      probes: cap.probes.length,
      inconclusive: cap.inconclusive ? 'yes: the arrivals span too few days to show overload; run more --analyses' : 'no',
      ...(cap.best ? ngcResultSummary(cap.best) : {}),
    };
    const out = flags.json ? { ...summary, probe_runs: cap.probes } : summary;
    if (flags.report !== undefined && cap.best) writeReport(flags.report, `gsched sim: NGC capacity (${analyses} analyses, seed ${seed})`, summary, cap.best.metrics, cap.best.series);
    print(out as Summary, flags.json === true);
    return;
  }

  if (flags.powerSave === true) {
    runPowerSave(flags, { ...base, scenario });
    return;
  }
  const progress = progressBar(analyses);
  const result = runNgc({ ...base, scenario, onProgress: progress.update });
  progress.done();
  const summary: Summary = { scenario, analyses, seed, policy: cluster.scheduler.policy, ...ngcResultSummary(result) };
  if (flags.report !== undefined) writeReport(flags.report, `gsched sim: NGC ${scenario} (${analyses} analyses, seed ${seed})`, summary, result.metrics, result.series);
  print(summary, flags.json === true);
}

/**
 * `--power-save`: the scenario without, then with power saving; the summary is the run with it,
 * plus both sides' energy, heat and p95 turnarounds (`without_power_save`, `with_power_save`).
 */
function runPowerSave(flags: SimFlags, opts: NgcRunOptions): void {
  // One bar per run: it fills twice.
  const progress = progressBar(opts.analyses);
  const c = comparePowerSave({ ...opts, onProgress: progress.update });
  progress.done();
  const figures = (r: NgcRunResult): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(powerFigures(r))) if (v !== null) out[k] = v;
    return out;
  };
  const summary: Summary = {
    scenario: opts.scenario,
    analyses: opts.analyses,
    seed: opts.seed,
    policy: opts.cluster.scheduler.policy,
    energy_saved: Math.round(c.energySaved * 1000) / 1000,
    without_power_save: figures(c.off),
    with_power_save: figures(c.on),
    ...ngcResultSummary(c.on),
  };
  const rows = powerSaveRows(c);
  if (flags.report !== undefined) writeReport(flags.report, `gsched sim: NGC ${opts.scenario} with power saving (${opts.analyses} analyses, seed ${opts.seed})`, summary, c.on.metrics, c.on.series, rows);
  if (flags.json === true) return print(summary, true);
  process.stdout.write(renderTable([{ header: 'POWER SAVING' }, { header: 'WITHOUT', align: 'right' }, { header: 'WITH', align: 'right' }], rows) + '\n');
  print(summary, false);
}

function ngcResultSummary(r: NgcRunResult): Summary {
  return { ...ngcSummary(r.metrics, r.outcome, r.wallS), urgent_p95_turnaround_h: r.urgentP95H === null ? null : Math.round(r.urgentP95H * 1000) / 1000 };
}

function writeReport(path: string, title: string, summary: Summary, m: SimMetrics, s: SimSeries, powerSave?: [string, string, string][]): void {
  const flat: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(summary)) if (typeof v === 'number' || typeof v === 'string') flat[k] = v;
  writeOut(
    path,
    renderReport({
      title,
      summary: flat,
      utilization: s.utilization,
      queueDepth: s.queueDepth,
      waitsByClass: s.waitsByClass,
      perContainerUtilization: m.utilizationByContainer,
      ...(powerSave ? { powerSave } : {}),
    }),
  );
}

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, 2);
  }
}

function print(summary: Summary, json: boolean): void {
  process.stdout.write(json ? JSON.stringify(summary) + '\n' : summaryTable(summary));
}

function oneOf<T extends string>(v: string, options: readonly T[], flag: string): T {
  if (!(options as readonly string[]).includes(v)) throw new CliError(`${flag} is "${v}", expected one of ${options.join(', ')}`, 2);
  return v as T;
}

function wholeNumber(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`${flag} is "${v}", expected a whole number${min === 1 ? ' greater than 0' : ''}`, 2);
  }
  return n;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`${flag} is "${v}", expected a positive number`, 2);
  return n;
}

/** A one-line bar on stderr, drawn only when stderr is a terminal (never in pipes or logs). */
function progressBar(total: number): { update: (p: Progress) => void; done: () => void } {
  if (process.stderr.isTTY !== true || total <= 0) return { update: () => {}, done: () => {} };
  let drawn = false;
  return {
    update: (p) => {
      const frac = Math.min(1, p.jobsEnded / total);
      const width = 30;
      const fill = Math.round(frac * width);
      const days = (p.now / 86_400_000).toFixed(1);
      process.stderr.write(`\r[${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%  day ${days}  ${p.events.toLocaleString('en-US')} events`);
      drawn = true;
    },
    done: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}
