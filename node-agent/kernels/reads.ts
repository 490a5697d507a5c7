// Paired-end read simulator: fragments drawn from the two haplotypes, 150 bp mates in FR
// orientation, Illumina-like substitution errors rising towards the 3' end (worse on r2) and
// base qualities calibrated to the error actually drawn. The true reference position of each
// mate is encoded in the read name so any aligner's output can be scored.
import type { Contig } from './fasta.js';
import type { Read } from './fastq.js';
import { Rng } from '../../common/index.js';
import type { Haplotype } from './variants.js';

export interface ReadSpec {
  seed: number;
  pairs: number;
  readLen?: number;
  fragMean?: number;
  fragSd?: number;
}

export interface ReadPairs {
  r1: Read[];
  r2: Read[];
}

/** Truth encoded in a simulated read name: `<i>:<contig>:<pos1>:<pos2>` (1-based leftmost of r1, r2). */
export interface ReadTruth {
  contig: string;
  pos1: number;
  pos2: number;
}

export function parseReadTruth(name: string): ReadTruth | null {
  const parts = name.split(':');
  if (parts.length < 4) return null;
  const pos2 = Number(parts[parts.length - 1]);
  const pos1 = Number(parts[parts.length - 2]);
  if (!Number.isInteger(pos1) || !Number.isInteger(pos2)) return null;
  return { contig: parts.slice(1, -2).join(':'), pos1, pos2 };
}

const COMP = (() => {
  const t = new Uint8Array(256).fill(78);
  t[65] = 84;
  t[67] = 71;
  t[71] = 67;
  t[84] = 65;
  return t;
})();
const BASES = [65, 67, 71, 84];

export function simulateReads(ref: Contig, haps: readonly [Haplotype, Haplotype], spec: ReadSpec): ReadPairs {
  const rng = new Rng(spec.seed, 1); // stream 1: reads
  const len = spec.readLen ?? 150;
  const mean = spec.fragMean ?? 400;
  const sd = spec.fragSd ?? 50;
  const r1: Read[] = [];
  const r2: Read[] = [];
  const dec = new TextDecoder();
  const fwd = new Uint8Array(len);
  const rev = new Uint8Array(len);
  const q1 = new Uint8Array(len);
  const q2 = new Uint8Array(len);
  let attempts = 0;
  while (r1.length < spec.pairs) {
    if (++attempts > spec.pairs * 20 + 1000) throw new Error('read simulation: reference too short or too many N for the fragment size');
    const hap = haps[rng.int(2)]!;
    const frag = Math.max(len, Math.round(mean + sd * rng.normal()));
    if (hap.seq.length < frag) continue;
    const s = rng.int(hap.seq.length - frag + 1);
    if (hasN(hap.seq, s, s + frag)) continue;
    const e = s + frag;
    for (let i = 0; i < len; i++) {
      fwd[i] = hap.seq[s + i]!;
      rev[i] = COMP[hap.seq[e - 1 - i]!]!;
    }
    // Mate 1 comes from either strand of the fragment, as in a real library.
    const flip = rng.chance(0.5);
    addErrors(flip ? rev : fwd, q1, rng, 1);
    addErrors(flip ? fwd : rev, q2, rng, 1.6);
    const pf = hap.toRef[s]! + 1;
    const pr = hap.toRef[e - len]! + 1;
    const name = `${r1.length}:${ref.name}:${flip ? pr : pf}:${flip ? pf : pr}`;
    r1.push({ name, seq: dec.decode(flip ? rev : fwd), qual: dec.decode(q1) });
    r2.push({ name, seq: dec.decode(flip ? fwd : rev), qual: dec.decode(q2) });
  }
  return { r1, r2 };
}

// Gaussian noise for base qualities, drawn once: per-base Box-Muller would dominate simulation.
const NOISE = (() => {
  const r = new Rng(0x51a7, 0);
  return Float64Array.from({ length: 4096 }, () => r.normal() * 1.5);
})();
const ERR_BY_Q = Float64Array.from({ length: 64 }, (_, q) => Math.pow(10, -q / 10));

/** Substitution errors with probability rising along the read; qualities report that probability. */
function addErrors(seq: Uint8Array, qual: Uint8Array, rng: Rng, scale: number): void {
  const n = seq.length;
  for (let i = 0; i < n; i++) {
    const x = i / n;
    let p = scale * (0.0008 + 0.012 * x * x * x);
    if (rng.next() < 0.01) p = Math.min(0.5, p * 20); // occasional low-quality base
    let q = Math.round(-4.342944819 * Math.log(p) + NOISE[rng.u32() & 4095]!);
    q = q < 2 ? 2 : q > 41 ? 41 : q;
    if (q <= 2) seq[i] = 78;
    else if (rng.next() < ERR_BY_Q[q]!) {
      const b = seq[i]!;
      let nb = b;
      while (nb === b) nb = BASES[rng.u32() & 3]!;
      seq[i] = nb;
    }
    qual[i] = q + 33;
  }
}

function hasN(seq: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (seq[i] === 78) return true;
  return false;
}
