// Errors of the security layer: what is wrong and what to do about it.

export class SecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityError';
  }
}
