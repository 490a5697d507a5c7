// The pass test's interval (bench:metrics): the sign test's ranks, checked against binomial
// tails worked out by hand.
import { describe, expect, it } from 'vitest';
import { percentileSorted } from '../common/index.js';
import { medianCi, pooledPercentileRatioCi, seededRandom } from './stats.js';

const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('medianCi', () => {
  it('takes the k-th smallest and largest values, k the largest rank with P(Bin(n, ½) < k) ≤ 2.5%', () => {
    // n = 20: P(X ≤ 5) = 2.07%, P(X ≤ 6) = 5.77%: k = 6.
    expect(medianCi(ranks(20))).toEqual({ median: 10.5, lo: 6, hi: 15, level: 0.95 });
    // n = 10: P(X ≤ 1) = 1.07%, P(X ≤ 2) = 5.47%: k = 2.
    expect(medianCi(ranks(10))).toMatchObject({ lo: 2, hi: 9 });
    // n = 6: P(X ≤ 0) = 1.56%: the extremes.
    expect(medianCi(ranks(6))).toMatchObject({ lo: 1, hi: 6 });
  });

  it('sorts its input and gives none for too few values', () => {
    expect(medianCi([9, 1, 8, 2, 7, 3, 6, 4, 5, 10])).toMatchObject({ median: 5.5, lo: 2, hi: 9 });
    expect(medianCi(ranks(5))).toBeNull();
    expect(medianCi([])).toBeNull();
  });
});

describe('pooledPercentileRatioCi', () => {
  const side = (scale: number, n: number): number[] => Array.from({ length: n }, (_, i) => scale * (1 + i / n));
  it('compares the pooled percentiles, with an interval around the ratio that narrows as pairs agree', () => {
    const alike = Array.from({ length: 10 }, (_, k) => ({ a: side(1.1, 100), b: side(1 + (k % 2) * 0.001, 100) }));
    const r = pooledPercentileRatioCi(alike, 99);
    expect(r?.ratio).toBeGreaterThan(0.09);
    expect(r?.ratio).toBeLessThan(0.1);
    expect(r?.lo).toBeGreaterThan(0.09);
    expect(r?.hi).toBeLessThan(0.101);
  });

  it('widens with pairs that disagree, is the same for the same data, and needs 2 pairs', () => {
    // Two pairs of ten hold A's whole tail: draws without them see no difference at all.
    const spread = Array.from({ length: 10 }, (_, k) => ({ a: side(k < 2 ? 2 : 1, 100), b: side(1, 100) }));
    const r = pooledPercentileRatioCi(spread, 99);
    expect((r?.hi ?? 0) - (r?.lo ?? 0)).toBeGreaterThan(0.3);
    expect(pooledPercentileRatioCi(spread, 99)).toEqual(r);
    expect(pooledPercentileRatioCi(spread.slice(0, 1), 99)).toBeNull();
  });

  it("is the pooled draw's nearest-rank percentile, as sorting every draw would give", () => {
    const rnd = seededRandom(7);
    // Ties (values on a coarse grid) and pairs of unequal sizes.
    const pairs = Array.from({ length: 9 }, (_, k) => ({ a: Array.from({ length: 50 + k * 7 }, () => Math.round(rnd() * 40) / 4), b: Array.from({ length: 80 - k * 5 }, () => Math.round(rnd() * 40) / 4) }));
    const sorted = (draw: number[], side: 'a' | 'b'): number[] => draw.flatMap((i) => (pairs[i] as (typeof pairs)[number])[side]).sort((x, y) => x - y);
    for (const q of [1, 50, 90, 99, 100]) {
      const r = pooledPercentileRatioCi(pairs, q, 1);
      const all = pairs.map((_, i) => i);
      expect(r?.ratio).toBe(percentileSorted(sorted(all, 'a'), q / 100) / percentileSorted(sorted(all, 'b'), q / 100) - 1);
      // The bootstrap's draws, redone by sorting: the same interval.
      const draws: number[] = [];
      const g = seededRandom(12);
      for (let t = 0; t < 200; t++) {
        const draw = Array.from({ length: pairs.length }, () => Math.floor(g() * pairs.length));
        draws.push(percentileSorted(sorted(draw, 'a'), q / 100) / percentileSorted(sorted(draw, 'b'), q / 100) - 1);
      }
      draws.sort((x, y) => x - y);
      const ci = pooledPercentileRatioCi(pairs, q, 200);
      expect([ci?.lo, ci?.hi]).toEqual([percentileSorted(draws, 0.025), percentileSorted(draws, 0.975)]);
    }
  });
});

