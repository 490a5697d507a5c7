// Banded affine-gap alignment (Smith-Waterman/Gotoh family) of a whole read against a
// reference band: the read is aligned end to end, the reference start and end are free
// (semi-global), and only diagonals dlo..dhi are computed. Soft-clipping and indel
// left-alignment happen afterwards on the traceback.

export interface Scoring {
  match: number;
  mismatch: number;
  /** Score of a base against N. */
  n: number;
  gapOpen: number;
  gapExtend: number;
  /** Clip an end only if that gains more than this. */
  clip: number;
}

// BWA-MEM's scores: mild gap costs keep indels in the middle of reads visible to the caller.
export const DEFAULT_SCORING: Scoring = { match: 1, mismatch: 4, n: 1, gapOpen: 6, gapExtend: 1, clip: 5 };

export interface AlignResult {
  /** Packed-reference position of the first aligned (non-clipped) base. */
  refStart: number;
  refEnd: number;
  score: number;
  /** Edit distance over the aligned part (mismatches + gap bases). */
  nm: number;
  cigar: string;
}

const NEG = -(1 << 28);

// Scratch reused across calls: a worker aligns millions of reads, allocation would dominate.
let cap = 0;
let H0 = new Int32Array(0);
let H1 = new Int32Array(0);
let F0 = new Int32Array(0);
let F1 = new Int32Array(0);
let TB = new Uint8Array(0);

function ensure(w: number, cells: number): void {
  if (w + 1 > cap) {
    cap = w + 1;
    H0 = new Int32Array(cap);
    H1 = new Int32Array(cap);
    F0 = new Int32Array(cap);
    F1 = new Int32Array(cap);
  }
  if (cells > TB.length) TB = new Uint8Array(cells * 2);
}

/**
 * Aligns q[0..m) to t within diagonals [dlo, dhi] (diagonal = refPos - readPos).
 * Returns null when no cell of the last row is reachable.
 */
export function bandedAlign(q: Uint8Array, m: number, t: Uint8Array, dlo: number, dhi: number, sc: Scoring = DEFAULT_SCORING): AlignResult | null {
  const W = dhi - dlo + 1;
  const tlen = t.length;
  ensure(W, m * W);
  const oe = sc.gapOpen + sc.gapExtend;
  const ge = sc.gapExtend;
  const ma = sc.match;
  const mi = -sc.mismatch;
  const nn = -sc.n;
  let Hp = H0;
  let Hc = H1;
  let Fp = F0;
  let Fc = F1;
  for (let k = 0; k < W; k++) {
    const j = dlo + k;
    Hp[k] = j >= 0 && j <= tlen ? 0 : NEG;
    Fp[k] = NEG;
  }
  Hp[W] = NEG;
  Fp[W] = NEG;
  Hc[W] = NEG;
  Fc[W] = NEG;
  for (let i = 1; i <= m; i++) {
    const qc = q[i - 1]!;
    const row = (i - 1) * W;
    let e = NEG;
    let hLeft = NEG;
    const j0 = i + dlo;
    for (let k = 0; k < W; k++) {
      const j = j0 + k;
      if (j < 1 || j > tlen) {
        Hc[k] = NEG;
        Fc[k] = NEG;
        e = NEG;
        hLeft = NEG;
        TB[row + k] = 0;
        continue;
      }
      const tc = t[j - 1]!;
      const diag = Hp[k]! + (qc > 3 || tc > 3 ? nn : qc === tc ? ma : mi);
      const upH = Hp[k + 1]! - oe;
      const upF = Fp[k + 1]! - ge;
      let f: number;
      let bits = 0;
      if (upF >= upH) {
        f = upF;
        bits |= 8;
      } else f = upH;
      const eo = hLeft - oe;
      const ee = e - ge;
      if (ee >= eo) {
        e = ee;
        bits |= 4;
      } else e = eo;
      let h = diag;
      if (e > h) {
        h = e;
        bits |= 1;
      }
      if (f > h) {
        h = f;
        bits = (bits & ~3) | 2;
      }
      if (h < NEG) h = NEG;
      Hc[k] = h;
      Fc[k] = f < NEG ? NEG : f;
      if (e < NEG) e = NEG;
      hLeft = h;
      TB[row + k] = bits;
    }
    const th = Hp;
    Hp = Hc;
    Hc = th;
    const tf = Fp;
    Fp = Fc;
    Fc = tf;
  }
  let best = NEG;
  let bk = -1;
  for (let k = 0; k < W; k++) {
    if (Hp[k]! > best) {
      best = Hp[k]!;
      bk = k;
    }
  }
  if (bk < 0 || best <= NEG / 2) return null;
  // Traceback into column ops, last column first.
  const ops: number[] = []; // 0 M, 1 I, 2 D
  let i = m;
  let k = bk;
  let state = 0; // 0 H, 1 E (deletion), 2 F (insertion)
  while (i > 0) {
    const bits = TB[(i - 1) * W + k]!;
    if (state === 0) {
      const src = bits & 3;
      if (src === 0) {
        ops.push(0);
        i--;
      } else state = src;
    } else if (state === 1) {
      ops.push(2);
      state = bits & 4 ? 1 : 0;
      k--;
    } else {
      ops.push(1);
      state = bits & 8 ? 2 : 0;
      i--;
      k++;
    }
  }
  ops.reverse();
  const refStart = dlo + k;
  return finish(q, m, t, refStart, ops, sc);
}

/** Ungapped alignment at diagonal d (the exact-match fast path): no DP, no allocation but the CIGAR. */
export function ungapped(q: Uint8Array, m: number, t: Uint8Array, d: number, sc: Scoring = DEFAULT_SCORING): AlignResult | null {
  const col = (i: number): number => {
    const a = q[i]!;
    const b = t[d + i]!;
    return a > 3 || b > 3 ? -sc.n : a === b ? sc.match : -sc.mismatch;
  };
  // Same clipping rule as finish(): drop the prefix/suffix whose removal gains > sc.clip.
  let run = 0;
  let minPre = 0;
  let a = 0;
  for (let i = 0; i < m; i++) {
    run += col(i);
    if (run < minPre) {
      minPre = run;
      a = i + 1;
    }
  }
  if (-minPre <= sc.clip) a = 0;
  run = 0;
  let minSuf = 0;
  let b = m;
  for (let i = m - 1; i >= a; i--) {
    run += col(i);
    if (run < minSuf) {
      minSuf = run;
      b = i;
    }
  }
  if (-minSuf <= sc.clip) b = m;
  if (a >= b) return null;
  let score = 0;
  let nm = 0;
  for (let i = a; i < b; i++) {
    const c = col(i);
    score += c;
    if (c !== sc.match) nm++;
  }
  const cigar = `${a > 0 ? `${a}S` : ''}${b - a}M${b < m ? `${m - b}S` : ''}`;
  return { refStart: d + a, refEnd: d + b, score, nm, cigar };
}

/** Counts mismatches (N counts) of q against t at diagonal d, stopping once above `limit`. */
export function mismatchesAt(q: Uint8Array, m: number, t: Uint8Array, d: number, limit: number): number {
  if (d < 0 || d + m > t.length) return limit + 1;
  let mm = 0;
  for (let i = 0; i < m; i++) {
    const a = q[i]!;
    if (a !== t[d + i]! || a > 3) {
      if (++mm > limit) return mm;
    }
  }
  return mm;
}

/** Left-aligns indels, soft-clips ends that cost more than sc.clip, builds CIGAR and NM. */
function finish(q: Uint8Array, m: number, t: Uint8Array, refStart: number, ops: number[], sc: Scoring): AlignResult | null {
  leftAlign(q, t, refStart, ops);
  // Column scores and positions.
  const n = ops.length;
  const colScore = new Array<number>(n);
  let qi = 0;
  let ti = refStart;
  for (let c = 0; c < n; c++) {
    const op = ops[c]!;
    if (op === 0) {
      const a = q[qi++]!;
      const b = t[ti++]!;
      colScore[c] = a > 3 || b > 3 ? -sc.n : a === b ? sc.match : -sc.mismatch;
    } else {
      colScore[c] = -(c > 0 && ops[c - 1] === op ? sc.gapExtend : sc.gapOpen + sc.gapExtend);
      if (op === 1) qi++;
      else ti++;
    }
  }
  // Clip the prefix/suffix whose removal gains the most, if that beats the clip penalty.
  let run = 0;
  let minPre = 0;
  let cutPre = -1;
  for (let c = 0; c < n; c++) {
    run += colScore[c]!;
    if (run < minPre) {
      minPre = run;
      cutPre = c;
    }
  }
  if (-minPre <= sc.clip) cutPre = -1;
  run = 0;
  let minSuf = 0;
  let cutSuf = n;
  for (let c = n - 1; c > cutPre; c--) {
    run += colScore[c]!;
    if (run < minSuf) {
      minSuf = run;
      cutSuf = c;
    }
  }
  if (-minSuf <= sc.clip) cutSuf = n;
  // Never start or end the aligned part on a gap.
  let a = cutPre + 1;
  let b = cutSuf; // exclusive
  while (a < b && ops[a] !== 0) a++;
  while (b > a && ops[b - 1] !== 0) b--;
  let lead = 0;
  let start = refStart;
  for (let c = 0; c < a; c++) {
    if (ops[c] !== 2) lead++;
    if (ops[c] !== 1) start++;
  }
  let tail = 0;
  for (let c = b; c < n; c++) if (ops[c] !== 2) tail++;
  let score = 0;
  let nm = 0;
  let cig = lead > 0 ? `${lead}S` : '';
  let rlen = 0;
  qi = lead;
  ti = start;
  let runOp = -1;
  let runLen = 0;
  const letters = 'MID';
  for (let c = a; c < b; c++) {
    const op = ops[c]!;
    score += colScore[c]!;
    if (op === 0) {
      if (q[qi] !== t[ti] || q[qi]! > 3) nm++;
      qi++;
      ti++;
      rlen++;
    } else {
      nm++;
      if (op === 1) qi++;
      else {
        ti++;
        rlen++;
      }
    }
    if (op === runOp) runLen++;
    else {
      if (runLen > 0) cig += `${runLen}${letters[runOp]}`;
      runOp = op;
      runLen = 1;
    }
  }
  if (runLen > 0) cig += `${runLen}${letters[runOp]}`;
  if (tail > 0) cig += `${tail}S`;
  // Nothing worth aligning here: no placement.
  if (a >= b) return null;
  return { refStart: start, refEnd: start + rlen, score, nm, cigar: cig };
}

/** Shifts each gap run left while the alignment score is unchanged (repeat-normalised CIGAR). */
function leftAlign(q: Uint8Array, t: Uint8Array, refStart: number, ops: number[]): void {
  let qi = 0;
  let ti = refStart;
  for (let c = 0; c < ops.length; c++) {
    const op = ops[c]!;
    if (op === 0) {
      qi++;
      ti++;
      continue;
    }
    // Gap run [c, e).
    let e = c;
    while (e < ops.length && ops[e] === op) e++;
    const L = e - c;
    let s = c;
    let gq = qi;
    let gt = ti;
    // Shift while the column before the run is a match column and the bases allow it.
    while (s > 0 && ops[s - 1] === 0) {
      const ok = op === 1 ? q[gq - 1] === q[gq + L - 1] : t[gt - 1] === t[gt + L - 1];
      if (!ok) break;
      // Move the M column from before the run to after it.
      ops[s - 1] = op;
      ops[s + L - 1] = 0;
      s--;
      gq--;
      gt--;
    }
    if (op === 1) {
      qi += L;
    } else {
      ti += L;
    }
    c = e - 1;
  }
}
