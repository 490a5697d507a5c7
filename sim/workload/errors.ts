// Coded errors of the NGC workload model: bad options name the field, the value and what is expected.

export class WorkloadOptionError extends Error {
  readonly code = 'INVALID_WORKLOAD_OPTION';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid workload option: ${field} is ${show(value)}, expected ${expected}`);
    this.name = 'WorkloadOptionError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
