// Scoring against simulated truth: read placement (unclipped start within a tolerance of the
// true position encoded in the read name) and variant calls (allele-exact after normalising).
import type { Contig } from './fasta.js';
import { normalizeVariant } from './normalize.js';
import { parseReadTruth } from './reads.js';
import { FLAG, leadingClip } from './sam.js';
import type { VcfRecord } from './vcf.js';

export interface MappingScore {
  reads: number;
  mapped: number;
  correct: number;
  correctFrac: number;
  /** Among reads with MAPQ >= 20: how many, and how many misplaced. */
  q20: number;
  q20Wrong: number;
}

/** Scores SAM text (any aligner's) line by line without materialising records. */
export function scoreSamText(text: string, tolerance = 5): MappingScore {
  const s: MappingScore = { reads: 0, mapped: 0, correct: 0, correctFrac: 0, q20: 0, q20Wrong: 0 };
  let from = 0;
  while (from < text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    const line = text.slice(from, nl);
    from = nl + 1;
    if (line.length === 0 || line.charCodeAt(0) === 64) continue;
    const f = line.split('\t', 6);
    const flag = Number(f[1]);
    if (flag & (FLAG.SECONDARY | FLAG.SUPPLEMENTARY)) continue;
    s.reads++;
    if (flag & FLAG.UNMAPPED) continue;
    s.mapped++;
    const truth = parseReadTruth(f[0]!);
    const want = truth === null ? NaN : flag & FLAG.LAST ? truth.pos2 : truth.pos1;
    const start = Number(f[3]) - leadingClip(f[5]!);
    const ok = truth !== null && f[2] === truth.contig && Math.abs(start - want) <= tolerance;
    if (ok) s.correct++;
    if (Number(f[4]) >= 20) {
      s.q20++;
      if (!ok) s.q20Wrong++;
    }
  }
  s.correctFrac = s.reads === 0 ? 0 : s.correct / s.reads;
  return s;
}

export interface PRF {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface CallScore {
  snp: PRF;
  indel: PRF;
}

export interface SimpleVariant {
  contig: string;
  pos: number;
  ref: string;
  alt: string;
}

/** Normalised single-ALT variants of a VCF, skipping ref-only genotypes and symbolic alleles. */
export function variantKeys(records: readonly VcfRecord[], contigs: readonly Contig[]): SimpleVariant[] {
  const seqs = new Map(contigs.map((c) => [c.name, c.seq]));
  const out: SimpleVariant[] = [];
  for (const r of records) {
    const gtAlleles = r.gt.split(/[/|]/).map(Number);
    for (let a = 0; a < r.alt.length; a++) {
      const alt = r.alt[a]!;
      if (!/^[ACGTN]+$/.test(alt)) continue;
      if (r.gt !== '.' && !gtAlleles.includes(a + 1)) continue;
      const seq = seqs.get(r.contig);
      const n = seq === undefined ? { pos: r.pos, ref: r.ref, alt } : normalizeVariant(seq, { pos: r.pos, ref: r.ref, alt });
      out.push({ contig: r.contig, ...n });
    }
  }
  return out;
}

export function scoreCalls(truth: readonly SimpleVariant[], calls: readonly SimpleVariant[]): CallScore {
  const key = (v: SimpleVariant): string => `${v.contig}:${v.pos}:${v.ref}:${v.alt}`;
  const isSnp = (v: SimpleVariant): boolean => v.ref.length === 1 && v.alt.length === 1;
  const isIndel = (v: SimpleVariant): boolean => v.ref.length !== v.alt.length;
  const score = (pick: (v: SimpleVariant) => boolean): PRF => {
    const t = new Set(truth.filter(pick).map(key));
    const c = new Set(calls.filter(pick).map(key));
    let tp = 0;
    for (const k of c) if (t.has(k)) tp++;
    const fp = c.size - tp;
    const fn = t.size - tp;
    const precision = c.size === 0 ? 0 : tp / c.size;
    const recall = t.size === 0 ? 0 : tp / t.size;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { tp, fp, fn, precision, recall, f1 };
  };
  return { snp: score(isSnp), indel: score(isIndel) };
}
