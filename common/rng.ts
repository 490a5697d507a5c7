// The one seeded PRNG of gsched (never Math.random): sfc32 (Chris Doty-Humphrey's small fast
// counter; passes PractRand to many GB) with independent numbered streams, so that changing how
// one part of a model draws numbers (say, task durations) does not shift another (arrival
// times). Two ways to seed it, each kept so that recorded runs stay exact: `new Rng(seed,
// stream)` (the workload model, pipeline templates) and `Rng.splitmix(seed, stream)` (the
// simulator engine's node failures). The kernels' synthetic genomes, reads and variants use the
// numbered streams too (stream 0 of the data spec's seed, each artefact its own salted seed).

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box-Muller's second value, valid while `hasSpare`: a plain number field (null mixed with
   * doubles made every store of one allocate a fresh number, once per two normal draws). */
  private spare = 0;
  private hasSpare = false;

  /**
   * `seed` is any safe integer; `stream` separates independent sequences of one seed.
   * `seeding` picks how the state words come from them (see the top of this file).
   */
  constructor(seed: number, stream: number, seeding: 'streams' | 'splitmix' = 'streams') {
    if (seeding === 'splitmix') {
      const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
      this.a = mix();
      this.b = mix();
      this.c = mix();
      this.d = mix();
      for (let i = 0; i < 12; i++) this.u32();
      return;
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    this.a = mix(lo ^ 0x9e3779b9);
    this.b = mix(hi ^ 0x85ebca6b);
    this.c = mix(stream ^ 0xc2b2ae35);
    this.d = mix(lo + hi + stream + 1);
    for (let i = 0; i < 16; i++) this.u32(); // warm up: sfc32 mixes its state slowly at first
  }

  /** The simulator engine's seeding: splitmix32 of seed and stream, 12 draws discarded. */
  static splitmix(seed: number, stream = 0): Rng {
    return new Rng(seed, stream, 'splitmix');
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 0x1_0000_0000;
  }

  /** Uniform in (0, 1]: safe for logarithms and powers. */
  open(): number {
    return (this.u32() + 1) / 0x1_0000_0000;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi], both ends included. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, keeping the second value). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.open()));
    const th = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(th);
    this.hasSpare = true;
    return r * Math.cos(th);
  }

  /** Exponential with the given mean, rounded to a whole number ≥ 1 (integer ms in the engine). */
  exponentialInt(mean: number): number {
    return Math.max(1, Math.round(-Math.log(1 - this.next()) * mean));
  }

  /** Lognormal with mean 1 and log-sd `sigma`, clamped to [lo, hi] so a task never outruns its limit. */
  spread(sigma: number, lo: number, hi: number): number {
    const x = Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
    return x < lo ? lo : x > hi ? hi : x;
  }
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

/** A 32-bit finaliser (murmur3 fmix32). */
function mix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A stable 32-bit hash of two integers (for opaque pseudonym suffixes). */
export function hash2(x: number, y: number): number {
  return mix(mix(x ^ 0x27d4eb2f) + (y | 0)) >>> 0;
}
