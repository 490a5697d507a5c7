// The NGC scenarios: the modelled genome-analysis workload on the centre's cluster.
//   steady    arrivals as modelled over the period
//   burst     every analysis submitted at t = 0; the figure of merit is the makespan
//   capacity  the highest sustained rate (analyses/day) at which urgent clinical work still
//             turns around within a target (p95), found by doubling then bisection
import { SchedulerCore, type ClusterConfig } from '../../scheduler/core/index.js';
import { SimEngine, type EngineOptions, type FailureModel, type Progress, type SimOutcome, type Submission } from '../engine/engine.js';
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
  const engineOpts: EngineOptions = { observer: metrics, failures: opts.failures ?? null };
  if (opts.onProgress) engineOpts.onProgress = opts.onProgress;
  let workload: Iterable<Submission>;
  try {
    workload = ngcWorkload({
      analyses: opts.analyses,
      seed: opts.seed,
      scenario: opts.scenario,
      ...(opts.perDay !== undefined ? { perDay: opts.perDay } : {}),
    });
  } catch (err) {
    // The model checks its own options; report its refusal as ours so callers see one error family.
    throw new SimError('WORKLOAD_OPTION', (err as Error).message);
  }
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

/** The centre's planned mean rate: 60,000 analyses over 4.5 years (≈ 36.5 a day). */
export const MODELLED_PER_DAY = 60_000 / (4.5 * 365.25);

/** The slowest rate the capacity search tries: `analyses` spread over this many years. */
export const MAX_SPAN_YEARS = 50;

export interface CapacityOptions extends Omit<NgcRunOptions, 'scenario' | 'perDay'> {
  /** p95 turnaround of urgent analyses must stay under this many hours. */
  targetHours: number;
  /** First rate tried (analyses/day); default MODELLED_PER_DAY. */
  startPerDay?: number;
  /** Stop when the bracket is this tight, relative (default 0.02). */
  tolerance?: number;
  /** Most simulations run (default 16). */
  maxRuns?: number;
  onProbe?: (p: CapacityProbe) => void;
}

export interface CapacityProbe {
  perDay: number;
  urgentP95H: number | null;
  ok: boolean;
  wallS: number;
}

export interface CapacityResult {
  /** Highest rate that met the target (0 when even the lowest probe failed). */
  perDay: number;
  /** Lowest rate that missed it (null when no probe failed within the limit). */
  failedAtPerDay: number | null;
  targetHours: number;
  probes: CapacityProbe[];
  /** The run at `perDay` (null when no rate met the target). */
  best: NgcRunResult | null;
}

export function findCapacity(opts: CapacityOptions): CapacityResult {
  checkAnalyses(opts.analyses);
  if (!(opts.targetHours > 0) || !Number.isFinite(opts.targetHours)) throw new SimOptionError('targetHours', opts.targetHours, 'a positive number of hours');
  const tolerance = opts.tolerance ?? 0.02;
  const maxRuns = opts.maxRuns ?? 16;
  const probes: CapacityProbe[] = [];
  let best: NgcRunResult | null = null;
  const probe = (perDay: number): boolean => {
    const { targetHours, startPerDay: _s, tolerance: _t, maxRuns: _m, onProbe: _o, ...base } = opts;
    const r = runNgc({ ...base, scenario: 'steady', perDay });
    // No urgent analyses at all means nothing missed the target.
    const ok = r.outcome.jobsUnfinished === 0 && (r.urgentP95H === null || r.urgentP95H <= targetHours);
    const p = { perDay, urgentP95H: r.urgentP95H, ok, wallS: r.wallS };
    probes.push(p);
    opts.onProbe?.(p);
    // Each passing probe is above every earlier pass (the bracket only moves up on success).
    if (ok) best = r;
    return ok;
  };
  let lo = 0;
  let hi: number | null = null;
  let rate = opts.startPerDay ?? MODELLED_PER_DAY;
  // Bracket: double while the target holds, halve while it does not.
  if (probe(rate)) {
    lo = rate;
    while (probes.length < maxRuns) {
      rate *= 2;
      if (probe(rate)) lo = rate;
      else {
        hi = rate;
        break;
      }
    }
  } else {
    hi = rate;
    // Halve, but not past one run spanning MAX_SPAN_YEARS: below that the answer is "none".
    while (probes.length < maxRuns && lo === 0 && opts.analyses / (rate / 2) <= MAX_SPAN_YEARS * 365.25) {
      rate /= 2;
      if (probe(rate)) lo = rate;
      else hi = rate;
    }
  }
  // Bisect the bracket.
  while (hi !== null && lo > 0 && probes.length < maxRuns && (hi - lo) / lo > tolerance) {
    const mid = (lo + hi) / 2;
    if (probe(mid)) lo = mid;
    else hi = mid;
  }
  return { perDay: lo, failedAtPerDay: hi, targetHours: opts.targetHours, probes, best };
}
