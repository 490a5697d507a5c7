// The NGC workload model: public surface for the simulator engine and the report.
import { CLASSES, Dag } from '../../scheduler/pipelines/index.js';
import { WorkloadOptionError } from './errors.js';
import { generateNgc } from './generate.js';
import type { NgcOptions, WorkloadItem } from './types.js';

export type { NgcOptions, WorkloadItem } from './types.js';

const MAX_ANALYSES = 10_000_000;
const MAX_YEARS = 100;

/**
 * The NGC workload: `analyses` analyses sorted by submitAt (ms from t = 0, Wednesday 1 May 2019),
 * generated lazily and reproducibly from `seed`; `burst` submits them all at 0. Each iteration
 * starts afresh and yields the same items. Options are checked at once (WorkloadOptionError).
 */
export function ngcWorkload(opts: NgcOptions): Iterable<WorkloadItem> {
  const checked = validate(opts);
  return { [Symbol.iterator]: () => generateNgc(checked) };
}

/** The JobSpec.class values used. */
export const NGC_CLASSES: readonly string[] = CLASSES.map((c) => c.name);

/** Per class: share of analyses, modelled mean core-hours and task count of a typical analysis. */
export function describeNgcModel(): { classes: { name: string; share: number; coreHours: number; tasks: number; urgent: boolean }[] } {
  return {
    classes: CLASSES.map((c) => {
      const dag = new Dag(null);
      const samples = c.patients.kind === 'research' ? (c.patients.min + c.patients.max) / 2 : 1;
      c.pipeline(dag, { rng: null, samples });
      return { name: c.name, share: c.share, coreHours: dag.coreHours(), tasks: dag.tasks.length, urgent: c.qos === 'urgent' };
    }),
  };
}

function validate(raw: unknown): NgcOptions {
  if (typeof raw !== 'object' || raw === null) throw new WorkloadOptionError('options', raw, 'an object');
  const o = raw as Record<string, unknown>;
  const { analyses, seed, scenario, perDay, years } = o;
  if (typeof analyses !== 'number' || !Number.isInteger(analyses) || analyses < 1 || analyses > MAX_ANALYSES) {
    throw new WorkloadOptionError('analyses', analyses, `an integer from 1 to ${MAX_ANALYSES}`);
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new WorkloadOptionError('seed', seed, 'an integer');
  if (scenario !== 'steady' && scenario !== 'burst') throw new WorkloadOptionError('scenario', scenario, '"steady" or "burst"');
  const out: NgcOptions = { analyses, seed, scenario };
  if (perDay !== undefined) {
    if (typeof perDay !== 'number' || !Number.isFinite(perDay) || perDay <= 0) {
      throw new WorkloadOptionError('perDay', perDay, 'a number of analyses per day greater than 0');
    }
    // The span is analyses / perDay days; keep it within the same bound as `years`.
    if (analyses / perDay > MAX_YEARS * 365.25) {
      throw new WorkloadOptionError('perDay', perDay, `at least ${(analyses / (MAX_YEARS * 365.25)).toPrecision(3)} (analyses / perDay must span at most ${MAX_YEARS} years)`);
    }
    out.perDay = perDay;
  }
  if (years !== undefined) {
    if (typeof years !== 'number' || !Number.isFinite(years) || years <= 0 || years > MAX_YEARS) {
      throw new WorkloadOptionError('years', years, `a number of years greater than 0 and at most ${MAX_YEARS}`);
    }
    out.years = years;
  }
  return out;
}
