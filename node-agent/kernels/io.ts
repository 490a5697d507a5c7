// File input for the standalone commands: every failure becomes a typed error naming the file.
import { readFileSync } from 'node:fs';
import { InputFileError } from './errors.js';
import { parseFasta } from './fasta.js';
import type { Contig } from './fasta.js';

export function readInput(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new InputFileError(file, reason);
  }
}

export function loadReference(file: string): Contig[] {
  return parseFasta(new TextDecoder().decode(readInput(file)), file);
}
