import { describe, expect, it } from 'vitest';
import { createRng } from './prng.js';

describe('createRng', () => {
  it('is a function of seed and stream', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    const c = createRng(42, 1);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    const d = createRng(43);
    expect(Array.from({ length: 5 }, () => d.next())).not.toEqual(seqA);
  });

  it('draws uniforms in [0, 1) and integer exponentials with the asked mean', () => {
    const r = createRng(7);
    let sum = 0;
    let bad = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      const x = r.exponentialInt(1000);
      if (!(u >= 0 && u < 1) || !Number.isInteger(x) || x < 1) bad++;
      sum += x;
    }
    expect(bad).toBe(0);
    expect(sum / n).toBeGreaterThan(970);
    expect(sum / n).toBeLessThan(1030);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[r.int(4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
  });
});
