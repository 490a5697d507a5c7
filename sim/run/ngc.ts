// The NGC scenarios: the modelled genome-analysis workload on the centre's cluster.
//   steady    arrivals as modelled over the period
//   burst     every analysis submitted at t = 0; the figure of merit is the makespan
//   capacity  see capacity.ts
import { SchedulerCore, type ClusterConfig } from '../../scheduler/core/index.js';
import { fanOut, SimEngine, type EngineOptions, type FailureModel, type Progress, type SimObserver, type SimOutcome, type Submission } from '../engine/index.js';
import { SimError, SimOptionError } from '../errors.js';
import { MetricsCollector, type SimMetrics, type SimSeries } from '../metrics/collector.js';
import { ngcWorkload } from '../workload/index.js';

/** QoS of urgent clinical analyses (the capacity scenario's target applies to these). */
export const URGENT_QOS = 'urgent';

export interface NgcRunOptions {
  analyses: number;
  seed: number;
  scenario: 'steady' | 'burst';
  /** Constant mean arrivals per day instead of the modelled pattern (capacity search). */
  perDay?: number;
  cluster: ClusterConfig;
  failures?: FailureModel | null;
  onProgress?: (p: Progress) => void;
  /** Ends the run early when it returns true (asked every `progressEvery` events). */
  stopWhen?: (p: Progress) => boolean;
  /** Watches the run beside the metrics collector. */
  observer?: SimObserver;
}

export interface NgcRunResult {
  outcome: SimOutcome;
  metrics: SimMetrics;
  series: SimSeries;
  /** p95 turnaround of urgent clinical analyses, hours (null when there were none). */
  urgentP95H: number | null;
  wallS: number;
}

export function checkAnalyses(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new SimOptionError('analyses', n, 'a positive whole number');
  return n;
}

export function runNgc(opts: NgcRunOptions): NgcRunResult {
  checkAnalyses(opts.analyses);
  if (!Number.isInteger(opts.seed)) throw new SimOptionError('seed', opts.seed, 'a whole number');
  if (opts.perDay !== undefined && !(opts.perDay > 0 && Number.isFinite(opts.perDay))) {
    throw new SimOptionError('perDay', opts.perDay, 'a positive number of analyses per day');
  }
  const t0 = performance.now();
  const metrics = new MetricsCollector(opts.cluster);
  const engineOpts: EngineOptions = {
    observer: opts.observer ? fanOut(metrics, opts.observer) : metrics,
    failures: opts.failures ?? null,
    progressEvery: 5_000,
  };
  if (opts.onProgress) engineOpts.onProgress = opts.onProgress;
  if (opts.stopWhen) engineOpts.stopWhen = opts.stopWhen;
  const workload = ngcSubmissions(opts);
  const outcome = new SimEngine(new SchedulerCore(opts.cluster), engineOpts).run(workload);
  const m = metrics.metrics();
  const urgent = m.turnaroundByQos[URGENT_QOS];
  return {
    outcome,
    metrics: m,
    series: metrics.series(),
    urgentP95H: urgent && urgent.count > 0 ? urgent.p95 / 3600 : null,
    wallS: (performance.now() - t0) / 1000,
  };
}

/** The NGC model's submissions for these options. */
export function ngcSubmissions(opts: Pick<NgcRunOptions, 'analyses' | 'seed' | 'scenario' | 'perDay'>): Iterable<Submission> {
  try {
    return ngcWorkload({
      analyses: opts.analyses,
      seed: opts.seed,
      scenario: opts.scenario,
      ...(opts.perDay !== undefined ? { perDay: opts.perDay } : {}),
    });
  } catch (err) {
    // The model checks its own options; report its refusal as ours so callers see one error family.
    throw new SimError('WORKLOAD_OPTION', (err as Error).message);
  }
}
