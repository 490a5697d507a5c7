import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FormatError, PairingError } from './errors.js';
import { parseFasta, writeFasta } from './fasta.js';
import { checkPairs, parseFastq, writeFastq } from './fastq.js';
import { normalizeVariant } from './normalize.js';
import { Rng } from '../../common/index.js';
import { cigarQueryLength, cigarRefLength, leadingClip, parseSam } from './sam.js';
import { parseVcf, writeVcf } from './vcf.js';
import { bandedAlign } from './sw.js';
import { CODE } from './index-minimizer.js';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const codes = (s: string): Uint8Array => Uint8Array.from(s, (c) => CODE[c.charCodeAt(0)]!);

/** The FormatError `fn` throws (fails the test if it throws nothing or something else). */
function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('FASTA', () => {
  it('round-trips and maps IUPAC codes to N', () => {
    const c = parseFasta('>chrA desc\nACGTR\nacgt\n>chrB\nNNAC\n', 'x.fa');
    expect(c.map((x) => x.name)).toEqual(['chrA', 'chrB']);
    expect(new TextDecoder().decode(c[0]!.seq)).toBe('ACGTNACGT');
    expect(parseFasta(writeFasta(c, 4))).toEqual(c);
  });
  it.each([
    ['ACGT\n', 1, 'before the first'],
    ['>a\nAC1T\n', 2, 'invalid base "1"'],
    ['>\nACGT\n', 1, 'no sequence name'],
    ['', 1, 'no FASTA records'],
    ['>a\nAC\n>a\nGT\n', 3, 'duplicate'],
  ])('rejects %j naming the line', (text, line, what) => {
    const err = formatError(() => parseFasta(text, 'bad.fa'));
    expect(err.file).toBe('bad.fa');
    expect(err.line).toBe(line);
    expect(err.message).toContain(what);
  });
});

describe('FASTQ', () => {
  const ok = '@r1/1 x\nACGT\n+\nIIII\n@r2/1\nNNAA\n+\n##II\n';
  it('parses, strips mate suffixes and round-trips', () => {
    const r = parseFastq(ok, 'a.fq');
    expect(r.map((x) => x.name)).toEqual(['r1', 'r2']);
    expect(parseFastq(writeFastq(r))).toEqual(r);
  });
  it.each([
    ['@r\nACGT\n+\nIII\n', 4, 'quality length'],
    ['r\nACGT\n+\nIIII\n', 1, 'expected a "@name"'],
    ['@r\nACXT\n+\nIIII\n', 2, 'other than ACGTN'],
    ['@r\nACGT\n-\nIIII\n', 3, '"+" separator'],
    ['@r\nACGT\n+\n', 3, 'truncated'],
  ])('rejects %j at the right line', (text, line, what) => {
    const err = formatError(() => parseFastq(text, 'b.fq'));
    expect(err.line).toBe(line);
    expect(err.message).toContain(what);
    expect(err.message).toContain('b.fq');
  });
  it('reports mismatched pairs', () => {
    const r = parseFastq(ok);
    expect(() => checkPairs(r, r.slice(0, 1), 'a_1.fq', 'a_2.fq')).toThrow(PairingError);
    expect(() => checkPairs(r, [r[1]!, r[0]!], 'a_1.fq', 'a_2.fq')).toThrow(/names differ/);
  });
});

describe('SAM and VCF', () => {
  it('validates SAM records with file:line errors', () => {
    const head = '@HD\tVN:1.6\n@SQ\tSN:c\tLN:100\n';
    const good = 'r\t0\tc\t5\t60\t2S3M1I2M\t*\t0\t0\tACGTACGT\tIIIIIIII\n';
    expect(parseSam(head + good).records).toHaveLength(1);
    expect(() => parseSam(head + good.replace('2S3M1I2M', '3M'), 'x.sam')).toThrow(/x\.sam:3: CIGAR 3M covers 3/);
    expect(() => parseSam(head + good.replace('\tc\t', '\tz\t'), 'x.sam')).toThrow(/not declared/);
    expect(() => parseSam(head + 'r\t0\tc\n', 'x.sam')).toThrow(/x\.sam:3: SAM record needs 11/);
    expect(cigarQueryLength('2S3M1I2M')).toBe(8);
    expect(cigarRefLength('3M2D4M')).toBe(9);
  });
  it('writes VCF that parses back', () => {
    const contigs = [{ name: 'c', seq: enc('ACGTACGTAC') }];
    const text = writeVcf(contigs, [{ contig: 'c', pos: 2, ref: 'G', alt: ['T'], qual: 50, gt: '0/1', gq: 40, dp: 10, ad: [5, 5] }], 't');
    const back = parseVcf(text, 'v.vcf');
    expect(back[0]).toMatchObject({ contig: 'c', pos: 2, ref: 'G', alt: ['T'], qual: 50, gt: '0/1' });
    expect(() => parseVcf('c\t1\t.\tA\tT\t.\t.\t.\n', 'v.vcf')).toThrow(/v\.vcf:1: data line before/);
  });
});

describe('normalisation', () => {
  it('left-aligns an indel in a homopolymer and an STR', () => {
    const seq = enc('GGCAAAAATTCACACACAGG');
    // Deleting the last A of the run is the same event as deleting the first.
    expect(normalizeVariant(seq, { pos: 7, ref: 'AA', alt: 'A' })).toEqual({ pos: 2, ref: 'CA', alt: 'C' });
    // An extra CA written at the end of the STR moves to its start.
    expect(normalizeVariant(seq, { pos: 17, ref: 'A', alt: 'ACA' })).toEqual({ pos: 9, ref: 'T', alt: 'TCA' });
  });
});

describe('banded affine-gap alignment', () => {
  it('finds a left-aligned deletion in a homopolymer', () => {
    const ref = 'TTGACCTAGGCATTTTTTGGACCATGCAGTCAGGT';
    const read = 'GACCTAGGCATTTTTGGACCATGCAGTC'; // one T fewer
    const res = bandedAlign(codes(read), read.length, codes(ref), -5, 10)!;
    expect(res.cigar).toBe('10M1D18M'); // GACCTAGGCA, then the run's first T deleted
    expect(res.refStart).toBe(2);
  });
  it('always returns a CIGAR consistent with the read and the reference span', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (seed, edits) => {
        const rng = new Rng(seed, 0);
        const ref = Array.from({ length: 200 }, () => 'ACGT'[rng.int(4)]).join('');
        let read = ref.slice(30, 130);
        for (let e = 0; e < edits; e++) {
          const p = rng.int(read.length - 1);
          const kind = rng.int(3);
          read = kind === 0 ? read.slice(0, p) + 'ACGT'[rng.int(4)] + read.slice(p + 1) : kind === 1 ? read.slice(0, p) + read.slice(p + 1) : read.slice(0, p) + 'G' + read.slice(p);
        }
        const res = bandedAlign(codes(read), read.length, codes(ref), 30 - 16, 30 + 16)!;
        expect(res).not.toBeNull();
        expect(cigarQueryLength(res.cigar)).toBe(read.length);
        expect(res.refEnd - res.refStart).toBe(cigarRefLength(res.cigar));
        // Soft-clipped ends move POS; the unclipped start stays near the true one.
        expect(Math.abs(res.refStart - leadingClip(res.cigar) - 30)).toBeLessThanOrEqual(8);
      }),
      { numRuns: 300 },
    );
  });
});
