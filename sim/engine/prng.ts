// Seeded randomness for the simulator (never Math.random): a run is a function of its seed.
// sfc32 (Chris Doty-Humphrey's small fast counter) seeded through splitmix32: 32-bit state words,
// passes PractRand to many GB, and streams from nearby seeds are uncorrelated.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Exponential with the given mean, rounded to a whole number ≥ 1 (integer ms in the engine). */
  exponentialInt(mean: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed` and an optional `stream` (e.g. a node index): independent sequences. */
export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32(); // discard the warm-up outputs
  const next = (): number => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    exponentialInt: (mean) => Math.max(1, Math.round(-Math.log(1 - next()) * mean)),
  };
}
