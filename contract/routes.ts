// Every HTTP route, once: method, path, what it takes, what it answers and which error codes
// it may send. scheduler/api registers its handlers against these entries (so a route cannot
// exist without its contract), the CLI client calls through them, and /docs/openapi.json is
// generated from the same objects. A new route is a new entry here first.
import { Type, type Static, type TSchema } from 'typebox';
import { ERRORS, type ErrorCode } from './errors.js';
import { PATHS, type Method } from './paths/index.js';
import * as S from './schemas.js';

export type { Method };
import { DashboardStats } from './stats.js';


export interface RouteSpec {
  method: Method;
  /** fastify's path syntax: `/api/v1/jobs/:id`. */
  url: string;
  summary: string;
  description?: string;
  /** Groups in the API document. */
  tags: readonly string[];
  /** `bearer`: needs `Authorization: Bearer <token>`; `open`: anyone may call it. */
  auth: 'bearer' | 'open';
  /** Roles admitted besides admin (who may call every route); absent on a bearer route: admin only. */
  roles?: readonly S.Role[];
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  reply: { status: 200 | 201 | 202; schema: TSchema; contentType?: string };
  /** Codes from contract/errors.ts this route may answer with, beyond the ones every route has. */
  errors: readonly ErrorCode[];
}

/** Identity, so each entry keeps its literal types (the server and client infer from them). */
export function route<const R extends RouteSpec>(r: R): R {
  return r;
}

const JOB_BODY_ERRORS = ['INVALID_JSON', 'INVALID_BODY', 'UNKNOWN_FIELD', 'TOO_DEEP', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const;
/** Who reads jobs, nodes and the cluster (a submitter sees its accounts' jobs, a viewer no pseudonyms). */
const READERS = ['operator', 'submitter', 'auditor', 'viewer', 'consent-officer'] as const;

export const ROUTES = {
  health: route({
    ...PATHS.health,
    summary: 'Liveness: the API answers, with the number of agents connected',
    tags: ['system'],
    auth: 'open',
    reply: { status: 200, schema: S.Health },
    errors: [],
  }),
  metrics: route({
    ...PATHS.metrics,
    summary: 'Prometheus exposition of the scheduler’s metrics (text format 0.0.4)',
    tags: ['system'],
    auth: 'open',
    reply: { status: 200, schema: Type.String(), contentType: 'text/plain; version=0.0.4; charset=utf-8' },
    errors: [],
  }),
  submitJob: route({
    ...PATHS.submitJob,
    summary: 'Submit a job (or a job array): 201 with its ids, or the reason it was refused',
    description: 'A submitter submits to its own accounts only, as itself (the owner is its token’s name), with nice 0 or more.',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator', 'submitter'],
    body: S.JobSpec,
    reply: { status: 201, schema: S.SubmitReply },
    errors: [...JOB_BODY_ERRORS, 'INVALID_HEADER', 'IDEMPOTENCY_KEY_REUSED', 'ACCOUNT_NOT_ALLOWED', 'OWNER_NOT_ALLOWED', 'INVALID_JOB', 'UNKNOWN_PARTITION', 'UNKNOWN_QOS', 'UNKNOWN_ACCOUNT', 'TOO_LARGE', 'UNKNOWN_DEPENDENCY', 'DAG_CYCLE', 'CONSENT_REQUIRED', 'CONSENT_RESTRICTED', 'PURPOSE_MISMATCH', 'PSEUDONYMS_REQUIRED', 'QOS_NOT_ALLOWED', 'PARTITION_NOT_ALLOWED', 'LIMIT_EXCEEDED', 'UNKNOWN_RESERVATION', 'RESERVATION_NOT_ALLOWED', 'INVALID_STATE'],
  }),
  submitAnalysis: route({
    ...PATHS.submitAnalysis,
    summary: 'Submit one analysis from its pipeline template: the class picks the DAG, QoS and partition',
    tags: ['analyses'],
    auth: 'bearer',
    roles: ['operator'],
    body: S.AnalysisRequest,
    reply: { status: 201, schema: S.SubmitReply },
    errors: [...JOB_BODY_ERRORS, 'UNKNOWN_CLASS', 'PSEUDONYM_COUNT', 'INVALID_JOB', 'UNKNOWN_ACCOUNT', 'TOO_LARGE', 'CONSENT_REQUIRED', 'CONSENT_RESTRICTED'],
  }),
  submitRun: route({
    ...PATHS.submitRun,
    summary: 'A sequencing run landed: one analysis per sample, each through the consent gate; idempotent per run id',
    description: 'A repeat of a run id answers 200 with the first answer (created: false); the same id with other samples is a 409.',
    tags: ['analyses'],
    auth: 'bearer',
    roles: ['operator'],
    body: S.RunRequest,
    reply: { status: 201, schema: S.RunReply },
    errors: [...JOB_BODY_ERRORS, 'UNKNOWN_CLASS', 'PSEUDONYM_COUNT', 'RUN_CONFLICT'],
  }),
  listJobs: route({
    ...PATHS.listJobs,
    summary: 'List jobs: pending first in queue order, then the rest newest first; paginated',
    tags: ['jobs'],
    auth: 'bearer',
    roles: READERS,
    querystring: S.JobListQuery,
    reply: { status: 200, schema: S.JobList },
    errors: ['INVALID_QUERY'],
  }),
  getJob: route({
    ...PATHS.getJob,
    summary: 'One job with its tasks, pending reason, queue position, priority breakdown and results',
    tags: ['jobs'],
    auth: 'bearer',
    roles: READERS,
    params: S.JobIdParams,
    reply: { status: 200, schema: S.JobDetail },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB'],
  }),
  forecast: route({
    ...PATHS.forecast,
    summary: 'Expected start and end of every pending and running job (squeue --start), from a simulation forked off the live core',
    description: 'The simulator takes up the live core’s state at the scheduler’s clock, with each running task ending at its modelled time, and plays the queue out with no new work. Urgent analyses carry their 8 h target and whether the forecast meets it.',
    tags: ['jobs'],
    auth: 'bearer',
    roles: READERS,
    querystring: S.ForecastQuery,
    reply: { status: 200, schema: S.ForecastReply },
    errors: ['INVALID_QUERY'],
  }),
  jobForecast: route({
    ...PATHS.jobForecast,
    summary: 'One job’s expected start and end (and, for rapid WGS, whether its 8 h target will be met), from the twin',
    tags: ['jobs'],
    auth: 'bearer',
    roles: READERS,
    params: S.JobIdParams,
    reply: { status: 200, schema: S.JobForecastReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE'],
  }),
  cancelJob: route({
    ...PATHS.cancelJob,
    summary: 'Cancel a job: its pending tasks leave the queue, its running tasks are killed',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator', 'submitter'],
    params: S.JobIdParams,
    querystring: S.CancelQuery,
    reply: { status: 200, schema: S.CancelReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', 'INVALID_QUERY'],
  }),
  signalJob: route({
    ...PATHS.signalJob,
    summary: 'Send a signal to a running job’s commands without ending it (scancel --signal)',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.JobIdParams,
    body: S.SignalRequest,
    reply: { status: 200, schema: S.SignalReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', ...JOB_BODY_ERRORS],
  }),
  holdJob: route({
    ...PATHS.holdJob,
    summary: 'Hold a pending job (scontrol hold / uhold): it waits with JobHeldAdmin or JobHeldUser; an array’s id holds every pending element',
    description: 'Without a kind, an operator’s hold is JobHeldAdmin and a submitter’s JobHeldUser. A submitter holds only its own accounts’ jobs, and only as their owner (kind user); another account’s job answers 404.',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator', 'submitter'],
    params: S.JobIdParams,
    body: S.HoldRequest,
    reply: { status: 200, schema: S.ControlReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', ...JOB_BODY_ERRORS],
  }),
  releaseJob: route({
    ...PATHS.releaseJob,
    summary: 'Release a held job (scontrol release); a user release cannot lift an operator’s hold',
    description: 'A submitter releases only its own accounts’ jobs, and only a user hold; another account’s job answers 404.',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator', 'submitter'],
    params: S.JobIdParams,
    body: S.ReleaseRequest,
    reply: { status: 200, schema: S.ControlReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', ...JOB_BODY_ERRORS],
  }),
  requeueJob: route({
    ...PATHS.requeueJob,
    summary: 'Requeue a job (scontrol requeue / requeuehold): running tasks stop and wait again',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.JobIdParams,
    body: S.RequeueRequest,
    reply: { status: 200, schema: S.ControlReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', ...JOB_BODY_ERRORS],
  }),
  updateJob: route({
    ...PATHS.updateJob,
    summary: 'Change a job (scontrol update): time limit, partition, QoS, nice, begin time, dependencies, array throttle',
    description: 'A submitter updates only its own accounts’ jobs, as Slurm lets a user: nice 0 or more, a shorter time limit, a QoS its account may use; another account’s job answers 404.',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator', 'submitter'],
    params: S.JobIdParams,
    body: S.JobUpdate,
    reply: { status: 200, schema: S.ControlReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE', 'UNKNOWN_QOS', 'UNKNOWN_PARTITION', 'PARTITION_NOT_ALLOWED', 'QOS_NOT_ALLOWED', 'PURPOSE_MISMATCH', 'TOO_LARGE', 'UNKNOWN_DEPENDENCY', 'DAG_CYCLE', 'INVALID_JOB', ...JOB_BODY_ERRORS],
  }),
  topJob: route({
    ...PATHS.topJob,
    summary: 'Put a pending job first in the queue (scontrol top): its nice is set just low enough',
    tags: ['jobs'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.JobIdParams,
    reply: { status: 200, schema: S.ControlReply },
    errors: ['INVALID_JOB_ID', 'UNKNOWN_JOB', 'INVALID_STATE'],
  }),
  accounting: route({
    ...PATHS.accounting,
    summary: 'sacct: jobs with elapsed time, cores, core-hours, memory, nodes, exit code and energy; ended jobs come from an index',
    tags: ['accounting'],
    auth: 'bearer',
    roles: ['operator', 'auditor'],
    querystring: S.AcctQuery,
    reply: { status: 200, schema: S.AcctReply },
    errors: ['INVALID_QUERY'],
  }),
  usageReport: route({
    ...PATHS.usageReport,
    summary: 'sreport: core-hours and energy per account, region or analysis class over a window',
    tags: ['accounting'],
    auth: 'bearer',
    roles: ['operator', 'auditor'],
    querystring: S.UsageQuery,
    reply: { status: 200, schema: S.UsageReply },
    errors: ['INVALID_QUERY'],
  }),
  fairshare: route({
    ...PATHS.fairshare,
    summary: 'sshare: every account’s shares, decayed usage and Fair Tree factor',
    tags: ['accounting'],
    auth: 'bearer',
    roles: ['operator', 'auditor', 'viewer'],
    reply: { status: 200, schema: S.FairShareReply },
    errors: [],
  }),
  listNodes: route({
    ...PATHS.listNodes,
    summary: 'Every node with its state, cores and memory in use',
    tags: ['nodes'],
    auth: 'bearer',
    roles: READERS,
    reply: { status: 200, schema: S.NodeList },
    errors: [],
  }),
  drainNode: route({
    ...PATHS.drainNode,
    summary: 'Drain a node: no new work; running tasks finish. An optional body {reason, by} is kept and listed (sinfo -R)',
    tags: ['nodes'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.NodeParams,
    reply: { status: 200, schema: S.NodeView },
    errors: ['UNKNOWN_NODE', 'INVALID_STATE', 'INVALID_JSON', 'INVALID_BODY'],
  }),
  resumeNode: route({
    ...PATHS.resumeNode,
    summary: 'Resume a drained node, or bring a node an operator marked down back up',
    tags: ['nodes'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.NodeParams,
    reply: { status: 200, schema: S.NodeView },
    errors: ['UNKNOWN_NODE', 'INVALID_STATE', 'INVALID_JSON', 'UNKNOWN_FIELD'],
  }),
  downNode: route({
    ...PATHS.downNode,
    summary: 'Mark a node DOWN: its tasks are stopped and requeued, and it stays down (even when its agent reconnects) until resumed',
    tags: ['nodes'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.NodeParams,
    reply: { status: 200, schema: S.NodeView },
    errors: ['UNKNOWN_NODE', 'INVALID_STATE', 'INVALID_JSON', 'INVALID_BODY', 'UNKNOWN_FIELD'],
  }),
  listReservations: route({
    ...PATHS.listReservations,
    summary: 'Advance reservations (scontrol show reservation): nodes, window, flags, accounts, state',
    tags: ['reservations'],
    auth: 'bearer',
    roles: READERS,
    reply: { status: 200, schema: S.ReservationList },
    errors: [],
  }),
  createReservation: route({
    ...PATHS.createReservation,
    summary: 'Create an advance reservation (scontrol create reservation): nodes or a core count, a window, maint and ignore_jobs, accounts',
    description: 'Jobs that do not ask for it are not placed on its nodes where their time limit would reach into the window; jobs that ask for it (reservation in the job) run only there and then. Kept in the journal and snapshots: it survives a restart.',
    tags: ['reservations'],
    auth: 'bearer',
    roles: ['operator'],
    body: S.ReservationRequest,
    reply: { status: 201, schema: S.ReservationView },
    errors: [...JOB_BODY_ERRORS, 'INVALID_RESERVATION', 'RESERVATION_CONFLICT', 'UNKNOWN_NODE', 'UNKNOWN_ACCOUNT', 'INVALID_STATE'],
  }),
  deleteReservation: route({
    ...PATHS.deleteReservation,
    summary: 'Delete an advance reservation (refused while unended jobs asked for it)',
    tags: ['reservations'],
    auth: 'bearer',
    roles: ['operator'],
    params: S.ReservationParams,
    reply: { status: 200, schema: S.ReservationView },
    errors: ['UNKNOWN_RESERVATION', 'INVALID_STATE'],
  }),
  reconfigure: route({
    ...PATHS.reconfigure,
    summary: 'Reload the cluster config file the scheduler was started with (scontrol reconfigure), without a restart',
    description: 'Partitions, QoS, accounts, limits and consent settings may change. A config that the state no longer fits (a removed partition, QoS or account that unended jobs or reservations use; a waiting task no node of its partition would hold; changed nodes or scheduler section) is refused with CONFIG_CONFLICT, whose message lists every conflict; nothing changes then. Journalled: a restart comes back under it.',
    tags: ['system'],
    auth: 'bearer',
    reply: { status: 200, schema: S.ReconfigureReply },
    errors: ['INVALID_CONFIG', 'CONFIG_CONFLICT', 'INVALID_STATE'],
  }),
  cluster: route({
    ...PATHS.cluster,
    summary: 'Containers and core totals (used, idle, down), job and task counts, agents',
    tags: ['nodes'],
    auth: 'bearer',
    roles: READERS,
    reply: { status: 200, schema: S.ClusterReply },
    errors: [],
  }),
  whoami: route({
    ...PATHS.whoami,
    summary: 'The identity, role and accounts of the token that asks: the owner its jobs get (squeue --me, scancel --me)',
    tags: ['tokens'],
    auth: 'bearer',
    roles: READERS,
    reply: { status: 200, schema: S.WhoAmIReply },
    errors: [],
  }),
  recordConsent: route({
    ...PATHS.recordConsent,
    summary: 'Record a patient’s consent (grant, restrict, withdraw) by pseudonym or by CPR number (turned into the pseudonym at once)',
    tags: ['consent'],
    auth: 'bearer',
    roles: ['consent-officer'],
    body: S.ConsentRequest,
    reply: { status: 200, schema: S.ConsentReply },
    errors: [...JOB_BODY_ERRORS, 'INVALID_CPR', 'DOCUMENT_REQUIRED', 'INVALID_STATE'],
  }),
  consentOf: route({
    ...PATHS.consentOf,
    summary: 'A patient’s consent: written consent (who, when, document), restriction, withdrawal and the full history',
    tags: ['consent'],
    auth: 'bearer',
    roles: ['consent-officer', 'auditor'],
    params: S.PseudonymParams,
    reply: { status: 200, schema: S.ConsentRecord },
    errors: ['NO_CONSENT'],
  }),
  createToken: route({
    ...PATHS.createToken,
    summary: 'Create an API token with an identity and a role; the token is in this answer only (its hash is kept)',
    tags: ['tokens'],
    auth: 'bearer',
    body: S.TokenCreate,
    reply: { status: 201, schema: S.TokenCreated },
    errors: [...JOB_BODY_ERRORS, 'INVALID_TOKEN_SPEC', 'UNKNOWN_ACCOUNT'],
  }),
  listTokens: route({
    ...PATHS.listTokens,
    summary: 'Every token, active and revoked (never the token itself)',
    tags: ['tokens'],
    auth: 'bearer',
    reply: { status: 200, schema: S.TokenList },
    errors: [],
  }),
  revokeToken: route({
    ...PATHS.revokeToken,
    summary: 'Revoke a token at once',
    tags: ['tokens'],
    auth: 'bearer',
    params: S.TokenIdParams,
    reply: { status: 200, schema: S.TokenInfo },
    errors: ['UNKNOWN_TOKEN', 'LAST_ADMIN'],
  }),
  audit: route({
    ...PATHS.audit,
    summary: 'The audit log in order: who (token identity and role), from where, when, what, to which object',
    tags: ['audit'],
    auth: 'bearer',
    roles: ['auditor'],
    querystring: S.AuditQuery,
    reply: { status: 200, schema: S.AuditPage },
    errors: ['INVALID_QUERY'],
  }),
  auditVerify: route({
    ...PATHS.auditVerify,
    summary: 'Walk the hash chain: ok, or the first entry that was edited, inserted or removed',
    tags: ['audit'],
    auth: 'bearer',
    roles: ['auditor'],
    reply: { status: 200, schema: S.AuditVerdict },
    errors: [],
  }),
  events: route({
    ...PATHS.events,
    summary: 'Server-sent events: job, node, consent and reservation changes as they happen',
    description:
      'A text/event-stream. Each event has an `id`, an `event` (job, node, consent, reservation; or reset when events since Last-Event-ID were lost: re-read the state) and JSON `data` (schemas JobEvent, NodeEvent, ConsentEvent, ReservationEvent). Send Last-Event-ID (or ?lastEventId=) to resume after a reconnect. A comment line `: heartbeat` comes every 15 s. Roles that do not see pseudonyms get events without them.',
    tags: ['events'],
    auth: 'bearer',
    roles: ['operator', 'auditor', 'viewer'],
    querystring: Type.Object({ lastEventId: Type.Optional(Type.String({ description: 'Resume after this event id (same as the Last-Event-ID header)' })) }),
    reply: { status: 200, schema: Type.String({ description: 'An event stream' }), contentType: 'text/event-stream' },
    errors: ['INVALID_QUERY'],
  }),
  stats: route({
    ...PATHS.stats,
    summary: 'The metrics snapshot as JSON with ten minutes of history: what the dashboard shows',
    tags: ['metrics'],
    auth: 'bearer',
    roles: READERS,
    reply: { status: 200, schema: DashboardStats },
    errors: [],
  }),
  dashboardPage: route({
    ...PATHS.dashboardPage,
    summary: 'The dashboard (open the URL `gsched up` prints: it carries a viewer token after the #)',
    tags: ['dashboard'],
    auth: 'open',
    reply: { status: 200, schema: Type.String(), contentType: 'text/html; charset=utf-8' },
    errors: [],
  }),
  dashboardAsset: route({
    ...PATHS.dashboardAsset,
    summary: 'A file of the dashboard page (its scripts, style sheet and uPlot)',
    tags: ['dashboard'],
    auth: 'open',
    params: Type.Object({ file: Type.String() }),
    reply: { status: 200, schema: Type.Unknown({ description: 'The file' }), contentType: 'application/javascript' },
    errors: ['NOT_FOUND'],
  }),
  docsPage: route({
    ...PATHS.docsPage,
    summary: 'This API’s documentation, browsable (Swagger UI, served from the npm package)',
    tags: ['docs'],
    auth: 'open',
    reply: { status: 200, schema: Type.String(), contentType: 'text/html; charset=utf-8' },
    errors: [],
  }),
  openApi: route({
    ...PATHS.openApi,
    summary: 'The OpenAPI 3.1 document, generated from the schemas the routes validate with',
    tags: ['docs'],
    auth: 'open',
    reply: { status: 200, schema: Type.Unknown({ description: 'An OpenAPI 3.1 document' }) },
    errors: [],
  }),
  docsAsset: route({
    ...PATHS.docsAsset,
    summary: 'A file of the documentation page (script or style sheet)',
    tags: ['docs'],
    auth: 'open',
    params: Type.Object({ file: Type.String() }),
    reply: { status: 200, schema: Type.Unknown({ description: 'The file' }), contentType: 'application/javascript' },
    errors: ['NOT_FOUND'],
  }),
} as const;

export type RouteName = keyof typeof ROUTES;

/** What a route answers on success. */
export type ReplyOf<R extends RouteSpec> = Static<R['reply']['schema']>;
/** What a route takes as its body (never when it takes none). */
export type BodyOf<R extends RouteSpec> = R['body'] extends TSchema ? Static<R['body']> : never;

/** Codes any route may answer with: bad auth on bearer routes, and a failure of the scheduler. */
export function errorsOf(r: RouteSpec): ErrorCode[] {
  const all: ErrorCode[] = r.auth === 'bearer' ? ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'CPR_NOT_ALLOWED', ...r.errors, 'AUDIT_UNAVAILABLE', 'INTERNAL'] : [...r.errors, 'INTERNAL'];
  return [...new Set(all)];
}

/**
 * The route's fastify schema: what fastify validates requests and serializes replies with,
 * and what @fastify/swagger turns into the OpenAPI document. Error statuses answer with
 * problem+json whose `code` is one of the codes listed in the description.
 */
export function fastifySchema<const R extends RouteSpec>(name: string, r: R): FastifySchemaOf<R> {
  const response: Record<string, TSchema> = { [r.reply.status]: r.reply.schema };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(r)) {
    const http = ERRORS[code].http;
    byStatus.set(http, [...(byStatus.get(http) ?? []), code]);
  }
  for (const [http, codes] of byStatus) response[http] = Type.Object(S.Problem.properties, { description: `problem+json with code ${codes.join(', ')}` });
  const schema: Record<string, unknown> = { operationId: name, summary: r.summary, tags: [...r.tags], response };
  if (r.description !== undefined) schema.description = r.description;
  if (r.auth === 'bearer') schema.security = [{ bearer: [] }];
  if (r.params !== undefined) schema.params = r.params;
  if (r.querystring !== undefined) schema.querystring = r.querystring;
  if (r.body !== undefined) schema.body = r.body;
  return schema as unknown as FastifySchemaOf<R>;
}

/** The static shape of fastifySchema's result, for fastify's type provider to infer from. */
export interface FastifySchemaOf<R extends RouteSpec> {
  operationId: string;
  summary: string;
  tags: string[];
  params: R['params'];
  querystring: R['querystring'];
  body: R['body'];
  response: { [K in R['reply']['status']]: R['reply']['schema'] };
}
