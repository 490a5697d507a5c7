// The HTTP API for operators and the CLI (fastify): JSON in and out, problem+json errors,
// bearer-token auth on /api/v1, open /healthz and /metrics.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { ConsentStatus, JobSpec } from '../core/index.js';
import type { AgentHub } from '../agents/index.js';
import type { Accepted, LiveDriver } from '../driver/index.js';
import { registerAnalysisRoutes } from './analyses.js';
import { ApiProblem, problemBody, rejection } from './errors.js';
import { CONSENT_SCHEMA, JOB_SPEC_SCHEMA, fieldOf } from './job-schema.js';
import { listJobs, parseJobQuery } from './jobs-query.js';
import type { SchedulerMetrics } from './metrics.js';

export interface ApiOptions {
  driver: LiveDriver;
  hub: AgentHub;
  metrics: SchedulerMetrics;
  apiToken: string;
  /** Largest request body in bytes. */
  bodyLimit?: number;
}

const PROBLEM = 'application/problem+json';

function sendProblem(reply: FastifyReply, p: ApiProblem): FastifyReply {
  return reply.code(p.status).type(PROBLEM).send(problemBody(p));
}

function unwrap<T>(r: Accepted<T>): T {
  if (!r.ok) throw rejection(r.error);
  return r.value;
}

export function buildApi(opts: ApiOptions): FastifyInstance {
  const { driver, hub, metrics } = opts;
  const startedAt = performance.now();
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    // Types are checked, never coerced: "8" for cores is a 400, not an 8.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const token = Buffer.from(opts.apiToken);

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

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiProblem) return sendProblem(reply, err);
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const field = fieldOf(v?.instancePath ?? '', (v?.params as Record<string, unknown> | undefined)?.missingProperty);
      const what = field === '' ? 'the body' : field;
      return sendProblem(reply, new ApiProblem(400, 'INVALID_BODY', `${what} ${v?.message ?? 'is invalid'}`, field === '' ? undefined : field));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'INVALID_JSON' : (err.code ?? 'BAD_REQUEST');
      return sendProblem(reply, new ApiProblem(status, code, err.message));
    }
    reply.log.error({ err }, 'request failed');
    return sendProblem(reply, new ApiProblem(500, 'INTERNAL', 'the scheduler failed to handle this request; see its log'));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, new ApiProblem(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const h = req.headers.authorization;
    const given = typeof h === 'string' && h.startsWith('Bearer ') ? Buffer.from(h.slice(7).trim()) : null;
    if (!given || given.length !== token.length || !timingSafeEqual(given, token)) {
      throw new ApiProblem(401, 'UNAUTHORIZED', 'send "Authorization: Bearer <token>" with the token from <state>/api-token');
    }
  });

  app.get('/healthz', async () => ({ status: 'ok', agents: hub.connectedCount, uptimeS: Math.round((performance.now() - startedAt) / 1000) }));
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.post('/api/v1/jobs', { schema: { body: JOB_SPEC_SCHEMA } }, async (req, reply) => {
    const value = unwrap(await driver.submit(req.body as JobSpec));
    return reply.code(201).send(value);
  });

  registerAnalysisRoutes(app, driver);

  // `now` is the scheduler's (modelled) clock, so clients can show elapsed times in its terms.
  app.get('/api/v1/jobs', async (req) => ({ ...listJobs(driver, parseJobQuery(req.query as Record<string, unknown>)), now: driver.clock.now() }));

  const jobIdOf = (raw: string): number => {
    const id = driver.resolveJobId(raw);
    if (id === undefined) {
      if (!/^\d+(_\d+)?$/.test(raw)) throw new ApiProblem(400, 'INVALID_JOB_ID', `job id ${JSON.stringify(raw)} is not like 123 or 120_3`, 'id');
      throw new ApiProblem(404, 'UNKNOWN_JOB', `no job ${raw}`, 'id');
    }
    return id;
  };

  app.get<{ Params: { id: string } }>('/api/v1/jobs/:id', async (req) => {
    const view = driver.jobView(jobIdOf(req.params.id));
    if (!view) throw new ApiProblem(404, 'UNKNOWN_JOB', `no job ${req.params.id}`, 'id');
    return { ...view, now: driver.clock.now() };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/jobs/:id', async (req) => {
    const id = jobIdOf(req.params.id);
    if (!driver.jobView(id)) throw new ApiProblem(404, 'UNKNOWN_JOB', `no job ${req.params.id}`, 'id');
    return unwrap(await driver.cancel(id));
  });

  app.get('/api/v1/nodes', async () => ({ nodes: driver.core.nodes() }));

  const nodeRoute = (drain: boolean) => async (req: { params: { name: string } }) => {
    const known = driver.core.config.nodes.some((n) => n.name === req.params.name);
    if (!known) throw new ApiProblem(404, 'UNKNOWN_NODE', `no node named ${req.params.name}`, 'name');
    return unwrap(await driver.nodeAdmin(req.params.name, drain));
  };
  app.post<{ Params: { name: string } }>('/api/v1/nodes/:name/drain', nodeRoute(true));
  app.post<{ Params: { name: string } }>('/api/v1/nodes/:name/resume', nodeRoute(false));

  app.get('/api/v1/cluster', async () => ({ ...driver.core.cluster(), agents: hub.agents() }));

  app.post('/api/v1/consent', { schema: { body: CONSENT_SCHEMA } }, async (req) => {
    const body = req.body as { pseudonym: string; status: ConsentStatus };
    return unwrap(await driver.consent(body.pseudonym, body.status));
  });

  return app;
}
