// Small helpers shared by the bench scripts: percentiles, tables, JSON output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, percentileSorted, renderTable } from '../common/index.js';

/** The `p`th percentile (0..100) of an ascending array: common/'s nearest rank; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : percentileSorted(sorted, p / 100);
}

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The median of the values present (a run may have measured nothing); null when none are. */
export function medianPresent(values: readonly (number | null)[]): number | null {
  const present = values.filter((x): x is number => x !== null);
  return present.length === 0 ? null : median(present);
}

/** A positive number from the environment (a whole one with `integer`), or `dflt` when unset or empty. */
export function envNumber(name: string, dflt: number, { integer = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`${name}=${raw}: expected a positive ${integer ? 'integer' : 'number'}`);
  return v;
}

export function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/** The first row is the header; the first column is left-aligned, the rest right (common/'s formatter). */
export function table(rows: (string | number)[][]): string {
  const [head = [], ...body] = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  return renderTable(head.map((h, i) => ({ header: h, align: i === 0 ? 'left' : 'right' })), body).trimEnd();
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toLocaleString('en-US', { maximumFractionDigits: 0 }) : n.toPrecision(3);
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...data, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
  return file;
}

/**
 * The median of `values` with a distribution-free confidence interval (the sign test's: the
 * k-th smallest and k-th largest values, k the largest rank with P(Binomial(n, ½) < k) ≤ (1 −
 * level)/2). It assumes only that the values are independent draws from one distribution;
 * the interval is null when there are too few values for the level (fewer than 6 at 95%).
 */
export function medianCi(values: readonly number[], level = 0.95): { median: number; lo: number; hi: number; level: number } | null {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  const alpha = (1 - level) / 2;
  // P(X ≤ j) for X ~ Binomial(n, ½), summed from the pmf (n is at most a few hundred here).
  let pmf = 0.5 ** n;
  let cdf = 0;
  let k = 0;
  for (let j = 0; j < n; j++) {
    cdf += pmf; // P(X ≤ j)
    if (cdf > alpha) break;
    k = j + 1; // P(X < k) = P(X ≤ j) ≤ alpha
    pmf = (pmf * (n - j)) / (j + 1);
  }
  if (k === 0) return null;
  return { median: median(s), lo: s[k - 1] as number, hi: s[n - k] as number, level };
}

/** A small seeded generator (mulberry32): a bootstrap that gives the same interval for the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The `q`th percentile of all of side A's samples against all of side B's (A/B − 1), with a
 * 95% interval from a cluster bootstrap: the pairs (each a set of A samples and a set of B
 * samples measured side by side) are drawn with replacement, `resamples` times, and the
 * statistic recomputed on each draw; the interval is the 2.5th and 97.5th percentiles of those.
 * It keeps what varies between pairs (the machine's load moving) in the interval, which
 * treating every sample as independent would not. Null for fewer than 2 pairs.
 */
export function pooledPercentileRatioCi(
  pairs: readonly { a: readonly number[]; b: readonly number[] }[],
  q: number,
  resamples = 2000,
  seed = 12,
): { ratio: number; lo: number; hi: number } | null {
  // Each side's samples sorted once, each tagged with its pair; a draw's percentile is then a
  // walk of that one order counting each sample as often as its pair was drawn (from the end
  // nearer the rank), not a sort of the draw: the same value, in a fraction of the time.
  const n = pairs.length;
  if (n < 2) return null;
  const a = weightedOrder(pairs.map((p) => p.a));
  const b = weightedOrder(pairs.map((p) => p.b));
  const stat = (draw: readonly number[]): number => {
    const times = new Float64Array(pairs.length);
    for (const i of draw) times[i] = (times[i] ?? 0) + 1;
    return a.percentile(times, q / 100) / b.percentile(times, q / 100) - 1;
  };
  const ratio = stat(pairs.map((_, i) => i));
  const rnd = seededRandom(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) draws.push(stat(Array.from({ length: n }, () => Math.floor(rnd() * n))));
  draws.sort((x, y) => x - y);
  return { ratio, lo: percentile(draws, 2.5), hi: percentile(draws, 97.5) };
}

/** Samples from several groups in one ascending order; percentiles of any multiset of the groups. */
function weightedOrder(groups: readonly (readonly number[])[]): { percentile(times: Float64Array, q: number): number } {
  let total = 0;
  for (const g of groups) total += g.length;
  const values = new Float64Array(total);
  const owner = new Int32Array(total);
  let k = 0;
  groups.forEach((g, i) => {
    for (const v of g) {
      values[k] = v;
      owner[k++] = i;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i).sort((x, y) => (values[x] as number) - (values[y] as number));
  const v = Float64Array.from(order, (i) => values[i] as number);
  const o = Int32Array.from(order, (i) => owner[i] as number);
  return {
    /** percentileSorted's nearest rank over the groups, group i counted times[i] times. */
    percentile(times: Float64Array, q: number): number {
      let n = 0;
      groups.forEach((g, i) => (n += g.length * (times[i] as number)));
      if (n === 0) return 0;
      const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
      if (rank <= n / 2) {
        for (let i = 0, seen = 0; i < total; i++) if ((seen += times[o[i] as number] as number) >= rank) return v[i] as number;
      } else {
        const fromTop = n - rank + 1;
        for (let i = total - 1, seen = 0; i >= 0; i--) if ((seen += times[o[i] as number] as number) >= fromTop) return v[i] as number;
      }
      return v[total - 1] as number;
    },
  };
}
