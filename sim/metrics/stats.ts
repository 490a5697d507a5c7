// Small order statistics over plain number arrays (sorted once, read many times). Percentiles
// are common/'s nearest rank.
import { percentileSorted } from '../../common/index.js';

export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export { percentileSorted };

export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  return s / n;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    mean: mean(sorted),
    p50: percentileSorted(sorted, 0.5),
    p95: percentileSorted(sorted, 0.95),
    p99: percentileSorted(sorted, 0.99),
    max: sorted.length === 0 ? 0 : sorted[sorted.length - 1]!,
  };
}

/** At most `max` evenly spaced order statistics of `values` (ascending): enough to draw a CDF. */
export function cdfSample(values: readonly number[], max: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n <= max) return Array.from(sorted);
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(sorted[Math.round((i * (n - 1)) / (max - 1))]!);
  return out;
}
