// Errors of the state folder: what is wrong with it and what to do.

export class StateDirError extends Error {
  constructor(dir: string, cause: string) {
    super(`cannot use state folder ${dir}: ${cause}`);
    this.name = 'StateDirError';
  }
}

/** The folder's data is damaged: refuse rather than start from a wrong or empty state. */
export class StateCorruptError extends StateDirError {
  constructor(
    dir: string,
    /** What is damaged, without the advice (fsck lists these). */
    readonly damage: string,
  ) {
    super(dir, `${damage}. Run 'gsched fsck ${dir}' for a full report; restore the folder from a backup, or move it aside to start afresh`);
    this.name = 'StateCorruptError';
  }
}

/** The folder was written by a newer gsched whose format this one cannot read. */
export class SchemaTooNewError extends StateDirError {
  constructor(dir: string, found: number, known: number) {
    super(dir, `it was written by a newer gsched (state schema ${found}; this one reads up to ${known}). Upgrade gsched to use it`);
    this.name = 'SchemaTooNewError';
  }
}

/** One stored record fails its checksum or cannot be decoded. */
export class RecordCorruptError extends Error {
  constructor(
    readonly db: string,
    readonly key: number | string,
    detail: string,
  ) {
    super(`stored record ${db}/${String(key)} is damaged: ${detail}`);
    this.name = 'RecordCorruptError';
  }
}

export class JournalCorruptError extends Error {
  constructor(seq: number, detail: string) {
    super(`journal record ${seq} cannot be replayed (${detail}); move the state folder aside to start afresh`);
    this.name = 'JournalCorruptError';
  }
}
