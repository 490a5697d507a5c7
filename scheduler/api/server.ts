// The HTTP API for operators and the CLI (fastify): JSON in and out, problem+json errors,
// bearer tokens with roles on /api/v1 (auth.ts), open /healthz and /metrics. Every route is
// registered from its entry in contract/routes.ts, which gives it its request and reply
// schemas and the roles it admits.
import { hash, randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ROUTES, fastifySchema, type Role, type RouteName, type RouteSpec } from '../../contract/index.js';
import { signalName } from '../../common/index.js';
import { ConfigError, type AdvanceReservationView, type ClusterConfig, type JobSpec, type JobView, type NodeView } from '../core/index.js';
import type { AgentHub } from '../agents/index.js';
import type { Accepted, LiveDriver } from '../driver/index.js';
import { Security, scrubCpr, seesPseudonyms, type AuditDetail, type AuditInput, type RateLimit } from '../security/index.js';
import { DEFAULT_RATE_LIMIT, installAuth, mayAccessAccount } from './auth.js';
import { registerAnalysisRoutes } from './analyses.js';
import { Forecaster } from './forecast.js';
import type { IdempotencyKey } from '../store/index.js';
import { ApiProblem, problemBody, rejection } from './errors.js';
import { EventBus } from '../events/index.js';
import { dashboardFiles } from './dashboard.js';
import { lazyChildLogger } from './lazy-logger.js';
import { docsHandlers } from './docs.js';
import { EventStreams } from './events-route.js';
import { fieldOf } from './field-path.js';
import { listJobs, parseJobQuery } from './jobs-query.js';
import { topNice } from './job-control.js';
import { auditSubmission } from './audit-submission.js';
import { checkOwnerSubmit, checkOwnerUpdate, holdKind } from './submitter-rules.js';
import { accountingRows, parseAcctQuery, usageReport } from './accounting.js';
import type { SchedulerMetrics } from './metrics.js';
import { registerSecurityRoutes } from './security-routes.js';

export interface ApiOptions {
  driver: LiveDriver;
  hub: AgentHub;
  metrics: SchedulerMetrics;
  /** Tokens, consent registry and audit log; opened in the driver's state folder if absent. */
  security?: Security;
  /** Tests: with no `security`, this becomes the admin token of a fresh state folder. */
  apiToken?: string;
  /** Request logging (pino, redacted); none when absent. */
  log?: Logger;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** Requests per token (default 200/s, bursts of 400). */
  rateLimit?: RateLimit;
  /** The rate limits' clock in ms (default performance.now): tests pass one they move. */
  rateClock?: () => number;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** The process's event bus, streamed at /api/v1/events (a fresh, quiet one when absent). */
  events?: EventBus;
  /** Heartbeat comment period of the event stream (default 15 s). */
  eventHeartbeatMs?: number;
  /** Reads the cluster config file again (gsched reconfigure); absent: the route refuses. */
  reloadConfig?: () => ClusterConfig;
}

export interface ApiRoute {
  method: string;
  url: string;
  roles: readonly string[];
}
const ROUTE_LISTS = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Every route of an API built by buildApi (for the fuzz tests: routes added later are covered too). */
export function apiRoutes(app: FastifyInstance): readonly ApiRoute[] {
  return ROUTE_LISTS.get(app) ?? [];
}

/** How a request is logged: no headers (tokens), the path with any CPR-shaped text scrubbed. */
function safeRequest(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: scrubCpr(req.url).slice(0, 300), remoteAddress: req.ip };
}

/** A job as `req`'s principal may see it: a viewer gets no pseudonyms. */
function shown<T extends JobView>(req: FastifyRequest, j: T): T & { pseudonymsHidden?: boolean } {
  return seesPseudonyms(req.principal) || j.pseudonyms.length === 0 ? j : { ...j, pseudonyms: [], pseudonymsHidden: true };
}

const PROBLEM = 'application/problem+json';
/** The API's version in the OpenAPI document: the `/api/v1` contract. */
const API_VERSION = '1.0.0';

function sendProblem(reply: FastifyReply, p: ApiProblem): FastifyReply {
  return reply.code(p.status).type(PROBLEM).send(problemBody(p));
}

type AuditEntry = Omit<AuditInput, 'actor' | 'client'>;

/**
 * Runs an operator's action and audits it. An applied action's entry is appended in the turn
 * its events were (the driver's `journalled` hook), so both commit in one group and one sync:
 * never the action on disk without its entry. A refusal changes nothing and is audited after.
 * `entry(null)` is the applied action's entry, written before its answer is known.
 */
async function auditedAction<T>(req: FastifyRequest, entry: (r: Accepted<T> | null) => AuditEntry, run: (journalled: () => void) => Promise<Accepted<T>> | Accepted<T>): Promise<Accepted<T>> {
  const written: { entry: Promise<void> | null } = { entry: null };
  const r = await run(() => {
    written.entry = req.audit(entry(null));
  });
  await (written.entry ?? req.audit(entry(r)));
  return r;
}

function unwrap<T>(r: Accepted<T>): T {
  if (!r.ok) throw rejection(r.error);
  return r.value;
}

/** The Idempotency-Key header with a hash of the body it came with; undefined without one. */
function idempotencyKey(header: string | string[] | undefined, body: unknown): IdempotencyKey | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ApiProblem('INVALID_HEADER', 'Idempotency-Key must be 1-255 visible ASCII characters (e.g. a UUID)', 'Idempotency-Key');
  }
  // crypto.hash: one call, no Hash object (a third of createHash's cost for a body this size).
  return { key, hash: hash('sha256', JSON.stringify(body), 'base64url') };
}

/** Which part of the request a schema error is in decides its code. */
const INVALID_PART = { body: 'INVALID_BODY', querystring: 'INVALID_QUERY', params: 'BAD_REQUEST', headers: 'BAD_REQUEST' } as const;

/** fastify's own 4xx errors, as codes of the error table. */
function fastifyCode(err: FastifyError): 'INVALID_JSON' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'BAD_REQUEST' {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) return 'INVALID_JSON';
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return 'BODY_TOO_LARGE';
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'BAD_REQUEST';
}

const REGISTERED = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every method and path an API built by buildApi answers (HEAD routes fastify adds left out). */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return REGISTERED.get(app) ?? [];
}

export function buildApi(opts: ApiOptions): FastifyInstance {
  const { driver, hub, metrics } = opts;
  const startedAt = performance.now();
  let security = opts.security;
  if (!security) {
    security = Security.open(driver.store.dir, driver.store.auditTarget());
    security.bootstrap(opts.apiToken);
  }
  const ownSecurity = opts.security === undefined ? security : null;
  const logEveryRequest = opts.log?.isLevelEnabled('debug') ?? false;
  // Request ids: this server's random prefix and a counter (`3f9c0a1e:1b7`), unique without a
  // UUID per request. The colon keeps a digit run of the prefix from joining the counter's
  // into something CPR-shaped in a log line.
  const reqIdPrefix = randomBytes(4).toString('hex');
  let reqCount = 0;
  const app = (Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    ...(opts.log ? { loggerInstance: opts.log.child({}, { serializers: { req: safeRequest } }) as unknown as FastifyBaseLogger } : { logger: false }),
    // fastify's two lines per request (received, completed) only at debug: at info they were an
    // eighth of the scheduler's CPU per submitted job (a synchronous write each). Failures are
    // logged whatever the level (the error handler, with the request id the answer carries),
    // and refusals at info (the onResponse hook below).
    logController: new LogController({ disableRequestLogging: !logEveryRequest }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    // Request ids are ours (a client's x-request-id is not trusted); they stay in the log.
    genReqId: () => `${reqIdPrefix}:${(++reqCount).toString(36)}`,
    requestIdHeader: false,
    // Errors the router raises before any hook (a bad or overlong path): problem+json too.
    frameworkErrors: (err, _req, reply) => {
      const p = err.statusCode === 414 ? new ApiProblem('PATH_TOO_LONG', 'a path parameter is longer than 100 characters') : new ApiProblem('BAD_URL', 'the request path is not a valid URL path');
      void sendProblem(reply as unknown as FastifyReply, p);
    },
    // Types are checked, never coerced: "8" for cores is a 400, not an 8.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance).withTypeProvider<TypeBoxTypeProvider>();
  if (ownSecurity) app.addHook('onClose', async () => ownSecurity.close());
  // Replies are written with JSON.stringify, not compiled from the reply schemas: compiling a
  // serializer per route costs start-up time, and fast-json-stringify coerces a value of the
  // wrong type instead of showing it. The handlers' return types are checked against the reply
  // schemas by the compiler, and the tests check replies against them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const registered: { method: string; url: string }[] = [];
  REGISTERED.set(app, registered);
  const routeList: ApiRoute[] = [];
  ROUTE_LISTS.set(app, routeList);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push({ method: m, url: r.url });
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeList.push({ method, url: r.url, roles: r.config?.roles ?? [] });
  });

  // JSON bodies; an empty body (e.g. POST .../drain from curl) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      done(new ApiProblem('INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiProblem && err.status < 500) return sendProblem(reply, err);
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const params = v?.params as Record<string, unknown> | undefined;
      if (typeof params?.additionalProperty === 'string') {
        const field = fieldOf(v?.instancePath ?? '', params.additionalProperty);
        return sendProblem(reply, new ApiProblem('UNKNOWN_FIELD', `${field} is not a field of this request (check its spelling)`, field));
      }
      const field = fieldOf(v?.instancePath ?? '', params?.missingProperty);
      const part = (err.validationContext ?? 'body') as keyof typeof INVALID_PART;
      const what = field === '' ? `the ${part === 'querystring' ? 'query' : part}` : field;
      return sendProblem(reply, new ApiProblem(INVALID_PART[part] ?? 'BAD_REQUEST', `${what} ${v?.message ?? 'is invalid'}`, field === '' ? undefined : field));
    }
    const status = err instanceof ApiProblem ? err.status : (err.statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const code = fastifyCode(err);
      return sendProblem(reply, new ApiProblem(code, code === 'BODY_TOO_LARGE' ? `the body is larger than the limit of ${app.initialConfig.bodyLimit} bytes` : err.message));
    }
    // Logged under a random reference that the answer carries, so an operator can find this
    // line; not the request id itself, whose counter would tell any client how busy we are.
    const ref = randomBytes(6).toString('hex');
    req.log.error({ err, reqId: req.id, requestId: ref }, 'request failed');
    const p = err instanceof ApiProblem ? err : new ApiProblem('INTERNAL', `the scheduler failed to handle this request; see its log for request ${ref}`);
    return reply.code(p.status).type(PROBLEM).send({ ...problemBody(p), requestId: ref });
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, new ApiProblem('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  // Below debug, a refused request (4xx) is still one line: refusals are what an operator looks
  // for (a client sending CPR numbers, bad tokens, malformed jobs); 5xx are logged as errors above.
  if (opts.log && !logEveryRequest) {
    app.addHook('onResponse', (req, reply, done) => {
      if (reply.statusCode >= 400 && reply.statusCode < 500) req.log.info({ req, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request refused');
      done();
    });
  }

  installAuth(app, { security, rateLimit: opts.rateLimit ?? DEFAULT_RATE_LIMIT, ...(opts.rateClock ? { now: opts.rateClock } : {}) });

  // Each route's method, path, schemas and roles come from the contract; only the handler is here.
  const at = <N extends RouteName>(name: N) => {
    const r: RouteSpec = ROUTES[name];
    return { method: ROUTES[name].method, url: ROUTES[name].url, schema: fastifySchema(name, ROUTES[name]), config: { roles: r.roles ?? ([] as readonly Role[]) } };
  };

  app.route({
    ...at('health'),
    handler: async () => ({ status: 'ok' as const, agents: hub.connectedCount, uptimeS: Math.round((performance.now() - startedAt) / 1000) }),
  });
  app.route({
    ...at('metrics'),
    handler: async (_req, reply) => {
      const text = await metrics.exposition();
      return reply.type(metrics.contentType).send(text);
    },
  });

  app.route({
    ...at('submitJob'),
    handler: async (req, reply) => {
      const p = req.principal;
      const spec = req.body;
      // The owner is who submits: a submitter's own identity, never a free field.
      try {
        checkOwnerSubmit(p, spec);
      } catch (err) {
        if (err instanceof ApiProblem) await req.audit({ action: 'job.submit', object: `account ${spec.account}`, outcome: 'refused', pseudonyms: spec.pseudonyms ?? [], detail: { code: err.code } });
        throw err;
      }
      // The body was parsed for this request alone: filled in place rather than copied (its JSON,
      // which the idempotency hash is taken of, has the same keys in the same order either way).
      spec.owner ??= p.name;
      spec.pseudonyms ??= [];
      const job: JobSpec = spec as JobSpec;
      const idem = idempotencyKey(req.headers['idempotency-key'], job);
      if (idem && driver.idempotencyKeyReused(idem)) {
        throw new ApiProblem('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${JSON.stringify(idem.key)} was used for a different job; use a new key for a new job`, 'Idempotency-Key');
      }
      const { answer: r, durable } = driver.submitNow(job, idem);
      if (r.ok && r.value.replayed) await durable; // the first submit's display ids, once it is on disk
      // The audit entries join the journal's group commit in this same turn: the job's record
      // and its entries are committed in one transaction and one sync; the answer waits for it.
      await Promise.all([durable, auditSubmission(req, 'job.submit', job, r, { account: job.account, partition: job.partition, qos: job.qos, purpose: job.purpose ?? null })]);
      const v = unwrap(r);
      if (v.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ jobIds: v.jobIds, displayIds: v.displayIds });
    },
  });
  registerAnalysisRoutes(app, driver);

  // `now` is the scheduler's (modelled) clock, so clients can show elapsed times in its terms.
  app.route({
    ...at('listJobs'),
    handler: async (req) => {
      const q = parseJobQuery(req.query);
      if (req.principal.role === 'submitter') q.accounts = new Set(req.principal.accounts);
      const page = listJobs(driver, q);
      return { ...page, jobs: page.jobs.map((j) => shown(req, j)), now: driver.clock.now() };
    },
  });

  const jobIdOf = (raw: string): number => {
    const id = driver.resolveJobId(raw);
    if (id === undefined) {
      if (!/^\d+(_\d+)?$/.test(raw)) throw new ApiProblem('INVALID_JOB_ID', `job id ${JSON.stringify(raw.slice(0, 40))} is not like 123 or 120_3`, 'id');
      throw new ApiProblem('UNKNOWN_JOB', `no job ${raw}`, 'id');
    }
    return id;
  };
  /** The job, if it exists and the principal may see it (another account's job is "no job"). */
  const visibleJob = (req: FastifyRequest, raw: string): { id: number; view: NonNullable<ReturnType<LiveDriver['jobView']>> } => {
    const id = jobIdOf(raw);
    const view = driver.jobView(id);
    if (!view || !mayAccessAccount(req, view.account)) throw new ApiProblem('UNKNOWN_JOB', `no job ${raw}`, 'id');
    return { id, view };
  };
  app.route({
    ...at('getJob'),
    handler: async (req) => {
      const { id, view } = visibleJob(req, req.params.id);
      // An array's own id (`120`, not `120_0`) is the whole array: its elements beside element 0's fields.
      const ids = req.params.id.includes('_') ? null : driver.arrayElements(id);
      const elements = ids?.flatMap((e) => {
        const v = driver.jobView(e);
        return v === undefined ? [] : [shown(req, v)];
      });
      return { ...shown(req, view), ...(elements === undefined ? {} : { elements }), now: driver.clock.now() };
    },
  });
  const forecaster = new Forecaster(driver);
  app.route({
    ...at('forecast'),
    handler: async (req) => {
      const { account, partition, owner } = req.query;
      const all = forecaster.all();
      const jobs = all.jobs.filter((j) => {
        if (!mayAccessAccount(req, j.account) || (account !== undefined && j.account !== account)) return false;
        if (partition === undefined && owner === undefined) return true;
        const v = driver.jobView(j.id);
        return v !== undefined && (partition === undefined || v.partition === partition) && (owner === undefined || v.owner === owner);
      });
      return { ...all, jobs };
    },
  });
  app.route({
    ...at('jobForecast'),
    handler: async (req) => {
      const { id, view } = visibleJob(req, req.params.id);
      const all = forecaster.all();
      // An array's own id: every element not yet ended (the forecast holds only those).
      const ids = req.params.id.includes('_') ? null : driver.arrayElements(id);
      const byId = ids === null ? null : new Map(all.jobs.map((j) => [j.id, j]));
      const elements = ids === null || byId === null ? undefined : ids.flatMap((e) => byId.get(e) ?? []);
      const job = elements === undefined ? all.jobs.find((j) => j.id === id) : elements[0];
      if (!job) {
        const [what, shownAs] = elements === undefined ? [`job ${view.displayId} has ended (${view.state}); its start and end are`, view.displayId] : [`every element of array job ${id} has ended; their starts and ends are`, String(id)];
        throw new ApiProblem('INVALID_STATE', `${what} in gsched show job ${shownAs}`, 'id');
      }
      const { jobs: _all, ...head } = all;
      return { ...head, job, ...(elements === undefined ? {} : { elements }) };
    },
  });
  // Job control (and cancel). An array's own id (`120`) addresses every element; `120_3` one
  // element. A submitter controls its own accounts' jobs only, as their owner
  // (submitter-rules.ts); another account's job is "no job", as for GET. Every attempt is
  // audited, applied or refused, a job the caller may not see included.
  type Target = { id: number; ids: number[]; view: JobView };
  const audited = async <T>(req: FastifyRequest<{ Params: { id: string } }>, action: string, detail: AuditDetail, run: (t: Target, journalled: () => void) => Promise<Accepted<T>> | Accepted<T>): Promise<T> => {
    const raw = req.params.id;
    let t: Target | null = null;
    let r: Accepted<T>;
    try {
      const { id, view } = visibleJob(req, raw);
      const target: Target = (t = { id, ids: (!raw.includes('_') && driver.arrayElements(id)) || [id], view });
      const entry = (res: Accepted<T> | null): AuditEntry => ({ action, object: `job ${view.displayId}`, outcome: res === null || res.ok ? 'ok' : 'refused', pseudonyms: view.pseudonyms, detail: res === null || res.ok ? detail : { ...detail, code: res.error.code } });
      r = await auditedAction(req, entry, (journalled) => run(target, journalled));
    } catch (err) {
      await req.audit({ action, object: `job ${t?.view.displayId ?? raw.slice(0, 40)}`, outcome: 'refused', pseudonyms: t?.view.pseudonyms ?? [], detail: { ...detail, code: err instanceof ApiProblem ? err.code : 'INTERNAL' } });
      throw err;
    }
    return unwrap(r);
  };
  app.route({
    ...at('cancelJob'),
    handler: async (req) => {
      const grace = req.query.graceMs;
      return audited(req, 'job.cancel', {}, ({ id }, journalled) => {
        if (grace !== undefined && !/^\d{1,9}$/.test(grace)) throw new ApiProblem('INVALID_QUERY', `graceMs must be a whole number of ms, got ${JSON.stringify(grace)}`, 'graceMs');
        // An array's own id (`120`, not `120_0`) cancels every element still active, as scancel does.
        const graceMs = grace === undefined ? undefined : Number(grace);
        return !req.params.id.includes('_') && driver.arrayElements(id) !== null ? driver.cancelArray(id, graceMs, journalled) : driver.cancel(id, graceMs, journalled);
      });
    },
  });
  const controlled = (v: { jobId: number; applied: number; states: JobView[] }) => ({ jobId: v.jobId, applied: v.applied, jobs: v.states });
  app.route({
    ...at('signalJob'),
    handler: async (req) => {
      // Checked here: the agent drops a name it cannot send, after this route answered "signalled".
      const signal = signalName(req.body.signal);
      if (signal === null) throw new ApiProblem('INVALID_BODY', `signal ${JSON.stringify(req.body.signal)} is not a signal: expected a name like USR1 or TERM, or a number like 10`, 'signal');
      return audited(req, 'job.signal', { signal }, ({ ids }) => driver.signal(ids, signal));
    },
  });
  app.route({
    ...at('holdJob'),
    handler: async (req) =>
      controlled(await audited(req, 'job.hold', { kind: req.body?.kind ?? null }, ({ ids }, journalled) => {
        const by = holdKind(req.principal, req.body?.kind, 'hold');
        return driver.control(ids, (jobId) => ({ type: 'hold', jobId, by }), journalled);
      })),
  });
  app.route({
    ...at('releaseJob'),
    handler: async (req) =>
      controlled(await audited(req, 'job.release', { kind: req.body?.kind ?? null }, ({ ids }, journalled) => {
        const by = holdKind(req.principal, req.body?.kind, 'release');
        return driver.control(ids, (jobId) => ({ type: 'release', jobId, by }), journalled);
      })),
  });
  app.route({
    ...at('requeueJob'),
    handler: async (req) => {
      const hold = req.body?.hold === true;
      return controlled(await audited(req, 'job.requeue', { hold }, ({ ids }, journalled) => driver.control(ids, (jobId) => ({ type: 'requeueJob', jobId, hold }), journalled)));
    },
  });
  app.route({
    ...at('updateJob'),
    handler: async (req) => {
      const changes = req.body;
      return controlled(await audited(req, 'job.update', { changes: JSON.stringify(changes).slice(0, 500) }, ({ ids, view }, journalled) => {
        checkOwnerUpdate(req.principal, view, changes);
        return driver.control(ids, (jobId) => ({ type: 'update', jobId, changes }), journalled);
      }));
    },
  });
  app.route({
    ...at('topJob'),
    handler: async (req) =>
      controlled(await audited(req, 'job.top', {}, ({ ids }, journalled) => {
        const nice = topNice(driver, ids);
        return driver.control(ids, (jobId) => ({ type: 'update', jobId, changes: { nice } }), journalled);
      })),
  });

  // Accounting: sacct, sreport, sshare.
  const resolveMany = (raw: string): number[] | undefined => {
    const id = driver.resolveJobId(raw);
    if (id === undefined) return /^\d+(_\d+)?$/.test(raw) ? [] : undefined;
    return (!raw.includes('_') && driver.arrayElements(id)) || [id];
  };
  app.route({
    ...at('accounting'),
    handler: async (req) => {
      const { rows, truncated } = accountingRows(driver, parseAcctQuery(req.query, resolveMany));
      return { jobs: rows, truncated, now: driver.clock.now() };
    },
  });
  app.route({
    ...at('usageReport'),
    handler: async (req) => {
      const q = parseAcctQuery({ start: req.query.start, end: req.query.end }, resolveMany);
      const by = req.query.by ?? 'account';
      return { by, start: q.start, end: q.end === Number.MAX_SAFE_INTEGER ? driver.clock.now() : q.end, rows: usageReport(driver, q, by) };
    },
  });
  app.route({ ...at('fairshare'), handler: async () => ({ accounts: driver.core.fairshare() }) });

  app.route({ ...at('listNodes'), handler: async () => ({ nodes: driver.core.nodes(), reasons: driver.nodeReasons() }) });
  // The body is optional (`curl -X POST .../drain` has none), so it is checked here, not by a schema.
  const nodeAdmin = async (req: FastifyRequest, name: string, action: 'drain' | 'down' | 'resume', raw: unknown) => {
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw new ApiProblem('INVALID_BODY', 'the body must be an object like {"reason": "DIMM errors"}');
    const b = (raw ?? {}) as Record<string, unknown>;
    for (const [k, max] of [['reason', 500], ['by', 64]] as const) {
      if (b[k] !== undefined && (typeof b[k] !== 'string' || b[k] === '' || (b[k] as string).length > max)) throw new ApiProblem('INVALID_BODY', `${k} must be a text of 1 to ${max} characters`, k);
    }
    const body = b as { reason?: string; by?: string };
    const known = driver.core.config.nodes.some((n) => n.name === name);
    if (!known) throw new ApiProblem('UNKNOWN_NODE', `no node named ${name}`, 'name');
    if (action === 'down' && !body?.reason) throw new ApiProblem('INVALID_BODY', 'a node is marked down with a reason, e.g. {"reason": "DIMM errors"}', 'reason');
    // Who said so (nodes -R): the token's identity unless the body names someone.
    const note = { ...(body?.reason ? { reason: body.reason } : {}), by: body?.by ?? req.principal.name };
    const entry = (r: Accepted<NodeView> | null): AuditEntry => ({ action: `node.${action}`, object: `node ${name}`, outcome: r === null || r.ok ? 'ok' : 'refused', detail: { reason: body?.reason ?? null } });
    return unwrap(await auditedAction(req, entry, (journalled) => driver.nodeAdmin(name, action, note, journalled)));
  };
  app.route({ ...at('drainNode'), handler: async (req) => nodeAdmin(req, req.params.name, 'drain', req.body) });
  app.route({ ...at('resumeNode'), handler: async (req) => nodeAdmin(req, req.params.name, 'resume', req.body) });
  app.route({ ...at('downNode'), handler: async (req) => nodeAdmin(req, req.params.name, 'down', req.body) });
  // Advance reservations: journalled core events, audited like every state change.
  const bus = opts.events;
  app.route({ ...at('listReservations'), handler: async () => ({ reservations: driver.core.advanceReservations(), now: driver.clock.now() }) });
  app.route({
    ...at('createReservation'),
    handler: async (req, reply) => {
      const body = req.body;
      // Applied, the reservation as made is in the core already (a core count resolved to nodes).
      const entry = (r: Accepted<AdvanceReservationView> | null): AuditEntry => {
        const v = r === null ? driver.core.advanceReservations().find((x) => x.name === body.name) : r.ok ? r.value : undefined;
        const detail: AuditDetail = r !== null && !r.ok ? { code: r.error.code, reason: r.error.message } : v ? { nodes: v.nodes, startAt: v.startAt, endAt: v.endAt, maint: v.maint, accounts: v.accounts } : {};
        return { action: 'reservation.create', object: `reservation ${body.name}`, outcome: r === null || r.ok ? 'ok' : 'refused', detail };
      };
      const view = unwrap(await auditedAction(req, entry, (journalled) => driver.createReservation(body, journalled)));
      bus?.publish('reservation', { name: view.name, action: 'created', detail: view });
      return reply.code(201).send(view);
    },
  });
  app.route({
    ...at('deleteReservation'),
    handler: async (req) => {
      const entry = (r: Accepted<AdvanceReservationView> | null): AuditEntry => ({ action: 'reservation.delete', object: `reservation ${req.params.name}`, outcome: r === null || r.ok ? 'ok' : 'refused', detail: r === null || r.ok ? {} : { code: r.error.code } });
      const view = unwrap(await auditedAction(req, entry, (journalled) => driver.deleteReservation(req.params.name, journalled)));
      bus?.publish('reservation', { name: view.name, action: 'deleted' });
      return view;
    },
  });
  app.route({
    ...at('reconfigure'),
    handler: async (req) => {
      if (!opts.reloadConfig) {
        await req.audit({ action: 'config.reconfigure', object: 'cluster config', outcome: 'refused', detail: { code: 'INVALID_STATE' } });
        throw new ApiProblem('INVALID_STATE', 'this scheduler was not started from a config file it can read again');
      }
      let next: ClusterConfig;
      try {
        next = opts.reloadConfig();
      } catch (err) {
        if (err instanceof ConfigError) {
          await req.audit({ action: 'config.reconfigure', object: 'cluster config', outcome: 'refused', detail: { code: 'INVALID_CONFIG', reason: err.message } });
          throw new ApiProblem('INVALID_CONFIG', err.message, err.field);
        }
        throw err;
      }
      // Journalled only when the config changed: the entry written with the event says so.
      const entry = (r: Accepted<{ changed: boolean; cluster: string }> | null): AuditEntry => ({ action: 'config.reconfigure', object: `cluster ${next.name}`, outcome: r === null || r.ok ? 'ok' : 'refused', detail: r === null ? { changed: true } : r.ok ? { changed: r.value.changed } : { code: r.error.code, reason: r.error.message } });
      return unwrap(await auditedAction(req, entry, (journalled) => driver.reconfigure(next, journalled)));
    },
  });
  app.route({ ...at('cluster'), handler: async () => ({ ...driver.core.cluster(), agents: hub.agents() }) });
  app.route({ ...at('whoami'), handler: async (req) => ({ id: req.principal.id, name: req.principal.name, role: req.principal.role, accounts: req.principal.accounts }) });

  registerSecurityRoutes(app, { driver, security });
  const streams = new EventStreams(opts.events ?? new EventBus(), { heartbeatMs: opts.eventHeartbeatMs ?? 15_000, maxBufferedBytes: 4 * 1024 * 1024 });
  app.addHook('preClose', async () => streams.closeAll());
  app.route({
    ...at('events'),
    handler: async (req, reply) => {
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' ? header : req.query.lastEventId;
      // A viewer's stream carries no pseudonyms.
      streams.serve(req, reply, lastEventId, { seesPseudonyms: seesPseudonyms(req.principal) });
    },
  });

  app.route({
    ...at('stats'),
    handler: async () => {
      const s = metrics.stats();
      if (!s) throw new ApiProblem('INTERNAL', 'metrics are not being collected in this process');
      return s;
    },
  });
  const dash = dashboardFiles();
  app.route({ ...at('dashboardPage'), handler: async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(dash.page().body.toString('utf8')) });
  app.route({
    ...at('dashboardAsset'),
    handler: async (req, reply) => {
      const a = dash.asset(req.params.file);
      return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
    },
  });

  const docs = docsHandlers(API_VERSION);
  app.route({ ...at('docsPage'), handler: async (_req, reply) => reply.type('text/html; charset=utf-8').send(docs.page()) });
  app.route({ ...at('openApi'), handler: async (_req, reply) => reply.type('application/json; charset=utf-8').send(docs.document()) });
  app.route({
    ...at('docsAsset'),
    handler: async (req, reply) => {
      const a = docs.asset(req.params.file);
      return reply.type(a.type).header('cache-control', 'public, max-age=3600').send(a.body);
    },
  });

  return app;
}
