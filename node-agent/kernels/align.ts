// Paired-end short-read aligner: minimizer seeding on both strands, anchor chaining,
// ungapped fast path or banded affine-gap extension, pairing with mate rescue, MAPQ.
import type { Contig } from './fasta.js';
import type { Read } from './fastq.js';
import { CODE, contigAt, MinimizerIndex, minimizers, newMinimizerBuffer, packReference } from './index-minimizer.js';
import type { IndexOptions, PackedRef } from './index-minimizer.js';
import { FLAG } from './sam.js';
import type { SamRecord } from './sam.js';
import { bandedAlign, mismatchesAt, ungapped } from './sw.js';
import type { AlignResult } from './sw.js';

export interface AlignerOptions extends IndexOptions {
  /** Half-width of the band around the chain's diagonals. */
  band?: number;
  /** Chains extended per read at most. */
  maxChains?: number;
  /** Largest insert size accepted as a proper pair. */
  maxInsert?: number;
  /** Insert-size window searched when rescuing an unseeded mate. */
  rescueInsert?: [number, number];
}

interface Hit extends AlignResult {
  reverse: boolean;
  /** MAPQ ceiling from the read's chains: near-equal second chains mean a repeat. */
  cap: number;
}

interface Chain {
  reverse: boolean;
  score: number;
  dmin: number;
  dmax: number;
}

const MAX_ANCHORS = 4096;

export class Aligner {
  readonly ref: PackedRef;
  readonly index: MinimizerIndex;
  private readonly band: number;
  private readonly maxChains: number;
  private readonly maxInsert: number;
  private readonly rescue: [number, number];
  private readonly mbuf = newMinimizerBuffer(256);
  private readonly aRef = new Int32Array(MAX_ANCHORS);
  private readonly aQ = new Int32Array(MAX_ANCHORS);
  private readonly aRev = new Uint8Array(MAX_ANCHORS);
  private readonly keys = new Float64Array(MAX_ANCHORS);
  private readonly f = new Float64Array(MAX_ANCHORS);
  private readonly prev = new Int32Array(MAX_ANCHORS);
  private readonly used = new Uint8Array(MAX_ANCHORS);
  private readonly hitBuf = new Int32Array(MAX_ANCHORS);
  private readonly sr = new Int32Array(MAX_ANCHORS);
  private readonly sq = new Int32Array(MAX_ANCHORS);
  private readonly srv = new Uint8Array(MAX_ANCHORS);
  private fwd = new Uint8Array(512);
  private rev = new Uint8Array(512);

  constructor(contigs: readonly Contig[], opts: AlignerOptions = {}) {
    this.ref = packReference(contigs);
    this.index = new MinimizerIndex(this.ref, opts);
    this.band = opts.band ?? 16;
    this.maxChains = opts.maxChains ?? 4;
    this.maxInsert = opts.maxInsert ?? 1000;
    this.rescue = opts.rescueInsert ?? [100, 800];
  }

  /** Aligns a read pair; returns the two primary SAM records (mate 1 first). */
  alignPair(r1: Read, r2: Read): [SamRecord, SamRecord] {
    const h1 = this.candidates(r1.seq);
    const h2 = this.candidates(r2.seq);
    // Equal placements are broken by a hash of the read name (as minimap2 does): always taking
    // the first copy would pile every tied read onto one paralog and leave the other empty.
    const salt = nameHash(r1.name);
    let pair = this.pickPair(h1, h2, salt);
    if (!pair.proper) {
      // Mate rescue: a read in a repeat often misses its true copy among its own seeds, while
      // its mate is unique; search the insert-size window next to the mate's best placements.
      const n1 = h1.length;
      const n2 = h2.length;
      if (n1 > 0) this.rescueMate(h1.slice(0, 2), r2.seq, h2);
      if (n2 > 0) this.rescueMate(h2.slice(0, 2), r1.seq, h1);
      if (h1.length > n1 || h2.length > n2) pair = this.pickPair(h1, h2, salt);
    }
    return this.toSam(r1, r2, pair);
  }

  /** Packs a read into 2-bit codes for both strands (fwd, rev). */
  private encoded(seq: string): number {
    const m = seq.length;
    if (m > this.fwd.length) {
      this.fwd = new Uint8Array(m * 2);
      this.rev = new Uint8Array(m * 2);
    }
    for (let i = 0; i < m; i++) {
      const c = CODE[seq.charCodeAt(i)]!;
      this.fwd[i] = c;
      this.rev[m - 1 - i] = c > 3 ? 4 : 3 - c;
    }
    return m;
  }

  /** Seeds, chains and extends one read; returns its placements, best first. */
  private candidates(seq: string): Hit[] {
    const hits = this.seedAndExtend(seq, this.index.maxOcc);
    // Every seed in a repeat: retry with a much higher occurrence cap rather than give up.
    return hits.length > 0 ? hits : this.seedAndExtend(seq, this.index.maxOcc * 20);
  }

  private seedAndExtend(seq: string, maxOcc: number): Hit[] {
    const m = this.encoded(seq);
    const k = this.index.k;
    let n = 0;
    for (let s = 0; s < 2; s++) {
      const codes = s === 0 ? this.fwd : this.rev;
      minimizers(codes, 0, m, k, this.index.w, this.mbuf);
      for (let x = 0; x < this.mbuf.n; x++) {
        const got = this.index.hits(this.mbuf.hash[x]!, this.hitBuf, 0, maxOcc);
        for (let y = 0; y < got && n < MAX_ANCHORS; y++, n++) {
          this.aRef[n] = this.hitBuf[y]!;
          this.aQ[n] = this.mbuf.pos[x]!;
          this.aRev[n] = s;
        }
      }
    }
    if (n === 0) return [];
    const chains = this.chain(n);
    const hits: Hit[] = [];
    const best = chains[0]!.score;
    const sub = chains[1]?.score ?? 0;
    // minimap2's chain-level estimate, so copies we did not extend still lower confidence.
    const cap = sub <= 0 ? 60 : Math.max(0, Math.min(60, Math.round(40 * (1 - sub / best) * Math.log(best))));
    for (let c = 0; c < chains.length && c < this.maxChains; c++) {
      const ch = chains[c]!;
      if (ch.score < best * 0.5) break;
      const h = this.extend(ch, m, cap);
      if (h !== null && !hits.some((o) => o.reverse === h.reverse && Math.abs(o.refStart - h.refStart) < 20)) hits.push(h);
    }
    hits.sort((a, b) => b.score - a.score);
    return hits;
  }

  /** Minimap2-style chaining DP over anchors sorted by strand then reference position. */
  private chain(n: number): Chain[] {
    const { aRef, aQ, aRev, keys, f, prev, used, sr, sq, srv } = this;
    const k = this.index.k;
    for (let i = 0; i < n; i++) keys[i] = (aRev[i]! * 2147483648 + aRef[i]!) * 4096 + i;
    const sorted = keys.subarray(0, n).sort();
    for (let i = 0; i < n; i++) {
      const o = sorted[i]! % 4096;
      sr[i] = aRef[o]!;
      sq[i] = aQ[o]!;
      srv[i] = aRev[o]!;
    }
    for (let i = 0; i < n; i++) {
      let bestF = k;
      let bestJ = -1;
      const ri = sr[i]!;
      const qi = sq[i]!;
      for (let j = i - 1; j >= 0 && j >= i - 50; j--) {
        if (srv[j] !== srv[i]) break;
        const dr = ri - sr[j]!;
        if (dr > 500) break;
        const dq = qi - sq[j]!;
        if (dr <= 0 || dq <= 0) continue;
        const dd = dr > dq ? dr - dq : dq - dr;
        if (dd > 40) continue;
        const gain = (dq < dr ? (dq < k ? dq : k) : dr < k ? dr : k) - (dd > 0 ? 0.01 * k * dd + 0.5 * Math.log2(dd) : 0);
        const cand = f[j]! + gain;
        if (cand > bestF) {
          bestF = cand;
          bestJ = j;
        }
      }
      f[i] = bestF;
      prev[i] = bestJ;
      used[i] = 0;
    }
    // Chains are few: take the best unused end repeatedly instead of sorting all anchors.
    const chains: Chain[] = [];
    while (chains.length < this.maxChains * 2) {
      let end = -1;
      let bf = -1;
      for (let i = 0; i < n; i++) {
        if (used[i] === 0 && f[i]! > bf) {
          bf = f[i]!;
          end = i;
        }
      }
      if (end < 0) break;
      let dmin = sr[end]! - sq[end]!;
      let dmax = dmin;
      let i = end;
      while (i >= 0 && !used[i]) {
        used[i] = 1;
        const d = sr[i]! - sq[i]!;
        if (d < dmin) dmin = d;
        if (d > dmax) dmax = d;
        i = prev[i]!;
      }
      const score = f[end]! - (i >= 0 ? f[i]! : 0);
      chains.push({ reverse: srv[end] === 1, score, dmin, dmax });
    }
    chains.sort((a, b) => b.score - a.score);
    return chains;
  }

  private extend(ch: Chain, m: number, cap: number): Hit | null {
    const q = ch.reverse ? this.rev : this.fwd;
    const t = this.ref.codes;
    // Fast path: one diagonal and few mismatches needs no dynamic programming.
    if (ch.dmin === ch.dmax && mismatchesAt(q, m, t, ch.dmin, 2) <= 2) {
      const res = ungapped(q, m, t, ch.dmin);
      if (res !== null) return { ...res, reverse: ch.reverse, cap };
    }
    const res = bandedAlign(q, m, t, ch.dmin - this.band, ch.dmax + this.band);
    return res === null ? null : { ...res, reverse: ch.reverse, cap };
  }

  /** Aligns `seq` within the insert-size window of each placement of its mate. */
  private rescueMate(anchors: readonly Hit[], seq: string, out: Hit[]): void {
    const m = this.encoded(seq);
    const [lo, hi] = this.rescue;
    for (const a of anchors) {
      // The mate lies downstream on the opposite strand of a forward read, and vice versa.
      const reverse = !a.reverse;
      const q = reverse ? this.rev : this.fwd;
      const dlo = a.reverse ? a.refEnd - hi : a.refStart + lo - m;
      const dhi = a.reverse ? a.refEnd - lo : a.refStart + hi - m;
      // Seeds without the repeat cap, kept only inside the window, narrow the band; the
      // full-window DP is the fallback for a mate with no exact seed there.
      let smin = Infinity;
      let smax = -Infinity;
      minimizers(q, 0, m, this.index.k, this.index.w, this.mbuf);
      for (let x = 0; x < this.mbuf.n; x++) {
        const got = this.index.hits(this.mbuf.hash[x]!, this.hitBuf, 0, MAX_ANCHORS);
        for (let y = 0; y < got; y++) {
          const d = this.hitBuf[y]! - this.mbuf.pos[x]!;
          if (d < dlo || d > dhi) continue;
          if (d < smin) smin = d;
          if (d > smax) smax = d;
        }
      }
      const seeded = smin <= smax && smax - smin <= 64;
      const res = seeded ? bandedAlign(q, m, this.ref.codes, smin - this.band, smax + this.band) : bandedAlign(q, m, this.ref.codes, dlo, dhi);
      // A placement already found must not be counted twice (it would zero the MAPQ).
      if (res !== null && res.score >= m * 0.4 && !out.some((o) => o.reverse === reverse && Math.abs(o.refStart - res.refStart) < 20)) out.push({ ...res, reverse, cap: 60 });
    }
    out.sort((x, y) => y.score - x.score);
  }

  private properPair(a: Hit, b: Hit): boolean {
    if (a.reverse === b.reverse) return false;
    const f = a.reverse ? b : a;
    const r = a.reverse ? a : b;
    const ins = r.refEnd - f.refStart;
    return ins > 0 && ins <= this.maxInsert && r.refEnd >= f.refStart && contigAt(this.ref, f.refStart) === contigAt(this.ref, r.refStart);
  }

  private pickPair(h1: Hit[], h2: Hit[], salt: number): Placed {
    const UNPAIRED = 17; // BWA's penalty for not pairing
    let best = -Infinity;
    let second = -Infinity;
    let bi = -1;
    let bj = -1;
    let proper = false;
    let ties = 0;
    for (let i = 0; i < h1.length; i++) {
      for (let j = 0; j < h2.length; j++) {
        const ok = this.properPair(h1[i]!, h2[j]!);
        const s = h1[i]!.score + h2[j]!.score - (ok ? 0 : UNPAIRED);
        if (s > best) {
          second = best;
          best = s;
          bi = i;
          bj = j;
          proper = ok;
          ties = 1;
        } else if (s === best) {
          second = s;
          // Reservoir choice among equal pairs, deterministic per read.
          if (mix(salt, ++ties) % ties === 0) {
            bi = i;
            bj = j;
            proper = ok;
          }
        } else if (s > second) second = s;
      }
    }
    const a = bi >= 0 ? h1[bi]! : h1[tiePick(h1, salt)];
    const b = bj >= 0 ? h2[bj]! : h2[tiePick(h2, salt)];
    const mq1 = Math.min(mapq(h1, a), a?.cap ?? 0);
    const mq2 = Math.min(mapq(h2, b), b?.cap ?? 0);
    if (proper) {
      // A confidently placed mate vouches for an ambiguous one if the pairing is unique.
      const pq = second === -Infinity ? 60 : Math.min(60, Math.round(6 * (best - second)));
      return { a, b, mq1: Math.max(mq1, Math.min(pq, mq2)), mq2: Math.max(mq2, Math.min(pq, mq1)), proper };
    }
    return { a, b, mq1, mq2, proper };
  }

  private toSam(r1: Read, r2: Read, p: Placed): [SamRecord, SamRecord] {
    const s1 = this.record(r1, p.a, p.mq1, FLAG.PAIRED | FLAG.FIRST);
    const s2 = this.record(r2, p.b, p.mq2, FLAG.PAIRED | FLAG.LAST);
    setMate(s1, s2, p.a, p.b, p.proper);
    setMate(s2, s1, p.b, p.a, p.proper);
    return [s1, s2];
  }

  private record(read: Read, h: Hit | undefined, mq: number, flag: number): SamRecord {
    if (h === undefined) {
      return { qname: read.name, flag: flag | FLAG.UNMAPPED, rname: '*', pos: 0, mapq: 0, cigar: '*', rnext: '*', pnext: 0, tlen: 0, seq: read.seq, qual: read.qual, tags: '' };
    }
    const ci = contigAt(this.ref, h.refStart);
    const ce = contigAt(this.ref, h.refEnd - 1);
    if (ci < 0 || ce !== ci) {
      return this.record(read, undefined, 0, flag);
    }
    const seq = h.reverse ? revcomp(read.seq) : read.seq;
    const qual = h.reverse ? reverse(read.qual) : read.qual;
    return {
      qname: read.name,
      flag: flag | (h.reverse ? FLAG.REVERSE : 0),
      rname: this.ref.names[ci]!,
      pos: h.refStart - this.ref.offsets[ci]! + 1,
      mapq: mq,
      cigar: h.cigar,
      rnext: '*',
      pnext: 0,
      tlen: 0,
      seq,
      qual,
      tags: `NM:i:${h.nm}\tAS:i:${h.score}`,
    };
  }
}

interface Placed {
  a: Hit | undefined;
  b: Hit | undefined;
  mq1: number;
  mq2: number;
  proper: boolean;
}

/** FNV-1a of a read name: the per-read seed for tie-breaking. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix(salt: number, n: number): number {
  let x = Math.imul(salt ^ Math.imul(n, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 13;
  return Math.imul(x, 0xc2b2ae35) >>> 0;
}

/** Index of one of the top-scoring hits (they are sorted best first), chosen by salt. */
function tiePick(hits: readonly Hit[], salt: number): number {
  let n = 1;
  while (n < hits.length && hits[n]!.score === hits[0]!.score) n++;
  return salt % n;
}

/** Phred-scaled confidence from the gap to the next-best placement (6 per score unit). */
function mapq(hits: readonly Hit[], chosen: Hit | undefined): number {
  if (chosen === undefined) return 0;
  let sub = -Infinity;
  for (const h of hits) if (h !== chosen && h.score > sub) sub = h.score;
  if (sub === -Infinity) return 60;
  return Math.max(0, Math.min(60, Math.round(6 * (chosen.score - sub))));
}

function setMate(self: SamRecord, mate: SamRecord, a: Hit | undefined, b: Hit | undefined, proper: boolean): void {
  const selfMapped = (self.flag & FLAG.UNMAPPED) === 0;
  const mateMapped = (mate.flag & FLAG.UNMAPPED) === 0;
  if (!mateMapped) self.flag |= FLAG.MATE_UNMAPPED;
  if (mateMapped && mate.flag & FLAG.REVERSE) self.flag |= FLAG.MATE_REVERSE;
  if (!selfMapped && mateMapped) {
    // SAM convention: an unmapped read takes its mate's coordinates.
    self.rname = mate.rname;
    self.pos = mate.pos;
  }
  if (mateMapped) {
    self.rnext = self.rname === mate.rname ? '=' : mate.rname;
    self.pnext = mate.pos;
  } else if (selfMapped) {
    self.rnext = '=';
    self.pnext = self.pos;
  }
  if (selfMapped && mateMapped && proper && self.rname === mate.rname && a !== undefined && b !== undefined) {
    self.flag |= FLAG.PROPER;
    const left = Math.min(a.refStart, b.refStart);
    const right = Math.max(a.refEnd, b.refEnd);
    const tlen = right - left;
    self.tlen = a.refStart < b.refStart || (a.refStart === b.refStart && !a.reverse) ? tlen : -tlen;
  }
}

const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };

export function revcomp(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += COMP[s[i]!] ?? 'N';
  return out;
}

function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}
