// Coded errors of the simulator. Each names what was wrong so the user can fix the input.

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

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

/** Options of a simulation run that make no sense (e.g. a non-positive analysis count). */
export class SimOptionError extends SimError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super('SIM_OPTION', `${option} is ${JSON.stringify(value) ?? String(value)}, expected ${expected}`);
    this.name = 'SimOptionError';
  }
}

/** The core refused something the engine fed it in a way that breaks the run's bookkeeping. */
export class SimInvariantError extends SimError {
  constructor(message: string) {
    super('SIM_INVARIANT', message);
    this.name = 'SimInvariantError';
  }
}
