// VCF 4.2: write the truth set and calls; parse VCFs (ours, bcftools') for evaluation.
import { FormatError } from './errors.js';
import type { Contig } from './fasta.js';

export interface VcfRecord {
  contig: string;
  /** 0-based (VCF POS - 1). */
  pos: number;
  ref: string;
  alt: string[];
  qual: number | null;
  /** e.g. "0/1", "1|1". */
  gt: string;
  gq?: number;
  dp?: number;
  ad?: number[];
}

export const SAMPLE_NAME = 'SAMPLE';

export function vcfHeader(contigs: readonly { name: string; length: number }[], source: string): string {
  const lines = [
    '##fileformat=VCFv4.2',
    `##source=${source}`,
    ...contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Read depth at the site">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality (phred)">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${SAMPLE_NAME}`,
  ];
  return lines.join('\n') + '\n';
}

export function vcfLine(r: VcfRecord): string {
  const qual = r.qual === null ? '.' : r.qual.toFixed(1);
  const info = r.dp !== undefined ? `DP=${r.dp}` : '.';
  const fmt = ['GT'];
  const val = [r.gt];
  if (r.gq !== undefined) {
    fmt.push('GQ');
    val.push(String(r.gq));
  }
  if (r.dp !== undefined) {
    fmt.push('DP');
    val.push(String(r.dp));
  }
  if (r.ad !== undefined) {
    fmt.push('AD');
    val.push(r.ad.join(','));
  }
  return `${r.contig}\t${r.pos + 1}\t.\t${r.ref}\t${r.alt.join(',')}\t${qual}\tPASS\t${info}\t${fmt.join(':')}\t${val.join(':')}`;
}

export function writeVcf(contigs: readonly Contig[], records: readonly VcfRecord[], source: string): string {
  const head = vcfHeader(
    contigs.map((c) => ({ name: c.name, length: c.seq.length })),
    source,
  );
  return head + records.map((r) => vcfLine(r) + '\n').join('');
}

/** Parses the fixed columns and the first sample's GT; enough to score calls against truth. */
export function parseVcf(text: string, file = '<vcf>'): VcfRecord[] {
  const out: VcfRecord[] = [];
  const lines = text.split('\n');
  let sawHeader = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.replace(/\r$/, '');
    if (line === '') continue;
    if (line.startsWith('##')) continue;
    if (line.startsWith('#CHROM')) {
      sawHeader = true;
      continue;
    }
    if (!sawHeader) throw new FormatError(file, ln + 1, 'data line before the "#CHROM" header line');
    const f = line.split('\t');
    if (f.length < 8) throw new FormatError(file, ln + 1, `expected at least 8 tab-separated columns, found ${f.length}`);
    const pos = Number(f[1]);
    if (!Number.isInteger(pos) || pos < 1) throw new FormatError(file, ln + 1, `POS ${JSON.stringify(f[1])} is not a positive integer`);
    if (!/^[ACGTNacgtn]+$/.test(f[3]!)) throw new FormatError(file, ln + 1, `REF ${JSON.stringify(f[3])} is not a base string`);
    const qual = f[5] === '.' ? null : Number(f[5]);
    let gt = '.';
    if (f.length >= 10) {
      const keys = f[8]!.split(':');
      const vals = f[9]!.split(':');
      const i = keys.indexOf('GT');
      if (i >= 0) gt = vals[i] ?? '.';
    }
    out.push({ contig: f[0]!, pos: pos - 1, ref: f[3]!.toUpperCase(), alt: f[4]!.toUpperCase().split(','), qual, gt });
  }
  if (!sawHeader) throw new FormatError(file, 1, 'no "#CHROM" header line; is this a VCF file?');
  return out;
}
