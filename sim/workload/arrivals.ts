// When analyses arrive: a rate that ramps up over the centre's first year and follows the week
// (sequencers and lab shifts: busy weekday working hours, runs finishing overnight, quiet weekends).
// Exactly n arrival times are drawn from that rate, lazily and in order, as the order statistics
// of n uniforms mapped through the rate's cumulative curve.
import type { Ms } from '../../scheduler/core/index.js';
import { HOUR_MS, type Rng } from '../../scheduler/pipelines/index.js';

export const DAY_MS: Ms = 24 * HOUR_MS;
const WEEK_HOURS = 168;

/** t = 0 is Wednesday 1 May 2019 00:00 (Danish time), when the National Genome Center was founded. */
export const EPOCH_ISO = '2019-05-01T00:00:00+02:00';
/** Weekday of t = 0, Monday = 0. */
export const EPOCH_WEEKDAY = 2;

/** Relative arrivals per weekday, Monday first (assumption: samples are prepared and loaded on weekdays). */
export const DAY_FACTORS: readonly number[] = [1, 1, 1, 1, 1, 0.3, 0.2];
/**
 * Relative arrivals per hour of day (assumption): sequencing runs finish around the clock and start
 * processing automatically (the night floor); demultiplexing and most submissions follow the lab's
 * day shift, 08-16.
 */
export const HOUR_FACTORS: readonly number[] = [
  0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.7, 0.7, // 00-07
  1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, // 08-15
  1.2, 1.2, 1.2, 1.2, 0.5, 0.5, 0.5, 0.5, // 16-23
];
/** Arrival rate at t = 0 relative to the rate after the ramp (assumption). */
export const RAMP_START = 0.1;
export const RAMP_MS: Ms = 365 * DAY_MS;

/** Relative rate for each hour of the week (Monday 00:00 first). */
const WEEK: Float64Array = (() => {
  const w = new Float64Array(WEEK_HOURS);
  for (let h = 0; h < WEEK_HOURS; h++) w[h] = (DAY_FACTORS[Math.floor(h / 24)] ?? 0) * (HOUR_FACTORS[h % 24] ?? 0);
  return w;
})();
const WEEK_SUM = WEEK.reduce((s, x) => s + x, 0);

export function weekdayOf(t: Ms): number {
  return (Math.floor(t / DAY_MS) + EPOCH_WEEKDAY) % 7;
}
export function hourOf(t: Ms): number {
  return Math.floor(t / HOUR_MS) % 24;
}

/** The cumulative arrival curve over whole hours [0, hours), walked forward only. */
export class ArrivalCurve {
  readonly total: number;
  private hour = 0;
  private before = 0; // cumulative weight of hours [0, hour)

  constructor(
    private readonly hours: number,
    private readonly rampHours: number,
  ) {
    this.total = this.cumulative(hours);
  }

  weight(h: number): number {
    const shape = WEEK[(h + EPOCH_WEEKDAY * 24) % WEEK_HOURS] as number;
    if (h >= this.rampHours) return shape;
    return shape * (RAMP_START + ((1 - RAMP_START) * (h + 0.5)) / this.rampHours);
  }

  /** Cumulative weight of hours [0, end): the ramp hour by hour, then whole weeks at once. */
  private cumulative(end: number): number {
    let s = 0;
    let h = 0;
    for (; h < end && (h < this.rampHours || (h + EPOCH_WEEKDAY * 24) % WEEK_HOURS !== 0); h++) s += this.weight(h);
    const weeks = Math.floor((end - h) / WEEK_HOURS);
    s += weeks * WEEK_SUM;
    for (h += weeks * WEEK_HOURS; h < end; h++) s += this.weight(h);
    return s;
  }

  /** The time at which the cumulative weight reaches `target` (targets must not decrease between calls). */
  at(target: number): Ms {
    for (;;) {
      const w = this.weight(this.hour);
      if (this.before + w >= target || this.hour >= this.hours - 1) {
        const frac = Math.min(1, Math.max(0, (target - this.before) / w));
        return Math.floor((this.hour + frac) * HOUR_MS);
      }
      // Whole weeks at a time once the ramp is over (long capacity-search horizons).
      const aligned = this.hour >= this.rampHours && (this.hour + EPOCH_WEEKDAY * 24) % WEEK_HOURS === 0;
      if (aligned && this.before + WEEK_SUM < target && this.hour + WEEK_HOURS < this.hours) {
        this.before += WEEK_SUM;
        this.hour += WEEK_HOURS;
      } else {
        this.before += w;
        this.hour++;
      }
    }
  }
}

/** n arrival times in [0, hours) following the curve, ascending, generated one at a time. */
export function* arrivalTimes(n: number, hours: number, rampHours: number, rng: Rng): Generator<Ms, void, void> {
  const curve = new ArrivalCurve(hours, rampHours);
  let u = 0;
  for (let i = 0; i < n; i++) {
    // The minimum of the n - i uniforms still to come, each uniform on (u, 1).
    u = 1 - (1 - u) * Math.pow(rng.open(), 1 / (n - i));
    yield curve.at(u * curve.total);
  }
}

/** The next weekday working morning (09:00-13:00) at or after t: when batches are submitted. */
export function nextWorkingMorning(t: Ms, rng: Rng): Ms {
  let day = Math.floor(t / DAY_MS);
  if (t - day * DAY_MS > 9 * HOUR_MS) day++;
  while ((day + EPOCH_WEEKDAY) % 7 >= 5) day++;
  return day * DAY_MS + 9 * HOUR_MS + Math.floor(rng.next() * 4 * HOUR_MS);
}
