// Problem details (RFC 9457) for every error the HTTP API returns. A problem's HTTP status
// comes from its code's row in the one error table (contract/errors.ts), never from the site
// that throws it.
import { ERRORS, HTTP_TITLES, type ErrorCode, type Problem } from '../../contract/index.js';
import type { CoreRejection } from '../core/index.js';

export class ApiProblem extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
    this.status = ERRORS[code].http;
  }
}

/** A core refusal as a problem: the core's code, its field and its sentence. */
export function rejection(error: CoreRejection): ApiProblem {
  return new ApiProblem(error.code, error.message, error.field);
}

export type ProblemBody = Problem;

export function problemBody(p: ApiProblem): ProblemBody {
  const body: ProblemBody = {
    type: `urn:gsched:problem:${p.code.toLowerCase().replace(/_/g, '-')}`,
    title: HTTP_TITLES[p.status] ?? 'Error',
    status: p.status,
    detail: p.message,
    code: p.code,
  };
  if (p.field !== undefined) body.field = p.field;
  return body;
}
