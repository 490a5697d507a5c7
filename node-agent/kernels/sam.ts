// SAM 1.6 text: header, record lines, and a validating parser (file:line errors).
import { FormatError } from './errors.js';

export interface SamRecord {
  qname: string;
  flag: number;
  /** "*" when unplaced. */
  rname: string;
  /** 1-based leftmost aligned base; 0 when unplaced. */
  pos: number;
  mapq: number;
  cigar: string;
  rnext: string;
  pnext: number;
  tlen: number;
  seq: string;
  qual: string;
  /** Optional fields, tab-joined ("" for none). */
  tags: string;
}

export const FLAG = {
  PAIRED: 0x1,
  PROPER: 0x2,
  UNMAPPED: 0x4,
  MATE_UNMAPPED: 0x8,
  REVERSE: 0x10,
  MATE_REVERSE: 0x20,
  FIRST: 0x40,
  LAST: 0x80,
  SECONDARY: 0x100,
  DUP: 0x400,
  SUPPLEMENTARY: 0x800,
} as const;

export function samHeader(contigs: readonly { name: string; length: number }[], sorted: boolean, commandLine: string): string {
  const lines = [`@HD\tVN:1.6\tSO:${sorted ? 'coordinate' : 'unsorted'}`];
  for (const c of contigs) lines.push(`@SQ\tSN:${c.name}\tLN:${c.length}`);
  lines.push(`@PG\tID:gsched\tPN:gsched-kernels\tVN:0.1.0\tCL:${commandLine.replace(/[\t\n]/g, ' ')}`);
  return lines.join('\n') + '\n';
}

export function samLine(r: SamRecord): string {
  const base = `${r.qname}\t${r.flag}\t${r.rname}\t${r.pos}\t${r.mapq}\t${r.cigar}\t${r.rnext}\t${r.pnext}\t${r.tlen}\t${r.seq}\t${r.qual}`;
  return r.tags === '' ? base : `${base}\t${r.tags}`;
}

export interface SamFile {
  /** @SQ entries in header order. */
  contigs: { name: string; length: number }[];
  records: SamRecord[];
}

const CIGAR_RE = /^(\*|([0-9]+[MIDNSHP=X])+)$/;

export function parseSam(text: string, file = '<sam>'): SamFile {
  const contigs: { name: string; length: number }[] = [];
  const records: SamRecord[] = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.replace(/\r$/, '');
    if (line === '') continue;
    if (line.charCodeAt(0) === 64 /* @ */) {
      if (line.startsWith('@SQ\t')) {
        const sn = /\tSN:([^\t]+)/.exec(line)?.[1];
        const lnv = Number(/\tLN:([0-9]+)/.exec(line)?.[1]);
        if (sn === undefined || !Number.isInteger(lnv)) throw new FormatError(file, ln + 1, '@SQ header line needs SN:<name> and LN:<length>');
        contigs.push({ name: sn, length: lnv });
      }
      continue;
    }
    const f = line.split('\t');
    if (f.length < 11) throw new FormatError(file, ln + 1, `SAM record needs 11 tab-separated fields, found ${f.length}`);
    const flag = Number(f[1]);
    const pos = Number(f[3]);
    const mapq = Number(f[4]);
    const pnext = Number(f[7]);
    const tlen = Number(f[8]);
    if (!Number.isInteger(flag) || flag < 0 || flag > 0xffff) throw new FormatError(file, ln + 1, `FLAG ${JSON.stringify(f[1])} is not an integer in 0..65535`);
    if (!Number.isInteger(pos) || pos < 0) throw new FormatError(file, ln + 1, `POS ${JSON.stringify(f[3])} is not a non-negative integer`);
    if (!Number.isInteger(mapq) || mapq < 0 || mapq > 255) throw new FormatError(file, ln + 1, `MAPQ ${JSON.stringify(f[4])} is not an integer in 0..255`);
    if (!Number.isInteger(pnext) || !Number.isInteger(tlen)) throw new FormatError(file, ln + 1, 'PNEXT and TLEN must be integers');
    const cigar = f[5]!;
    if (!CIGAR_RE.test(cigar)) throw new FormatError(file, ln + 1, `CIGAR ${JSON.stringify(cigar)} is malformed`);
    const seq = f[9]!;
    const qual = f[10]!;
    if (seq !== '*' && cigar !== '*' && cigarQueryLength(cigar) !== seq.length) {
      throw new FormatError(file, ln + 1, `CIGAR ${cigar} covers ${cigarQueryLength(cigar)} read bases but SEQ has ${seq.length}`);
    }
    if (qual !== '*' && seq !== '*' && qual.length !== seq.length) throw new FormatError(file, ln + 1, `QUAL length ${qual.length} differs from SEQ length ${seq.length}`);
    const rname = f[2]!;
    if (rname !== '*' && contigs.length > 0 && !contigs.some((c) => c.name === rname)) {
      throw new FormatError(file, ln + 1, `RNAME ${rname} is not declared in an @SQ header line`);
    }
    records.push({ qname: f[0]!, flag, rname, pos, mapq, cigar, rnext: f[6]!, pnext, tlen, seq, qual, tags: f.slice(11).join('\t') });
  }
  return { contigs, records };
}

/** CIGAR as parallel op/length arrays. */
export interface CigarOps {
  ops: string[];
  lens: number[];
}

export function parseCigar(cigar: string): CigarOps {
  const ops: string[] = [];
  const lens: number[] = [];
  if (cigar === '*') return { ops, lens };
  let n = 0;
  for (let i = 0; i < cigar.length; i++) {
    const c = cigar.charCodeAt(i);
    if (c >= 48 && c <= 57) n = n * 10 + (c - 48);
    else {
      ops.push(cigar[i]!);
      lens.push(n);
      n = 0;
    }
  }
  return { ops, lens };
}

export function cigarQueryLength(cigar: string): number {
  const { ops, lens } = parseCigar(cigar);
  let q = 0;
  for (let i = 0; i < ops.length; i++) if ('MIS=X'.includes(ops[i]!)) q += lens[i]!;
  return q;
}

export function cigarRefLength(cigar: string): number {
  const { ops, lens } = parseCigar(cigar);
  let r = 0;
  for (let i = 0; i < ops.length; i++) if ('MDN=X'.includes(ops[i]!)) r += lens[i]!;
  return r;
}

/** Leading soft/hard clip length: lets an evaluator compare unclipped starts. */
export function leadingClip(cigar: string): number {
  const { ops, lens } = parseCigar(cigar);
  let c = 0;
  for (let i = 0; i < ops.length && (ops[i] === 'S' || ops[i] === 'H'); i++) c += lens[i]!;
  return c;
}
