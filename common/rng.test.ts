import { describe, expect, it } from 'vitest';
import { hash2, Rng } from './rng.js';

// Recorded from the two generators this one replaced (the workload model's and the simulator
// engine's), so every seeded run made before the merge draws the same numbers after it.
describe('Rng', () => {
  it('reproduces the workload model\'s sequences (new Rng(seed, stream))', () => {
    const r = new Rng(2026, 3);
    const out = [r.next(), r.next(), r.next(), r.next(), r.normal(), r.spread(0.3, 0.5, 2), r.int(97), hash2(5, 9)];
    expect(out).toEqual([0.2603154624812305, 0.0657291179522872, 0.464924342231825, 0.9110468882136047, 1.1849651950877687, 0.5607721712207161, 62, 3857373704]);
  });

  it('reproduces the simulator engine\'s sequences (Rng.splitmix(seed, stream))', () => {
    const r = Rng.splitmix(2026, 3);
    const out = [r.next(), r.next(), r.next(), r.next(), r.exponentialInt(1000), r.exponentialInt(1000), r.exponentialInt(1000), r.int(97), r.int(97), r.int(97)];
    expect(out).toEqual([0.5388753395527601, 0.6480605686083436, 0.8304655672982335, 0.38918078294955194, 545, 656, 739, 89, 40, 19]);
  });

  it('draws integers in [lo, hi] with both ends reachable, and separates streams of one seed', () => {
    const r = new Rng(7, 0);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.range(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    const a = new Rng(42, 1);
    const b = new Rng(42, 2);
    expect([a.u32(), a.u32()]).not.toEqual([b.u32(), b.u32()]);
  });
});
