// Minimizer index over the packed reference: (w,k)-minimizers of forward k-mers in a
// bucketed CSR table (no sort, O(n) build). Reads look up the minimizers of both strands.
import type { Contig } from './fasta.js';

/** 2-bit base codes; 4 = N (and anything else). */
export const CODE = (() => {
  const t = new Uint8Array(256).fill(4);
  t[65] = 0;
  t[67] = 1;
  t[71] = 2;
  t[84] = 3;
  t[97] = 0;
  t[99] = 1;
  t[103] = 2;
  t[116] = 3;
  return t;
})();

/** Contigs concatenated with N spacers so one coordinate space serves the whole genome. */
export interface PackedRef {
  names: string[];
  lengths: number[];
  offsets: number[];
  codes: Uint8Array;
}

const SPACER = 256;

export function packReference(contigs: readonly Contig[]): PackedRef {
  let total = 0;
  for (const c of contigs) total += c.seq.length + SPACER;
  const codes = new Uint8Array(total).fill(4);
  const offsets: number[] = [];
  let o = 0;
  for (const c of contigs) {
    offsets.push(o);
    for (let i = 0; i < c.seq.length; i++) codes[o + i] = CODE[c.seq[i]!]!;
    o += c.seq.length + SPACER;
  }
  return { names: contigs.map((c) => c.name), lengths: contigs.map((c) => c.seq.length), offsets, codes };
}

/** Contig index holding a packed coordinate, or -1 inside a spacer. */
export function contigAt(ref: PackedRef, pos: number): number {
  let lo = 0;
  let hi = ref.offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ref.offsets[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return pos - ref.offsets[lo]! < ref.lengths[lo]! ? lo : -1;
}

/** Invertible 32-bit mix (lowbias32): spreads k-mer codes so minimizers are not AT-rich. */
function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export interface MinimizerBuffer {
  hash: Uint32Array;
  pos: Int32Array;
  n: number;
}

/**
 * (w,k)-minimizers of codes[start..end): the smallest hash in every window of w consecutive
 * k-mers, each position reported once. k <= 15 so a k-mer fits a 30-bit integer.
 */
export function minimizers(codes: Uint8Array, start: number, end: number, k: number, w: number, out: MinimizerBuffer): void {
  const mask = (1 << (2 * k)) - 1;
  const ringH = new Uint32Array(w);
  const ringP = new Int32Array(w);
  let kmer = 0;
  let valid = 0; // consecutive non-N bases
  let filled = 0; // k-mers in the current run
  let minH = 0xffffffff;
  let minP = -1;
  let lastOut = -1;
  out.n = 0;
  const emit = (h: number, p: number): void => {
    if (p === lastOut) return;
    if (out.n === out.hash.length) grow(out);
    out.hash[out.n] = h;
    out.pos[out.n] = p;
    out.n++;
    lastOut = p;
  };
  for (let i = start; i < end; i++) {
    const c = codes[i]!;
    if (c > 3) {
      valid = 0;
      filled = 0;
      minP = -1;
      minH = 0xffffffff;
      continue;
    }
    kmer = ((kmer << 2) | c) & mask;
    if (++valid < k) continue;
    const h = hash32(kmer);
    const p = i - k + 1;
    const slot = filled % w;
    ringH[slot] = h;
    ringP[slot] = p;
    filled++;
    if (filled < w) {
      if (h < minH) {
        minH = h;
        minP = p;
      }
      continue;
    }
    if (filled === w) {
      if (h < minH) {
        minH = h;
        minP = p;
      }
      emit(minH, minP);
      continue;
    }
    if (h < minH) {
      minH = h;
      minP = p;
      emit(minH, minP);
    } else if (minP <= p - w) {
      // The minimum left the window: rescan it.
      minH = 0xffffffff;
      for (let s = 0; s < w; s++) {
        const sp = ringP[s]!;
        if (ringH[s]! < minH || (ringH[s] === minH && sp < minP)) {
          minH = ringH[s]!;
          minP = sp;
        }
      }
      emit(minH, minP);
    }
  }
}

function grow(out: MinimizerBuffer): void {
  const h = new Uint32Array(out.hash.length * 2);
  const p = new Int32Array(out.pos.length * 2);
  h.set(out.hash);
  p.set(out.pos);
  out.hash = h;
  out.pos = p;
}

export function newMinimizerBuffer(cap = 64): MinimizerBuffer {
  return { hash: new Uint32Array(cap), pos: new Int32Array(cap), n: 0 };
}

export interface IndexOptions {
  k?: number;
  w?: number;
  /** Minimizers occurring more often are skipped when seeding (repeat masking). */
  maxOcc?: number;
}

export class MinimizerIndex {
  readonly k: number;
  readonly w: number;
  readonly maxOcc: number;
  private readonly mask: number;
  private readonly starts: Uint32Array;
  private readonly keys: Uint32Array;
  private readonly positions: Int32Array;
  private readonly runs: Uint32Array;

  constructor(
    readonly ref: PackedRef,
    opts: IndexOptions = {},
  ) {
    this.k = opts.k ?? 15;
    this.w = opts.w ?? 8;
    this.maxOcc = opts.maxOcc ?? 50;
    const buf = newMinimizerBuffer(Math.ceil(ref.codes.length / 3) + 64);
    minimizers(ref.codes, 0, ref.codes.length, this.k, this.w, buf);
    let size = 1;
    while (size < buf.n) size <<= 1;
    this.mask = size - 1;
    // Counting sort into buckets by the hash's low bits.
    const starts = new Uint32Array(size + 1);
    for (let i = 0; i < buf.n; i++) starts[(buf.hash[i]! & this.mask) + 1]!++;
    for (let b = 0; b < size; b++) starts[b + 1]! += starts[b]!;
    const fill = starts.slice(0, size);
    this.keys = new Uint32Array(buf.n);
    this.positions = new Int32Array(buf.n);
    for (let i = 0; i < buf.n; i++) {
      const b = buf.hash[i]! & this.mask;
      const at = fill[b]!++;
      this.keys[at] = buf.hash[i]!;
      this.positions[at] = buf.pos[i]!;
    }
    // Group equal keys inside each bucket (stable, so positions stay ascending) and record
    // each group's length at its first entry: a lookup then skips whole groups, so a repeat
    // minimizer with thousands of copies costs one step to count.
    this.runs = new Uint32Array(buf.n);
    for (let bk = 0; bk < size; bk++) {
      const s = starts[bk]!;
      const e = starts[bk + 1]!;
      for (let i = s + 1; i < e; i++) {
        const key = this.keys[i]!;
        const pos = this.positions[i]!;
        let j = i - 1;
        while (j >= s && this.keys[j]! > key) {
          this.keys[j + 1] = this.keys[j]!;
          this.positions[j + 1] = this.positions[j]!;
          j--;
        }
        this.keys[j + 1] = key;
        this.positions[j + 1] = pos;
      }
      for (let i = s; i < e; ) {
        let j = i + 1;
        while (j < e && this.keys[j] === this.keys[i]) j++;
        this.runs[i] = j - i;
        i = j;
      }
    }
    this.starts = starts;
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Writes the reference positions of a minimizer hash into out[at..] and returns how many
   * were written: none when the hash occurs more than maxOcc times (a repeat) or out is full.
   */
  hits(hash: number, out: Int32Array, at: number, maxOcc = this.maxOcc): number {
    const b = hash & this.mask;
    const e = this.starts[b + 1]!;
    for (let i = this.starts[b]!; i < e; i += this.runs[i]!) {
      if (this.keys[i] !== hash) continue;
      const n = this.runs[i]!;
      if (n > maxOcc || at + n > out.length) return 0;
      for (let k = 0; k < n; k++) out[at + k] = this.positions[i + k]!;
      return n;
    }
    return 0;
  }
}
