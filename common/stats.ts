// The one percentile of gsched: nearest rank. Every p50/p95/p99 a bench, the simulator or a
// report prints is an observed value (never interpolated between two), so a figure can be
// found in the data it summarises.

/**
 * Nearest-rank percentile of an ascending array: the smallest value with at least a fraction
 * `q` (0..1) of the data at or below it, i.e. element ceil(q·n) counting from 1 (clamped to
 * 1..n). 0 for no data.
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[rank - 1]!;
}
