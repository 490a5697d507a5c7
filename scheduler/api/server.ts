// The HTTP API for operators and the CLI (fastify): JSON in and out, problem+json errors,
// bearer tokens with roles on /api/v1 (auth.ts), open /healthz and /metrics.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { JobSpec, JobView } from '../core/index.js';
import type { AgentHub } from '../agents/index.js';
import type { Accepted, LiveDriver } from '../driver/index.js';
import { Security, scrubCpr, seesPseudonyms, type RateLimit } from '../security/index.js';
import { DEFAULT_RATE_LIMIT, installAuth, mayAccessAccount } from './auth.js';
import { ApiProblem, problemBody, rejection } from './errors.js';
import { DRAIN_SCHEMA, JOB_SPEC_SCHEMA, fieldOf } from './job-schema.js';
import { listJobs, parseJobQuery } from './jobs-query.js';
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
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
}

/** The roles that may read jobs, nodes and the cluster (each route narrows what it shows). */
const READERS = ['operator', 'submitter', 'auditor', 'viewer', 'consent-officer'] as const;

const PROBLEM = 'application/problem+json';

function sendProblem(reply: FastifyReply, p: ApiProblem): FastifyReply {
  return reply.code(p.status).type(PROBLEM).send(problemBody(p));
}

function unwrap<T>(r: Accepted<T>): T {
  if (!r.ok) throw rejection(r.error);
  return r.value;
}

export interface ApiRoute {
  method: string;
  url: string;
  roles: readonly string[];
}
const ROUTES = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Every route of an API built by buildApi (for the fuzz tests: routes added later are covered too). */
export function apiRoutes(app: FastifyInstance): readonly ApiRoute[] {
  return ROUTES.get(app) ?? [];
}

/** How a request is logged: no headers (tokens), the path with any CPR-shaped text scrubbed. */
function safeRequest(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: scrubCpr(req.url).slice(0, 300), remoteAddress: req.ip };
}

/** A job as `req`'s principal may see it: a viewer gets no pseudonyms. */
function shown<T extends JobView>(req: FastifyRequest, j: T): T {
  return seesPseudonyms(req.principal) || j.pseudonyms.length === 0 ? j : { ...j, pseudonyms: [], pseudonymsHidden: true };
}

export function buildApi(opts: ApiOptions): FastifyInstance {
  const { driver, hub, metrics } = opts;
  const startedAt = performance.now();
  let security = opts.security;
  if (!security) {
    security = Security.open(driver.store.dir);
    security.bootstrap(opts.apiToken);
  }
  const ownSecurity = opts.security === undefined ? security : null;
  // The instance type does not depend on the transport for anything used here.
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    ...(opts.log ? { loggerInstance: opts.log.child({}, { serializers: { req: safeRequest } }) as unknown as FastifyBaseLogger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    // Request ids are ours (a client's x-request-id is not trusted); 5xx bodies carry them.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Errors the router raises before any hook (a bad or overlong path): problem+json too.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode ?? 400;
      const p = status === 414 ? new ApiProblem(414, 'PATH_TOO_LONG', 'a path parameter is longer than 100 characters') : new ApiProblem(400, 'BAD_URL', 'the request path is not a valid URL path');
      void sendProblem(reply as unknown as FastifyReply, p);
    },
    // Types are checked, never coerced: "8" for cores is a 400, not an 8.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  if (ownSecurity) app.addHook('onClose', async () => ownSecurity.close());
  const routes: ApiRoute[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url, roles: r.config?.roles ?? [] });
  });

  // JSON bodies; an empty body (e.g. POST .../drain from curl) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      done(new ApiProblem(400, 'INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiProblem && err.status < 500) return sendProblem(reply, err);
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const params = v?.params as Record<string, unknown> | undefined;
      const extra = params?.additionalProperty;
      if (typeof extra === 'string') {
        const field = fieldOf(v?.instancePath ?? '', extra);
        return sendProblem(reply, new ApiProblem(400, 'UNKNOWN_FIELD', `${field} is not a field of this request (check its spelling)`, field));
      }
      const field = fieldOf(v?.instancePath ?? '', params?.missingProperty);
      const what = field === '' ? 'the body' : field;
      return sendProblem(reply, new ApiProblem(400, 'INVALID_BODY', `${what} ${v?.message ?? 'is invalid'}`, field === '' ? undefined : field));
    }
    const status = err instanceof ApiProblem ? err.status : (err.statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const code =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'INVALID_JSON'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'BODY_TOO_LARGE'
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE'
        : (err.code ?? 'BAD_REQUEST');
      const detail = code === 'BODY_TOO_LARGE' ? `the body is larger than the limit of ${app.initialConfig.bodyLimit} bytes` : err.message;
      return sendProblem(reply, new ApiProblem(status, code, detail));
    }
    // Logged with the request id, which the answer carries so an operator can find this line.
    req.log.error({ err, reqId: req.id }, 'request failed');
    const p = err instanceof ApiProblem ? err : new ApiProblem(status >= 500 && status < 600 ? status : 500, 'INTERNAL', `the scheduler failed to handle this request; see its log for request ${req.id}`);
    return reply.code(p.status).type(PROBLEM).send({ ...problemBody(p), requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, new ApiProblem(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  installAuth(app, { security, rateLimit: opts.rateLimit ?? DEFAULT_RATE_LIMIT });

  app.get('/healthz', async () => ({ status: 'ok', agents: hub.connectedCount, uptimeS: Math.round((performance.now() - startedAt) / 1000) }));
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.post('/api/v1/jobs', { schema: { body: JOB_SPEC_SCHEMA }, config: { roles: ['operator', 'submitter'] } }, async (req, reply) => {
    const p = req.principal;
    const spec = { ...(req.body as Omit<JobSpec, 'owner'> & { owner?: string }) };
    // The owner is who submits: a submitter's own identity, never a free field.
    if (p.role === 'submitter') {
      if (!p.accounts.includes(spec.account)) {
        await req.audit({ action: 'job.submit', object: `account ${spec.account}`, outcome: 'refused', pseudonyms: spec.pseudonyms ?? [], detail: { code: 'ACCOUNT_NOT_ALLOWED' } });
        throw new ApiProblem(403, 'ACCOUNT_NOT_ALLOWED', `token ${p.name} may submit to ${p.accounts.join(', ')}, not to account ${spec.account}`, 'account');
      }
      if (spec.owner !== undefined && spec.owner !== p.name) {
        throw new ApiProblem(403, 'OWNER_NOT_ALLOWED', `the owner of a job is the submitting token's identity (${p.name}); leave owner out`, 'owner');
      }
    }
    const job = { ...spec, owner: spec.owner ?? p.name } as JobSpec;
    const r = await driver.submit(job);
    const pseudonyms = job.pseudonyms ?? [];
    if (!r.ok) {
      const consent = r.error.code.startsWith('CONSENT_');
      await req.audit({ action: consent ? 'consent.refuse' : 'job.submit', object: `job ${job.name}`, outcome: 'refused', pseudonyms, detail: { code: r.error.code, reason: r.error.message } });
      throw rejection(r.error);
    }
    const object = `job ${r.value.displayIds.join(',')}`;
    await req.audit({ action: 'job.submit', object, outcome: 'ok', pseudonyms, detail: { account: job.account, partition: job.partition, qos: job.qos, purpose: job.purpose ?? null } });
    if (pseudonyms.length > 0) await req.audit({ action: 'consent.admit', object, outcome: 'admitted', pseudonyms, detail: { purpose: job.purpose ?? null } });
    return reply.code(201).send(r.value);
  });

  // `now` is the scheduler's (modelled) clock, so clients can show elapsed times in its terms.
  app.get('/api/v1/jobs', { config: { roles: READERS } }, async (req) => {
    const q = parseJobQuery(req.query as Record<string, unknown>);
    if (req.principal.role === 'submitter') q.accounts = new Set(req.principal.accounts);
    const page = listJobs(driver, q);
    return { ...page, jobs: page.jobs.map((j) => shown(req, j)), now: driver.clock.now() };
  });

  const jobIdOf = (raw: string): number => {
    const id = driver.resolveJobId(raw);
    if (id === undefined) {
      if (!/^\d+(_\d+)?$/.test(raw)) throw new ApiProblem(400, 'INVALID_JOB_ID', `job id ${JSON.stringify(raw.slice(0, 40))} is not like 123 or 120_3`, 'id');
      throw new ApiProblem(404, 'UNKNOWN_JOB', `no job ${raw}`, 'id');
    }
    return id;
  };
  /** The job, if it exists and the principal may see it (another account's job is "no job"). */
  const visibleJob = (req: FastifyRequest, raw: string): { id: number; view: NonNullable<ReturnType<LiveDriver['jobView']>> } => {
    const id = jobIdOf(raw);
    const view = driver.jobView(id);
    if (!view || !mayAccessAccount(req, view.account)) throw new ApiProblem(404, 'UNKNOWN_JOB', `no job ${raw}`, 'id');
    return { id, view };
  };

  app.get<{ Params: { id: string } }>('/api/v1/jobs/:id', { config: { roles: READERS } }, async (req) => {
    const { view } = visibleJob(req, req.params.id);
    return { ...shown(req, view), now: driver.clock.now() };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/jobs/:id', { config: { roles: ['operator', 'submitter'] } }, async (req) => {
    const { id, view } = visibleJob(req, req.params.id);
    const r = await driver.cancel(id);
    await req.audit({ action: 'job.cancel', object: `job ${view.displayId}`, outcome: r.ok ? 'ok' : 'refused', pseudonyms: view.pseudonyms, detail: r.ok ? {} : { code: r.error.code } });
    return unwrap(r);
  });

  app.get('/api/v1/nodes', { config: { roles: READERS } }, async () => ({ nodes: driver.core.nodes() }));

  const nodeRoute = (drain: boolean) => async (req: FastifyRequest<{ Params: { name: string } }>) => {
    const known = driver.core.config.nodes.some((n) => n.name === req.params.name);
    if (!known) throw new ApiProblem(404, 'UNKNOWN_NODE', `no node named ${req.params.name.slice(0, 64)}`, 'name');
    const r = await driver.nodeAdmin(req.params.name, drain);
    const reason = (req.body as { reason?: string } | undefined)?.reason ?? null;
    await req.audit({ action: drain ? 'node.drain' : 'node.resume', object: `node ${req.params.name}`, outcome: r.ok ? 'ok' : 'refused', detail: { reason } });
    return unwrap(r);
  };
  const nodeAdmin = {
    schema: { body: DRAIN_SCHEMA },
    config: { roles: ['operator'] as const },
    // curl -X POST .../drain sends no body: that is an empty one, not an invalid one.
    preValidation: async (req: FastifyRequest) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
  };
  app.post<{ Params: { name: string } }>('/api/v1/nodes/:name/drain', nodeAdmin, nodeRoute(true));
  app.post<{ Params: { name: string } }>('/api/v1/nodes/:name/resume', nodeAdmin, nodeRoute(false));

  app.get('/api/v1/cluster', { config: { roles: READERS } }, async () => ({ ...driver.core.cluster(), agents: hub.agents() }));

  registerSecurityRoutes(app, { driver, security });

  return app;
}
