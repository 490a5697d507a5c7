// Coded errors of the simulator's engine (and so of every simulation). Each names what was
// wrong so the user can fix the input.

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
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
