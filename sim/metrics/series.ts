// A piecewise-constant signal (cores busy, queue depth) averaged into at most `maxPoints` equal
// time buckets, without knowing the run's length in advance: when the buckets run out, adjacent
// pairs merge and the width doubles. Memory stays O(maxPoints) for any run.
import type { Ms } from '../../scheduler/core/index.js';

export interface SeriesPoints {
  /** Bucket start, ms since the series' origin (the run's first submission). */
  t: number[];
  /** Time-weighted mean of the signal over the bucket. */
  v: number[];
}

export class DownsampledSeries {
  private origin: Ms | null = null;
  private width: Ms;
  /** Integral of the signal (value × ms) per bucket. */
  private sums: number[] = [];
  private covered: Ms = 0;

  constructor(
    private readonly maxPoints = 2000,
    initialWidthMs: Ms = 1000,
  ) {
    if (!(maxPoints >= 2)) throw new RangeError('maxPoints must be at least 2');
    this.width = initialWidthMs;
  }

  /** The signal held `value` from `from` to `to` (calls come in time order). */
  add(from: Ms, to: Ms, value: number): void {
    if (to <= from) return;
    if (this.origin === null) this.origin = from;
    const a = from - this.origin;
    const b = to - this.origin;
    while (Math.ceil(b / this.width) > this.maxPoints) this.halve();
    let x = a;
    while (x < b) {
      const k = Math.floor(x / this.width);
      const end = Math.min(b, (k + 1) * this.width);
      while (this.sums.length <= k) this.sums.push(0);
      this.sums[k]! += value * (end - x);
      x = end;
    }
    this.covered = Math.max(this.covered, b);
  }

  private halve(): void {
    const merged: number[] = [];
    for (let i = 0; i < this.sums.length; i += 2) merged.push(this.sums[i]! + (this.sums[i + 1] ?? 0));
    this.sums = merged;
    this.width *= 2;
  }

  points(): SeriesPoints {
    const t: number[] = [];
    const v: number[] = [];
    this.sums.forEach((sum, k) => {
      const start = k * this.width;
      const span = Math.min(this.width, this.covered - start);
      if (span <= 0) return;
      t.push(start);
      v.push(sum / span);
    });
    return { t, v };
  }
}
