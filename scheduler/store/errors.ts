// Errors of the state folder: what is wrong with it and what to do.

export class StateDirError extends Error {
  constructor(dir: string, cause: string) {
    super(`cannot use state folder ${dir}: ${cause}`);
    this.name = 'StateDirError';
  }
}

export class JournalCorruptError extends Error {
  constructor(seq: number, detail: string) {
    super(`journal record ${seq} cannot be replayed (${detail}); move the state folder aside to start afresh`);
    this.name = 'JournalCorruptError';
  }
}
