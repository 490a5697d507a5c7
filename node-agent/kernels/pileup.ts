// Pileup over aligned reads for one region: per-position, per-base genotype-likelihood sums
// for SNPs, and per-read indel events (normalised so every read writes an indel the same way).
import { CODE } from './index-minimizer.js';
import { normalizeVariant } from './normalize.js';
import type { Allele } from './normalize.js';
import { FLAG, parseCigar } from './sam.js';
import type { SamRecord } from './sam.js';

export interface PileupOptions {
  minMapq: number;
  /** Floor for the effective base quality min(baseQ, MAPQ). */
  minQ: number;
  minBaseq: number;
}

/** Log10 likelihood tables by phred error quality q. */
const MAXQ = 94;
export const L_HOM = new Float64Array(MAXQ); // base matches the allele: log10(1-e)
export const L_ERR = new Float64Array(MAXQ); // base is another allele's error: log10(e/3)
export const L_HET = new Float64Array(MAXQ); // base is one of a het's two alleles
for (let q = 0; q < MAXQ; q++) {
  const e = Math.min(0.75, Math.pow(10, -q / 10));
  L_HOM[q] = Math.log10(1 - e);
  L_ERR[q] = Math.log10(e / 3);
  L_HET[q] = Math.log10(0.5 * (1 - e) + e / 6);
}

/** One read as the caller sees it: aligned blocks on the reference and its indel events. */
export interface PileRead {
  start: number;
  end: number;
  mapq: number;
  events: Allele[];
}

export interface Pileup {
  start: number;
  end: number;
  /** [pos*4 + base] counts and log10-likelihood sums. */
  count: Uint16Array;
  hom: Float64Array;
  err: Float64Array;
  het: Float64Array;
  depth: Uint16Array;
  reads: PileRead[];
}

/**
 * Accumulates reads (already on this contig, any order) over [start, end). `seq` is the
 * contig's ASCII sequence (needed to normalise indels).
 */
export function buildPileup(records: readonly SamRecord[], seq: Uint8Array, start: number, end: number, opts: PileupOptions): Pileup {
  const L = end - start;
  const p: Pileup = {
    start,
    end,
    count: new Uint16Array(L * 4),
    hom: new Float64Array(L * 4),
    err: new Float64Array(L * 4),
    het: new Float64Array(L * 4),
    depth: new Uint16Array(L),
    reads: [],
  };
  const skip = FLAG.UNMAPPED | FLAG.SECONDARY | FLAG.SUPPLEMENTARY | FLAG.DUP;
  for (const r of records) {
    if (r.flag & skip || r.mapq < opts.minMapq || r.cigar === '*' || r.seq === '*') continue;
    const { ops, lens } = parseCigar(r.cigar);
    const mq = Math.min(r.mapq, 60);
    let ti = r.pos - 1;
    let qi = 0;
    const events: Allele[] = [];
    for (let o = 0; o < ops.length; o++) {
      const op = ops[o]!;
      const n = lens[o]!;
      if (op === 'M' || op === '=' || op === 'X') {
        for (let x = 0; x < n; x++, ti++, qi++) {
          if (ti < start || ti >= end) continue;
          const b = CODE[r.seq.charCodeAt(qi)]!;
          const bq = r.qual === '*' ? 30 : r.qual.charCodeAt(qi) - 33;
          if (b > 3 || bq < opts.minBaseq) continue;
          const q = Math.max(opts.minQ, bq < mq ? bq : mq);
          const at = (ti - start) * 4 + b;
          p.count[at]!++;
          p.hom[at]! += L_HOM[q]!;
          p.err[at]! += L_ERR[q]!;
          p.het[at]! += L_HET[q]!;
          p.depth[ti - start]!++;
        }
      } else if (op === 'I') {
        if (ti > 0) {
          const anchor = String.fromCharCode(seq[ti - 1]!);
          events.push(normalizeVariant(seq, { pos: ti - 1, ref: anchor, alt: anchor + r.seq.slice(qi, qi + n) }));
        }
        qi += n;
      } else if (op === 'D' || op === 'N') {
        if (op === 'D' && ti > 0) {
          const refAllele = String.fromCharCode(...seq.subarray(ti - 1, ti + n));
          events.push(normalizeVariant(seq, { pos: ti - 1, ref: refAllele, alt: refAllele[0]! }));
        }
        ti += n;
      } else if (op === 'S') qi += n;
    }
    p.reads.push({ start: r.pos - 1, end: ti, mapq: mq, events });
  }
  return p;
}
