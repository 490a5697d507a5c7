// A diploid sample drawn from the reference: SNPs and small indels, heterozygous and
// homozygous, with indels concentrated in homopolymers/STRs. Produces the two haplotype
// sequences (with a map back to reference coordinates) and the normalised truth set.
import type { Contig } from './fasta.js';
import { indelRepeatEnd, normalizeVariant } from './normalize.js';
import { Rng } from '../../common/index.js';

export interface TruthVariant {
  contig: string;
  /** 0-based position of ref[0] (VCF POS - 1). */
  pos: number;
  ref: string;
  alt: string;
  /** Haplotype alleles, 0 = reference, 1 = alt. */
  gt: [0 | 1, 0 | 1];
}

export interface Haplotype {
  seq: Uint8Array;
  /** Reference position of each haplotype base (inserted bases map to their anchor). */
  toRef: Int32Array;
}

export interface SampleSpec {
  seed: number;
  snpRate?: number;
  indelRate?: number;
  /** Share of variants that are homozygous alt. */
  homFrac?: number;
}

export interface Sample {
  variants: TruthVariant[];
  haps: [Haplotype, Haplotype];
}

const BASES = 'ACGT';

export function simulateSample(ref: Contig, spec: SampleSpec): Sample {
  const rng = new Rng(spec.seed, 2); // stream 2: variants
  const seq = ref.seq;
  const len = seq.length;
  const str = (a: number, b: number): string => String.fromCharCode(...seq.subarray(a, b));
  const nSnp = Math.round(len * (spec.snpRate ?? 1e-3));
  const nIndel = Math.round(len * (spec.indelRate ?? 2e-4));
  const homFrac = spec.homFrac ?? 1 / 3;
  const tracts = findTracts(seq);
  // Variants keep 10 bp apart (beyond their repeat span) so each truth event is unambiguous.
  const used = new Uint8Array(len);
  const free = (a: number, b: number): boolean => {
    if (a < 20 || b > len - 20) return false;
    for (let i = a - 10; i < b + 10; i++) if (used[i] !== 0 || seq[i] === 78) return false;
    return true;
  };
  const variants: TruthVariant[] = [];
  const add = (pos: number, refA: string, altA: string): void => {
    const n = normalizeVariant(seq, { pos, ref: refA, alt: altA });
    const end = n.ref.length !== n.alt.length ? indelRepeatEnd(seq, n) : n.pos + n.ref.length;
    if (n.ref === n.alt || !free(n.pos, Math.max(end, n.pos + n.ref.length))) return;
    used.fill(1, n.pos, Math.max(end, n.pos + n.ref.length));
    const hom = rng.chance(homFrac);
    const gt: [0 | 1, 0 | 1] = hom ? [1, 1] : rng.chance(0.5) ? [1, 0] : [0, 1];
    variants.push({ contig: ref.name, pos: n.pos, ref: n.ref, alt: n.alt, gt });
  };
  for (let i = 0; i < nIndel * 3 && variants.length < nIndel; i++) {
    const inTract = tracts.length > 0 && rng.chance(0.5);
    if (inTract) {
      // Expand or contract a homopolymer/STR by one or two units.
      const t = tracts[rng.int(tracts.length)]!;
      const units = rng.chance(0.8) ? 1 : 2;
      const motif = str(t.start, t.start + t.unit).repeat(units);
      if (rng.chance(0.5)) add(t.start - 1, str(t.start - 1, t.start), str(t.start - 1, t.start) + motif);
      else add(t.start - 1, str(t.start - 1, t.start + motif.length), str(t.start - 1, t.start));
    } else {
      const p = rng.range(21, len - 40);
      const l = Math.min(15, 1 + Math.floor(-Math.log(1 - rng.next()) * 2.5));
      if (rng.chance(0.5)) {
        let ins = '';
        for (let k = 0; k < l; k++) ins += BASES[rng.int(4)];
        add(p, str(p, p + 1), str(p, p + 1) + ins);
      } else add(p, str(p, p + 1 + l), str(p, p + 1));
    }
  }
  for (let i = 0; i < nSnp * 3 && variants.length < nIndel + nSnp; i++) {
    const p = rng.range(21, len - 21);
    const r = String.fromCharCode(seq[p]!);
    if (r === 'N') continue;
    let a = r;
    while (a === r) a = BASES[rng.int(4)]!;
    add(p, r, a);
  }
  variants.sort((x, y) => x.pos - y.pos);
  return { variants, haps: [buildHap(seq, variants, 0), buildHap(seq, variants, 1)] };
}

function buildHap(seq: Uint8Array, variants: readonly TruthVariant[], h: 0 | 1): Haplotype {
  let extra = 0;
  for (const v of variants) if (v.gt[h] === 1) extra += Math.max(0, v.alt.length - v.ref.length);
  const out = new Uint8Array(seq.length + extra);
  const toRef = new Int32Array(seq.length + extra);
  let o = 0;
  let r = 0;
  const copyTo = (end: number): void => {
    for (; r < end; r++, o++) {
      out[o] = seq[r]!;
      toRef[o] = r;
    }
  };
  for (const v of variants) {
    if (v.gt[h] !== 1) continue;
    copyTo(v.pos);
    for (let k = 0; k < v.alt.length; k++, o++) {
      out[o] = v.alt.charCodeAt(k);
      toRef[o] = v.pos + Math.min(k, v.ref.length - 1);
    }
    r = v.pos + v.ref.length;
  }
  copyTo(seq.length);
  return { seq: out.subarray(0, o), toRef: toRef.subarray(0, o) };
}

interface Tract {
  start: number;
  unit: number;
}

/** Homopolymers (>= 6 bp) and 2-4 bp unit STRs (>= 4 copies) in the reference. */
function findTracts(seq: Uint8Array): Tract[] {
  const out: Tract[] = [];
  for (let unit = 1; unit <= 4; unit++) {
    const minLen = unit === 1 ? 6 : unit * 4;
    let i = 0;
    while (i + unit < seq.length) {
      let j = i + unit;
      while (j < seq.length && seq[j] === seq[j - unit] && seq[j] !== 78) j++;
      if (j - i >= minLen && !(unit > 1 && isHomopolymer(seq, i, unit))) out.push({ start: i, unit });
      i = j > i + unit ? j - unit + 1 : i + 1;
    }
  }
  return out;
}

function isHomopolymer(seq: Uint8Array, at: number, unit: number): boolean {
  for (let k = 1; k < unit; k++) if (seq[at + k] !== seq[at]) return false;
  return true;
}
