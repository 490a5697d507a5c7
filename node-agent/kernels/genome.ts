// Synthetic reference with the features that make real genomes hard: young repeat families,
// low-divergence segmental duplications, homopolymers and STRs (where indels concentrate)
// and N gaps. A uniform random genome would let every tool score 99.9% and prove nothing.
import type { Contig } from './fasta.js';
import { Rng } from '../../common/index.js';

export interface GenomeSpec {
  length: number;
  seed: number;
  name?: string;
  /** GC fraction of the background sequence. */
  gc?: number;
  /** Share of the genome covered by copies of young repeat families (<2% divergence). */
  repeatFrac?: number;
  /** Share of the genome covered by segmental duplications (0.1-0.5% divergence). */
  segdupFrac?: number;
  /** Homopolymer tracts (6-14 bp) per kbp. */
  homopolymersPerKb?: number;
  /** Short tandem repeats (unit 2-4 bp, 4-12 copies) per kbp. */
  strsPerKb?: number;
  /** Number of N gaps (100-1000 bp each). */
  nRuns?: number;
}

const BASES = [65, 67, 71, 84]; // A C G T

export function generateReference(spec: GenomeSpec): Contig {
  const len = spec.length;
  const rng = new Rng(spec.seed, 0);
  const gc = spec.gc ?? 0.41;
  const seq = new Uint8Array(len);
  const randBase = (): number => {
    const r = rng.next();
    if (r < gc) return r < gc / 2 ? 67 : 71;
    return r < gc + (1 - gc) / 2 ? 65 : 84;
  };
  for (let i = 0; i < len; i++) seq[i] = randBase();

  // Young repeat families: a few consensus elements, copies at 0.3-2% divergence.
  const families: Uint8Array[] = [];
  for (let f = 0; f < 4; f++) {
    const flen = f < 2 ? rng.range(280, 320) : rng.range(1000, 2500);
    const cons = new Uint8Array(flen);
    for (let i = 0; i < flen; i++) cons[i] = randBase();
    families.push(cons);
  }
  let covered = 0;
  const repeatTarget = (spec.repeatFrac ?? 0.06) * len;
  while (covered < repeatTarget && len > 3000) {
    const cons = families[rng.int(families.length)]!;
    const at = rng.int(len - cons.length);
    copyDiverged(cons, 0, seq, at, cons.length, rng.range(3, 20) / 1000, rng);
    covered += cons.length;
  }

  // Homopolymers and STRs: where sequencers and callers struggle with indels.
  const nHomo = Math.round(((spec.homopolymersPerKb ?? 0.5) * len) / 1000);
  for (let h = 0; h < nHomo; h++) {
    const run = rng.range(6, 14);
    const at = rng.int(Math.max(1, len - run));
    seq.fill(BASES[rng.int(4)]!, at, Math.min(len, at + run));
  }
  const nStr = Math.round(((spec.strsPerKb ?? 0.4) * len) / 1000);
  for (let s = 0; s < nStr; s++) {
    const unit = rng.range(2, 4);
    const copies = rng.range(4, 12);
    const motif = Array.from({ length: unit }, () => BASES[rng.int(4)]!);
    const at = rng.int(Math.max(1, len - unit * copies));
    for (let k = 0; k < unit * copies && at + k < len; k++) seq[at + k] = motif[k % unit]!;
  }

  // Segmental duplications: long near-identical copies, the hardest case for placement.
  covered = 0;
  const segTarget = (spec.segdupFrac ?? 0.02) * len;
  while (covered < segTarget && len > 20_000) {
    // Bounded by what is left of the target so small test genomes keep the intended share.
    const slen = Math.min(rng.range(3000, 15_000), Math.max(500, Math.round(segTarget - covered)));
    const from = rng.int(len - slen);
    const to = rng.int(len - slen);
    if (Math.abs(from - to) < slen) continue;
    copyDiverged(seq.slice(from, from + slen), 0, seq, to, slen, rng.range(1, 5) / 1000, rng);
    covered += slen;
  }

  const nRuns = spec.nRuns ?? Math.max(1, Math.round(len / 1_000_000));
  for (let r = 0; r < nRuns && len > 10_000; r++) {
    const run = rng.range(100, 1000);
    const at = rng.range(2000, len - run - 2000);
    seq.fill(78, at, at + run);
  }
  return { name: spec.name ?? 'chr1', seq };
}

/** Copies src[from..from+n) into dst at `to`, substituting each base with probability `div`. */
function copyDiverged(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number, div: number, rng: Rng): void {
  for (let i = 0; i < n; i++) {
    let b = src[from + i]!;
    if (rng.chance(div)) {
      let nb = b;
      while (nb === b) nb = BASES[rng.int(4)]!;
      b = nb;
    }
    dst[to + i] = b;
  }
}
