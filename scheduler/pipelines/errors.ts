// Coded errors of the pipeline templates: a request for an analysis names what was wrong.

export type PipelineErrorCode = 'UNKNOWN_CLASS' | 'UNKNOWN_LAB' | 'PSEUDONYM_COUNT' | 'INVALID_SEED';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
