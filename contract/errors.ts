// The one table of error codes: what each means and the HTTP and gRPC status it travels
// with. The API's problem+json bodies carry these codes, the OpenAPI document lists them per
// route, and contract/errors.test.ts checks this table against the README's "Errors" table.

/** gRPC's canonical status names (grpc/grpc doc/statuscodes.md). */
export type GrpcStatus =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

export interface ErrorEntry {
  http: number;
  grpc: GrpcStatus;
  /** One line for the README: when the code is sent. */
  meaning: string;
}

// Order: the core's refusals first (a test checks every RejectionCode is here), then the
// API's own. 400 is a malformed request, 422 a well-formed one the scheduler refuses.
export const ERRORS = {
  INVALID_JOB: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the job spec is malformed (the field says where)' },
  UNKNOWN_PARTITION: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'no partition of that name' },
  UNKNOWN_QOS: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'no QoS of that name' },
  UNKNOWN_ACCOUNT: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'no account of that name' },
  TOO_LARGE: { http: 422, grpc: 'OUT_OF_RANGE', meaning: 'a task asks for more than any node of the partition has' },
  UNKNOWN_DEPENDENCY: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'a dependency names a job that does not exist' },
  DAG_CYCLE: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: "the tasks' `after` lists or the dependencies form a cycle" },
  CONSENT_REQUIRED: { http: 422, grpc: 'FAILED_PRECONDITION', meaning: 'a pseudonym has no consent on record that allows this purpose' },
  CONSENT_RESTRICTED: { http: 422, grpc: 'PERMISSION_DENIED', meaning: "a pseudonym's data is restricted to the patient's own treatment" },
  PURPOSE_MISMATCH: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'the declared purpose contradicts the partition or account (research there means research)' },
  PSEUDONYMS_REQUIRED: { http: 422, grpc: 'FAILED_PRECONDITION', meaning: 'a job that reads patient data (its kernel or class) names no pseudonym' },
  QOS_NOT_ALLOWED: { http: 422, grpc: 'PERMISSION_DENIED', meaning: 'the account may not use that QoS (the cluster config lists what it may)' },
  PARTITION_NOT_ALLOWED: { http: 422, grpc: 'PERMISSION_DENIED', meaning: 'the account may not use that partition (the cluster config lists what it may, and the partition’s AllowAccounts)' },
  UNKNOWN_RESERVATION: { http: 422, grpc: 'NOT_FOUND', meaning: 'no advance reservation of that name' },
  INVALID_RESERVATION: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the reservation is malformed: name, nodes or cores, window, accounts (the field says which)' },
  RESERVATION_CONFLICT: { http: 409, grpc: 'FAILED_PRECONDITION', meaning: 'the reservation’s nodes are in another reservation then, or run tasks into its window (ignore_jobs allows that)' },
  RESERVATION_NOT_ALLOWED: { http: 422, grpc: 'PERMISSION_DENIED', meaning: 'the job’s account is not one the reservation is for' },
  INVALID_CONFIG: { http: 422, grpc: 'FAILED_PRECONDITION', meaning: 'the cluster config file cannot be read or is invalid (the message names the field)' },
  CONFIG_CONFLICT: { http: 409, grpc: 'FAILED_PRECONDITION', meaning: 'the new cluster config does not fit the state (a removed partition, QoS or account still in use, …); the message lists every conflict' },
  LIMIT_EXCEEDED: { http: 422, grpc: 'RESOURCE_EXHAUSTED', meaning: 'a QoS or account limit refuses the job: MaxSubmitJobs, MaxWall, or a task larger than GrpTRES (the field says which)' },
  UNKNOWN_JOB: { http: 404, grpc: 'NOT_FOUND', meaning: 'no job with that id' },
  UNKNOWN_TASK: { http: 404, grpc: 'NOT_FOUND', meaning: 'no task with that id' },
  UNKNOWN_NODE: { http: 404, grpc: 'NOT_FOUND', meaning: 'no node of that name in the cluster config' },
  INVALID_STATE: { http: 409, grpc: 'FAILED_PRECONDITION', meaning: 'the job or node is not in a state that allows this (e.g. cancelling an ended job)' },
  UNKNOWN_CLASS: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'no analysis class (pipeline template) of that name' },
  PSEUDONYM_COUNT: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'the analysis class reads a different number of pseudonyms (a trio: 3)' },
  RUN_CONFLICT: { http: 409, grpc: 'ALREADY_EXISTS', meaning: 'a sequencing run of that id was taken in with other samples' },
  INVALID_JSON: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the body is not valid JSON' },
  INVALID_BODY: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the body does not match the route’s schema (the field says where)' },
  INVALID_QUERY: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'a query parameter is malformed or repeated' },
  INVALID_JOB_ID: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'a job id is not like 123 or 120_3' },
  INVALID_HEADER: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'a header is malformed (the field names it), e.g. an Idempotency-Key that is not 1-255 visible ASCII characters' },
  IDEMPOTENCY_KEY_REUSED: { http: 422, grpc: 'INVALID_ARGUMENT', meaning: 'the Idempotency-Key was used before for a different body; use a new key for a new job' },
  BAD_REQUEST: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the request is malformed in some other way (the detail says how)' },
  UNKNOWN_FIELD: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the body has a field the route does not know (the field says which)' },
  TOO_DEEP: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the body nests objects or arrays more than 32 levels deep' },
  CPR_NOT_ALLOWED: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'a field, the path or the query holds a CPR-shaped number; patients are named by pseudonym' },
  INVALID_CPR: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the consent request’s cpr is not a CPR number' },
  INVALID_TOKEN_SPEC: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'a token cannot have that name, role or accounts (the field says which)' },
  BAD_URL: { http: 400, grpc: 'INVALID_ARGUMENT', meaning: 'the request path is not a valid URL path' },
  UNAUTHORIZED: { http: 401, grpc: 'UNAUTHENTICATED', meaning: 'no bearer token, or not a valid one' },
  FORBIDDEN: { http: 403, grpc: 'PERMISSION_DENIED', meaning: 'the token’s role may not use this route (the detail names the roles that may)' },
  ACCOUNT_NOT_ALLOWED: { http: 403, grpc: 'PERMISSION_DENIED', meaning: 'a submitter token submitted to an account it is not bound to' },
  OWNER_NOT_ALLOWED: { http: 403, grpc: 'PERMISSION_DENIED', meaning: 'a submitter named an owner other than its own identity' },
  UNKNOWN_TOKEN: { http: 404, grpc: 'NOT_FOUND', meaning: 'no token with that id' },
  NO_CONSENT: { http: 404, grpc: 'NOT_FOUND', meaning: 'no consent on record for that pseudonym' },
  LAST_ADMIN: { http: 409, grpc: 'FAILED_PRECONDITION', meaning: 'revoking it would leave no admin token' },
  DOCUMENT_REQUIRED: { http: 422, grpc: 'FAILED_PRECONDITION', meaning: 'a grant or restriction with no written consent on record needs documentRef' },
  RATE_LIMITED: { http: 429, grpc: 'RESOURCE_EXHAUSTED', meaning: 'the token (or, for refused tokens, the address) is over its rate limit; Retry-After says when to retry' },
  PATH_TOO_LONG: { http: 414, grpc: 'INVALID_ARGUMENT', meaning: 'a path parameter is longer than 100 characters' },
  NOT_FOUND: { http: 404, grpc: 'UNIMPLEMENTED', meaning: 'no such route' },
  BODY_TOO_LARGE: { http: 413, grpc: 'RESOURCE_EXHAUSTED', meaning: 'the body is larger than the limit (8 MiB)' },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: 'INVALID_ARGUMENT', meaning: 'the body is not application/json' },
  AUDIT_UNAVAILABLE: { http: 503, grpc: 'UNAVAILABLE', meaning: 'the audit log could not record the request, so its answer is withheld (a change may have been applied: check before retrying); the scheduler log says why' },
  INTERNAL: { http: 500, grpc: 'INTERNAL', meaning: 'the scheduler failed; its log says why' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}

/** The title RFC 9457 gives a status: its reason phrase. */
export const HTTP_TITLES: Readonly<Record<number, string>> = {
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
