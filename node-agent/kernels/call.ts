// Diploid genotyping from a pileup: for each site the three genotype likelihoods (ref/ref,
// ref/alt, alt/alt) with a population prior give QUAL (phred P(no variant)) and GQ.
import type { Contig } from './fasta.js';
import { indelRepeatEnd } from './normalize.js';
import { buildPileup, L_ERR, L_HET, L_HOM } from './pileup.js';
import type { PileupOptions } from './pileup.js';
import type { SamRecord } from './sam.js';
import type { VcfRecord } from './vcf.js';

export interface CallOptions extends PileupOptions {
  /** Floor for a read's effective quality (bcftools uses 4), so MAPQ-0 reads still count a little. */
  minQ: number;
  /** Minimum QUAL to report. */
  minQual: number;
  /** Heterozygosity priors. */
  snpTheta: number;
  indelTheta: number;
  /** Sub-region size (bounds memory: four Float64 arrays per base). */
  chunk: number;
}

// bcftools-like: MAPQ-0 reads count at quality 4 rather than not at all; report from QUAL 10.
export const DEFAULT_CALL: CallOptions = { minQ: 4, minMapq: 0, minBaseq: 13, minQual: 10, snpTheta: 1e-3, indelTheta: 1e-4, chunk: 200_000 };

const BASE = 'ACGT';

/** Calls SNPs and indels on one contig region [start, end) from reads sorted or not. */
export function callRegion(contig: Contig, records: readonly SamRecord[], start: number, end: number, opts: CallOptions = DEFAULT_CALL): VcfRecord[] {
  const out: VcfRecord[] = [];
  const onContig = records.filter((r) => r.rname === contig.name);
  onContig.sort((a, b) => a.pos - b.pos);
  let lo = 0;
  for (let cs = start; cs < end; cs += opts.chunk) {
    const ce = Math.min(end, cs + opts.chunk);
    // Reads start at most ~1 kbp before a chunk they overlap (150 bp reads plus deletions).
    while (lo < onContig.length && onContig[lo]!.pos - 1 < cs - 1000) lo++;
    let hi = lo;
    while (hi < onContig.length && onContig[hi]!.pos - 1 < ce) hi++;
    out.push(...callChunk(contig, onContig.slice(lo, hi), cs, ce, opts));
  }
  return out;
}

function callChunk(contig: Contig, records: readonly SamRecord[], start: number, end: number, opts: CallOptions): VcfRecord[] {
  const seq = contig.seq;
  const p = buildPileup(records, seq, start, end, opts);
  const out: VcfRecord[] = [];
  const lHet = Math.log10(opts.snpTheta);
  const lHom = Math.log10(opts.snpTheta / 2);
  const lRef = Math.log10(1 - 1.5 * opts.snpTheta);
  for (let i = 0; i < end - start; i++) {
    const rc = codeOf(seq[start + i]!);
    if (rc < 0) continue;
    const o = i * 4;
    let alt = -1;
    let altN = 1; // need at least two supporting reads
    for (let b = 0; b < 4; b++) {
      if (b !== rc && p.count[o + b]! > altN) {
        altN = p.count[o + b]!;
        alt = b;
      }
    }
    if (alt < 0) continue;
    let errAll = 0;
    for (let b = 0; b < 4; b++) errAll += p.err[o + b]!;
    const glRR = p.hom[o + rc]! + errAll - p.err[o + rc]!;
    const glAA = p.hom[o + alt]! + errAll - p.err[o + alt]!;
    const glRA = p.het[o + rc]! + p.het[o + alt]! + errAll - p.err[o + rc]! - p.err[o + alt]!;
    const g = genotype(glRR + lRef, glRA + lHet, glAA + lHom);
    if (g === null || g.qual < opts.minQual) continue;
    out.push({
      contig: contig.name,
      pos: start + i,
      ref: BASE[rc]!,
      alt: [BASE[alt]!],
      qual: g.qual,
      gt: g.gt,
      gq: g.gq,
      dp: p.depth[i]!,
      ad: [p.count[o + rc]!, p.count[o + alt]!],
    });
  }
  out.push(...callIndels(contig, p.reads, start, end, opts));
  out.sort((a, b) => a.pos - b.pos || a.ref.length - b.ref.length);
  return out;
}

/** Indels: reads carrying the allele vs reads spanning its whole repeat without it. */
function callIndels(contig: Contig, reads: readonly { start: number; end: number; mapq: number; events: { pos: number; ref: string; alt: string }[] }[], start: number, end: number, opts: CallOptions): VcfRecord[] {
  const sites = new Map<string, { pos: number; ref: string; alt: string; n: number }>();
  for (const r of reads) {
    for (const e of r.events) {
      if (e.pos < start || e.pos >= end) continue;
      const key = `${e.pos}:${e.ref}:${e.alt}`;
      const s = sites.get(key);
      if (s === undefined) sites.set(key, { ...e, n: 1 });
      else s.n++;
    }
  }
  const lHet = Math.log10(opts.indelTheta);
  const lHom = Math.log10(opts.indelTheta / 2);
  const lRef = Math.log10(1 - 1.5 * opts.indelTheta);
  const out: VcfRecord[] = [];
  for (const s of sites.values()) {
    if (s.n < 2) continue;
    const rEnd = Math.max(indelRepeatEnd(contig.seq, s), s.pos + s.ref.length);
    let glRR = 0;
    let glRA = 0;
    let glAA = 0;
    let nAlt = 0;
    let nRef = 0;
    // Reads are in start order; none longer than ~1 kbp on the reference.
    for (let ri = lowerStart(reads, s.pos - 1000); ri < reads.length && reads[ri]!.start <= s.pos; ri++) {
      const r = reads[ri]!;
      if (r.end <= s.pos) continue;
      const q = Math.max(opts.minQ, Math.min(r.mapq, 30)); // indel evidence is no better than its placement
      const has = r.events.some((e) => e.pos === s.pos && e.ref === s.ref && e.alt === s.alt);
      if (has) {
        nAlt++;
        glRR += L_ERR[q]!;
        glRA += L_HET[q]!;
        glAA += L_HOM[q]!;
      } else if (r.start <= s.pos - 1 && r.end >= rEnd + 3 && !r.events.some((e) => e.pos === s.pos)) {
        // Only reads reaching past the repeat can show the reference allele.
        nRef++;
        glRR += L_HOM[q]!;
        glRA += L_HET[q]!;
        glAA += L_ERR[q]!;
      }
    }
    const g = genotype(glRR + lRef, glRA + lHet, glAA + lHom);
    if (g === null || g.qual < opts.minQual) continue;
    out.push({ contig: contig.name, pos: s.pos, ref: s.ref, alt: [s.alt], qual: g.qual, gt: g.gt, gq: g.gq, dp: nAlt + nRef, ad: [nRef, nAlt] });
  }
  return out;
}

function lowerStart(reads: readonly { start: number }[], pos: number): number {
  let lo = 0;
  let hi = reads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reads[mid]!.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Posterior genotype from log10 (likelihood x prior) of RR, RA, AA; null when RR wins. */
function genotype(rr: number, ra: number, aa: number): { gt: string; qual: number; gq: number } | null {
  const mx = Math.max(rr, ra, aa);
  const total = mx + Math.log10(Math.pow(10, rr - mx) + Math.pow(10, ra - mx) + Math.pow(10, aa - mx));
  if (rr >= ra && rr >= aa) return null;
  const qual = Math.min(999, -10 * (rr - total));
  const het = ra >= aa;
  const others = het ? logSum(rr, aa) : logSum(rr, ra);
  const gq = Math.max(0, Math.min(99, Math.round(-10 * (others - total))));
  return { gt: het ? '0/1' : '1/1', qual: Math.round(qual * 10) / 10, gq };
}

function logSum(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log10(Math.pow(10, a - m) + Math.pow(10, b - m));
}

function codeOf(c: number): number {
  return c === 65 ? 0 : c === 67 ? 1 : c === 71 ? 2 : c === 84 ? 3 : -1;
}
