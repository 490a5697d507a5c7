// Problem details (RFC 9457) for every error the HTTP API returns, and how core rejection
// codes map onto HTTP statuses.
import type { RejectionCode } from '../core/index.js';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

const STATUS_OF: Record<RejectionCode, number> = {
  INVALID_JOB: 400,
  UNKNOWN_PARTITION: 422,
  UNKNOWN_QOS: 422,
  UNKNOWN_ACCOUNT: 422,
  TOO_LARGE: 422,
  UNKNOWN_DEPENDENCY: 422,
  DAG_CYCLE: 422,
  CONSENT_REQUIRED: 422,
  CONSENT_RESTRICTED: 422,
  UNKNOWN_JOB: 404,
  UNKNOWN_TASK: 404,
  UNKNOWN_NODE: 404,
  INVALID_STATE: 409,
};

/** A core refusal as a problem: the core's code, its field and its sentence. */
export function rejection(error: { code: RejectionCode; field?: string; message: string }): ApiProblem {
  return new ApiProblem(STATUS_OF[error.code] ?? 400, error.code, error.message, error.field);
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
}

export function problemBody(p: ApiProblem): ProblemBody {
  const body: ProblemBody = {
    type: `urn:gsched:problem:${p.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    detail: p.message,
    code: p.code,
  };
  if (p.field !== undefined) body.field = p.field;
  return body;
}
