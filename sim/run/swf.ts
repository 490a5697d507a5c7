// Replaying a Standard Workload Format trace through the real scheduling core.
import { flatClusterConfig, SchedulerCore, type Policy } from '../../scheduler/core/index.js';
import { SimEngine, type EngineOptions, type Progress, type SimOutcome } from '../engine/index.js';
import { MetricsCollector, type JobRecord, type SimMetrics, type SimSeries } from '../metrics/collector.js';
import type { SwfTrace } from '../swf/format.js';
import { swfReplay, type ReplayOptions, type SwfReplay } from '../swf/replay.js';

export interface SwfRunOptions extends ReplayOptions {
  policy: Policy;
  /**
   * Equal-time event order and scheduling frequency. The default is pyss's (submissions before
   * terminations, a pass after every event), which reproduces its published KTH-SP2 results.
   */
  tieOrder?: EngineOptions['tieOrder'];
  schedulePer?: EngineOptions['schedulePer'];
  /** Keep one record per job (needed to write the schedule back as SWF). */
  keepJobs?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface SwfRunResult {
  replay: SwfReplay;
  outcome: SimOutcome;
  metrics: SimMetrics;
  series: SimSeries;
  records: JobRecord[];
  /** Wall-clock seconds of the simulation itself (the trace already parsed). */
  wallS: number;
}

export function runSwf(trace: SwfTrace, file: string, opts: SwfRunOptions): SwfRunResult {
  const t0 = performance.now();
  const replay = swfReplay(trace, file, opts);
  const config = flatClusterConfig(replay.maxProcs, opts.policy);
  const metrics = new MetricsCollector(config, { keepJobs: opts.keepJobs ?? false });
  const engineOpts: EngineOptions = {
    tieOrder: opts.tieOrder ?? 'submits-first',
    schedulePer: opts.schedulePer ?? 'event',
    observer: metrics,
  };
  if (opts.onProgress) engineOpts.onProgress = opts.onProgress;
  const outcome = new SimEngine(new SchedulerCore(config), engineOpts).run(replay.items);
  return {
    replay,
    outcome,
    metrics: metrics.metrics(),
    series: metrics.series(),
    records: metrics.jobRecords,
    wallS: (performance.now() - t0) / 1000,
  };
}
