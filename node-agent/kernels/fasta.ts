// FASTA reference: parse (with file:line errors) and write. Sequences are held as upper-case
// ASCII bytes; IUPAC ambiguity codes become N, as aligners and callers treat them.
import { FormatError } from './errors.js';

export interface Contig {
  name: string;
  /** Upper-case ASCII: A C G T N. */
  seq: Uint8Array;
}

const FASTA_CODE = (() => {
  const t = new Int16Array(256).fill(-1);
  for (const c of 'ACGTN') {
    t[c.charCodeAt(0)] = c.charCodeAt(0);
    t[c.toLowerCase().charCodeAt(0)] = c.charCodeAt(0);
  }
  for (const c of 'RYKMSWBDHVU.-') {
    t[c.charCodeAt(0)] = 78;
    t[c.toLowerCase().charCodeAt(0)] = 78;
  }
  return t;
})();

export function parseFasta(text: string, file = '<fasta>'): Contig[] {
  const contigs: Contig[] = [];
  let name: string | null = null;
  let chunks: string[] = [];
  const flush = (): void => {
    if (name === null) return;
    const s = chunks.join('');
    const seq = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) seq[i] = FASTA_CODE[s.charCodeAt(i)]!;
    contigs.push({ name, seq });
  };
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    let line = lines[ln]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    if (line.charCodeAt(0) === 62 /* > */) {
      flush();
      name = line.slice(1).trim().split(/\s+/)[0] ?? '';
      if (name === '') throw new FormatError(file, ln + 1, 'FASTA header has no sequence name after ">"');
      if (contigs.some((c) => c.name === name)) throw new FormatError(file, ln + 1, `duplicate sequence name "${name}"`);
      chunks = [];
      continue;
    }
    if (name === null) throw new FormatError(file, ln + 1, 'sequence data before the first ">" header; is this a FASTA file?');
    for (let i = 0; i < line.length; i++) {
      if (FASTA_CODE[line.charCodeAt(i)]! < 0) {
        throw new FormatError(file, ln + 1, `invalid base ${JSON.stringify(line[i])} at column ${i + 1}`);
      }
    }
    chunks.push(line);
  }
  flush();
  if (contigs.length === 0) throw new FormatError(file, 1, 'no FASTA records (expected a ">name" header)');
  for (const c of contigs) if (c.seq.length === 0) throw new FormatError(file, 1, `sequence "${c.name}" is empty`);
  return contigs;
}

export function writeFasta(contigs: readonly Contig[], width = 60): string {
  const out: string[] = [];
  const dec = new TextDecoder();
  for (const c of contigs) {
    out.push(`>${c.name}`);
    for (let i = 0; i < c.seq.length; i += width) out.push(dec.decode(c.seq.subarray(i, i + width)));
  }
  return out.join('\n') + '\n';
}
