// Reads Prometheus text exposition: a counter's value and a histogram's quantiles, the way
// PromQL's histogram_quantile estimates them (linear within the bucket that holds the rank).

export interface Bucket {
  /** Upper bound (le); Infinity for +Inf. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

function labelsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== name || m[3] === undefined) continue;
    const v = m[3] === '+Inf' ? Infinity : Number(m[3]);
    out.push({ labels: labelsOf(m[2]), value: v });
  }
  return out;
}

/** Sum of a metric's samples whose labels include `match` (e.g. a counter across its labels). */
export function metricSum(text: string, name: string, match: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** A histogram's cumulative buckets, summed over any other labels, sorted by bound. */
export function histogramBuckets(text: string, name: string): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of samples(text, `${name}_bucket`)) {
    const raw = s.labels.le;
    if (raw === undefined) continue;
    const le = raw === '+Inf' ? Infinity : Number(raw);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** Bucket-wise difference `after - before`: the observations made between two scrapes. */
export function bucketDelta(after: Bucket[], before: Bucket[]): Bucket[] {
  const prev = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) }));
}

/**
 * The q-quantile (0..1) estimated from cumulative buckets; null with no observations. A rank
 * in the +Inf bucket returns the largest finite bound, as PromQL does.
 */
export function histogramQuantile(buckets: Bucket[], q: number): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower;
      const inBucket = b.count - below;
      return inBucket === 0 ? b.le : lower + ((b.le - lower) * (rank - below)) / inBucket;
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

/** The bucket bound that contains the q-quantile: a guaranteed upper bound for it. */
export function quantileUpperBound(buckets: Bucket[], q: number): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  return buckets.find((b) => b.count >= q * total)?.le ?? null;
}
