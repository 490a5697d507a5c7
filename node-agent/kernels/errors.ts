// Typed errors for the kernels: each names the file and line (or the argument) that was wrong,
// so an operator can fix the input without reading a stack trace.
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelError';
  }
}

/** Malformed input file: names the file, the 1-based line and what was expected. */
export class FormatError extends KernelError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly what: string,
  ) {
    super(`${file}:${line}: ${what}`);
    this.name = 'FormatError';
  }
}

/** An input file that cannot be read at all. */
export class InputFileError extends KernelError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'InputFileError';
  }
}

/** Read pairs that do not line up (different counts or names in r1 and r2). */
export class PairingError extends KernelError {
  constructor(
    readonly file1: string,
    readonly file2: string,
    readonly what: string,
  ) {
    super(`${file1} / ${file2}: ${what}`);
    this.name = 'PairingError';
  }
}

/** A task parameter out of range (scale, region, unknown contig...). */
export class TaskParamError extends KernelError {
  constructor(what: string) {
    super(what);
    this.name = 'TaskParamError';
  }
}
