// Coded errors of the core. Outcomes of scheduling are values (see CoreRejection); these
// are for inputs that make the core unusable, such as an invalid cluster configuration.

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid cluster config: ${field} is ${show(value)}, expected ${expected}`);
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
