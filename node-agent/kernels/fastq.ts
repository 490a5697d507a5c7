// FASTQ reads: parse four-line records (file:line errors for every malformation) and write.
import { FormatError, PairingError } from './errors.js';

export interface Read {
  name: string;
  seq: string;
  /** Phred+33. */
  qual: string;
}

const SEQ_OK = /^[ACGTNacgtn]*$/;

/** `lineOffset` places a shard's lines within the whole file for error messages. */
export function parseFastq(text: string, file = '<fastq>', lineOffset = 0): Read[] {
  const reads: Read[] = [];
  const lines = text.split('\n');
  let n = lines.length;
  while (n > 0 && lines[n - 1]!.replace(/\r$/, '') === '') n--;
  if (n % 4 !== 0) {
    throw new FormatError(file, lineOffset + n, `truncated FASTQ record: ${n} lines is not a multiple of 4`);
  }
  for (let i = 0; i < n; i += 4) {
    const h = stripCr(lines[i]!);
    const seq = stripCr(lines[i + 1]!);
    const plus = stripCr(lines[i + 2]!);
    const qual = stripCr(lines[i + 3]!);
    if (h.charCodeAt(0) !== 64 /* @ */) throw new FormatError(file, lineOffset + i + 1, `expected a "@name" header, found ${preview(h)}`);
    const name = readName(h.slice(1));
    if (name === '') throw new FormatError(file, lineOffset + i + 1, 'read header has no name after "@"');
    if (!SEQ_OK.test(seq)) throw new FormatError(file, lineOffset + i + 2, `read ${name}: sequence has characters other than ACGTN`);
    if (plus.charCodeAt(0) !== 43 /* + */) throw new FormatError(file, lineOffset + i + 3, `read ${name}: expected "+" separator line, found ${preview(plus)}`);
    if (qual.length !== seq.length) {
      throw new FormatError(file, lineOffset + i + 4, `read ${name}: quality length ${qual.length} differs from sequence length ${seq.length}`);
    }
    for (let k = 0; k < qual.length; k++) {
      const q = qual.charCodeAt(k);
      if (q < 33 || q > 126) throw new FormatError(file, lineOffset + i + 4, `read ${name}: quality character out of Phred+33 range at column ${k + 1}`);
    }
    reads.push({ name, seq: seq.toUpperCase(), qual });
  }
  return reads;
}

/** Checks that r1 and r2 are mates record by record. */
export function checkPairs(r1: readonly Read[], r2: readonly Read[], file1: string, file2: string, recordOffset = 0): void {
  if (r1.length !== r2.length) {
    throw new PairingError(file1, file2, `mismatched pair counts: ${r1.length} reads in r1 but ${r2.length} in r2`);
  }
  for (let i = 0; i < r1.length; i++) {
    if (r1[i]!.name !== r2[i]!.name) {
      throw new PairingError(file1, file2, `record ${recordOffset + i + 1} (line ${4 * (recordOffset + i) + 1}): read names differ: ${r1[i]!.name} vs ${r2[i]!.name}`);
    }
  }
}

export function writeFastq(reads: readonly Read[]): string {
  const out: string[] = [];
  for (const r of reads) out.push(`@${r.name}\n${r.seq}\n+\n${r.qual}\n`);
  return out.join('');
}

/** First whitespace-delimited token, without a trailing /1 or /2 mate suffix. */
function readName(header: string): string {
  const sp = header.search(/\s/);
  const tok = sp < 0 ? header : header.slice(0, sp);
  return /\/[12]$/.test(tok) ? tok.slice(0, -2) : tok;
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}...` : s);
}
