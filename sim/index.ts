// The simulator's public surface: other packages (cli/, bench/) import from here only.
export { SimEngine, fanOut, type SchedulingCore, type Submission, type SimObserver, type EngineOptions, type FailureModel, type SimOutcome, type Progress, type EndedJob, type StopReason } from './engine/index.js';
export { forecast, type Forecast, type ForecastOptions, type JobForecast } from './engine/index.js';
export { EventHeap, type Timed } from './engine/index.js';
export { createRng, type Rng } from './engine/index.js';
export { SWF_FIELDS, parseSwf, readSwfFile, formatSwf, type SwfField, type SwfJob, type SwfHeader, type SwfTrace } from './swf/format.js';
export { swfReplay, scheduleAsSwf, type SwfReplay, type ReplayOptions } from './swf/replay.js';
export { MetricsCollector, HEAT_RECOVERY_FRACTION, BSLD_TAU_MS, type MetricsOptions, type JobRecord, type SimMetrics, type SimSeries } from './metrics/collector.js';
export { DownsampledSeries, type SeriesPoints } from './metrics/series.js';
export { distribution, percentileSorted, cdfSample, type Distribution } from './metrics/stats.js';
export { runSwf, type SwfRunOptions, type SwfRunResult } from './run/swf.js';
export { runNgc, ngcSubmissions, URGENT_QOS, type NgcRunOptions, type NgcRunResult } from './run/ngc.js';
export { comparePowerSave, powerFigures, powerSaveRows, type PowerSaveComparison, type PowerFigures } from './run/power-save.js';
export { findCapacity, p95Allowance, MODELLED_PER_DAY, MAX_SPAN_YEARS, DEFAULT_ALL_TARGET_HOURS, SPAN_FACTOR, type CapacityOptions, type CapacityProbe, type CapacityResult } from './run/capacity.js';
export { baseSummary, ngcSummary, summaryTable, type Summary, type SummaryValue } from './run/summary.js';
export { ngcWorkload, NGC_CLASSES, type WorkloadItem, type NgcOptions } from './workload/index.js';
export { renderReport, type SimReportInput } from './report/index.js';
export { replayJournal, type JournalReplay, type ReplayedRecord, type ReplayCore, type Divergence } from './replay/journal.js';
export { SimError, SwfError, SimOptionError, SimInvariantError } from './errors.js';
