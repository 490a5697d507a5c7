// The workload's shapes, shared by the generator and the public surface (index.ts).
import type { ConsentStatus, JobSpec, Ms } from '../../scheduler/core/index.js';

/** One analysis to submit at `submitAt`. */
export interface WorkloadItem {
  submitAt: Ms;
  job: JobSpec;
  /** The seed of the job's modelled durations: `buildAnalysis({class, pseudonyms, account, lab, seed})` rebuilds the same job. */
  seed: number;
  /** Consent events the engine applies just before the submit. */
  consent?: { pseudonym: string; status: ConsentStatus }[];
}

export interface NgcOptions {
  analyses: number;
  seed: number;
  scenario: 'steady' | 'burst';
  /**
   * Overrides the modelled rate: constant mean arrivals per day (same weekday/hour shape, no
   * ramp-up), for capacity search. The span is then analyses / perDay days and `years` is ignored.
   */
  perDay?: number;
  /** Span of the modelled arrivals, default 4.5 (the first year ramps up). */
  years?: number;
}
