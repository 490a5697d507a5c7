// Coded errors of the simulator. Each names what was wrong so the user can fix the input.

import { SimError } from './engine/index.js';

export { SimError, SimOptionError, SimInvariantError } from './engine/index.js';

/** A Standard Workload Format file that cannot be replayed as written: never guessed around. */
export class SwfError extends SimError {
  constructor(
    readonly file: string,
    /** 1-based line number; 0 when the problem is the file as a whole. */
    readonly line: number,
    readonly what: string,
  ) {
    super('SWF_INVALID', line > 0 ? `${file}:${line}: ${what}` : `${file}: ${what}`);
    this.name = 'SwfError';
  }
}
