// Errors of the protocol package: things a user fixes by changing files or flags.

export class ProtoLoadError extends Error {
  constructor(path: string, cause: string) {
    super(`cannot load the agent protocol from ${path}: ${cause}`);
    this.name = 'ProtoLoadError';
  }
}

export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}
