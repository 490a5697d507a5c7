// Coded errors of the report renderer: input it cannot draw names the field at fault.

export class ReportInputError extends Error {
  readonly code = 'INVALID_REPORT_INPUT';
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`invalid report input: ${field} must be ${expected}`);
    this.name = 'ReportInputError';
  }
}
