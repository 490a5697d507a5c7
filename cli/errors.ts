// Errors the CLI reports as one line on stderr, with an exit code that means something:
// 1 a failure of the request, 2 bad usage or input, 3 cannot reach the scheduler.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3 = 1,
    /** The scheduler's error code (contract/errors.ts), when the error is its refusal. */
    readonly code?: string,
    /** The request field the scheduler named as wrong, when it named one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
