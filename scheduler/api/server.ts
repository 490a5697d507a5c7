// The HTTP API for operators and the CLI (fastify): JSON in and out, problem+json errors,
// bearer-token auth on /api/v1, open /healthz and /metrics. Every route is registered from
// its entry in contract/routes.ts, which gives it its request and reply schemas.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ROUTES, fastifySchema, type JobView, type RouteName } from '../../contract/index.js';
import type { AgentHub } from '../agents/index.js';
import type { Accepted, LiveDriver } from '../driver/index.js';
import { registerAnalysisRoutes } from './analyses.js';
import type { IdempotencyKey } from '../store/index.js';
import { ApiProblem, problemBody, rejection } from './errors.js';
import { EventBus } from '../events/index.js';
import { dashboardFiles } from './dashboard.js';
import { docsHandlers } from './docs.js';
import { EventStreams } from './events-route.js';
import { fieldOf } from './field-path.js';
import { listJobs, parseJobQuery } from './jobs-query.js';
import { topNice } from './job-control.js';
import { accountingRows, parseAcctQuery, usageReport } from './accounting.js';
import type { SchedulerMetrics } from './metrics.js';

export interface ApiOptions {
  driver: LiveDriver;
  hub: AgentHub;
  metrics: SchedulerMetrics;
  apiToken: string;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** The process's event bus, streamed at /api/v1/events (a fresh, quiet one when absent). */
  events?: EventBus;
  /** Heartbeat comment period of the event stream (default 15 s). */
  eventHeartbeatMs?: number;
}

const PROBLEM = 'application/problem+json';
/** The API's version in the OpenAPI document: the `/api/v1` contract. */
const API_VERSION = '1.0.0';

function sendProblem(reply: FastifyReply, p: ApiProblem): FastifyReply {
  return reply.code(p.status).type(PROBLEM).send(problemBody(p));
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
  return { key, hash: createHash('sha256').update(JSON.stringify(body)).digest('base64url') };
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
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    // Types are checked, never coerced: "8" for cores is a 400, not an 8.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Replies are written with JSON.stringify, not compiled from the reply schemas: compiling a
  // serializer per route costs start-up time, and fast-json-stringify coerces a value of the
  // wrong type instead of showing it. The handlers' return types are checked against the reply
  // schemas by the compiler, and the tests check replies against them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const token = Buffer.from(opts.apiToken);
  const registered: { method: string; url: string }[] = [];
  REGISTERED.set(app, registered);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push({ method: m, url: r.url });
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

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiProblem) return sendProblem(reply, err);
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const field = fieldOf(v?.instancePath ?? '', (v?.params as Record<string, unknown> | undefined)?.missingProperty);
      const part = (err.validationContext ?? 'body') as keyof typeof INVALID_PART;
      const what = field === '' ? `the ${part === 'querystring' ? 'query' : part}` : field;
      return sendProblem(reply, new ApiProblem(INVALID_PART[part] ?? 'BAD_REQUEST', `${what} ${v?.message ?? 'is invalid'}`, field === '' ? undefined : field));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, new ApiProblem(fastifyCode(err), err.message));
    reply.log.error({ err }, 'request failed');
    return sendProblem(reply, new ApiProblem('INTERNAL', 'the scheduler failed to handle this request; see its log'));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, new ApiProblem('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const h = req.headers.authorization;
    const given = typeof h === 'string' && h.startsWith('Bearer ') ? Buffer.from(h.slice(7).trim()) : null;
    if (!given || given.length !== token.length || !timingSafeEqual(given, token)) {
      throw new ApiProblem('UNAUTHORIZED', 'send "Authorization: Bearer <token>" with the token from <state>/api-token');
    }
  });

  // Each route's method, path and schemas come from the contract; only the handler is here.
  const at = <N extends RouteName>(name: N) => ({ method: ROUTES[name].method, url: ROUTES[name].url, schema: fastifySchema(name, ROUTES[name]) });

  app.route({
    ...at('health'),
    handler: async () => ({ status: 'ok' as const, agents: hub.connectedCount, uptimeS: Math.round((performance.now() - startedAt) / 1000) }),
  });
  app.route({
    ...at('metrics'),
    handler: async (_req, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  });

  app.route({
    ...at('submitJob'),
    handler: async (req, reply) => {
      const idem = idempotencyKey(req.headers['idempotency-key'], req.body);
      if (idem && driver.idempotencyKeyReused(idem)) {
        throw new ApiProblem('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${JSON.stringify(idem.key)} was used for a different job; use a new key for a new job`, 'Idempotency-Key');
      }
      const { replayed, ...value } = unwrap(await driver.submit({ ...req.body, pseudonyms: req.body.pseudonyms ?? [] }, idem));
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(value);
    },
  });
  registerAnalysisRoutes(app, driver);

  // `now` is the scheduler's (modelled) clock, so clients can show elapsed times in its terms.
  app.route({ ...at('listJobs'), handler: async (req) => ({ ...listJobs(driver, parseJobQuery(req.query)), now: driver.clock.now() }) });

  const jobIdOf = (raw: string): number => {
    const id = driver.resolveJobId(raw);
    if (id === undefined) {
      if (!/^\d+(_\d+)?$/.test(raw)) throw new ApiProblem('INVALID_JOB_ID', `job id ${JSON.stringify(raw)} is not like 123 or 120_3`, 'id');
      throw new ApiProblem('UNKNOWN_JOB', `no job ${raw}`, 'id');
    }
    return id;
  };
  app.route({
    ...at('getJob'),
    handler: async (req) => {
      const view = driver.jobView(jobIdOf(req.params.id));
      if (!view) throw new ApiProblem('UNKNOWN_JOB', `no job ${req.params.id}`, 'id');
      return { ...view, now: driver.clock.now() };
    },
  });
  app.route({
    ...at('cancelJob'),
    handler: async (req) => {
      const id = jobIdOf(req.params.id);
      if (!driver.jobView(id)) throw new ApiProblem('UNKNOWN_JOB', `no job ${req.params.id}`, 'id');
      // An array's own id (`120`, not `120_0`) cancels every element still active, as scancel does.
      if (!req.params.id.includes('_') && driver.arrayElements(id) !== null) return unwrap(await driver.cancelArray(id));
      const grace = req.query.graceMs;
      if (grace !== undefined && !/^\d{1,9}$/.test(grace)) throw new ApiProblem('INVALID_QUERY', `graceMs must be a whole number of ms, got ${JSON.stringify(grace)}`, 'graceMs');
      return unwrap(await driver.cancel(id, grace === undefined ? undefined : Number(grace)));
    },
  });

  // Job control. An array's own id (`120`) addresses every element; `120_3` one element.
  const targets = (raw: string): number[] => {
    const id = jobIdOf(raw);
    if (!driver.jobView(id)) throw new ApiProblem('UNKNOWN_JOB', `no job ${raw}`, 'id');
    return (!raw.includes('_') && driver.arrayElements(id)) || [id];
  };
  const controlled = (r: Accepted<{ jobId: number; applied: number; states: JobView[] }>) => {
    const v = unwrap(r);
    return { jobId: v.jobId, applied: v.applied, jobs: v.states };
  };
  app.route({
    ...at('signalJob'),
    handler: async (req) => {
      const id = jobIdOf(req.params.id);
      if (!driver.jobView(id)) throw new ApiProblem('UNKNOWN_JOB', `no job ${req.params.id}`, 'id');
      return unwrap(driver.signal(id, req.body.signal.startsWith('SIG') || /^\d+$/.test(req.body.signal) ? req.body.signal : `SIG${req.body.signal}`));
    },
  });
  app.route({ ...at('holdJob'), handler: async (req) => controlled(await driver.control(targets(req.params.id), (jobId) => ({ type: 'hold', jobId, by: req.body?.kind ?? 'admin' }))) });
  app.route({ ...at('releaseJob'), handler: async (req) => controlled(await driver.control(targets(req.params.id), (jobId) => ({ type: 'release', jobId, by: req.body?.kind ?? 'admin' }))) });
  app.route({ ...at('requeueJob'), handler: async (req) => controlled(await driver.control(targets(req.params.id), (jobId) => ({ type: 'requeueJob', jobId, hold: req.body?.hold === true }))) });
  app.route({ ...at('updateJob'), handler: async (req) => controlled(await driver.control(targets(req.params.id), (jobId) => ({ type: 'update', jobId, changes: req.body }))) });
  app.route({
    ...at('topJob'),
    handler: async (req) => {
      const ids = targets(req.params.id);
      const nice = topNice(driver, ids);
      return controlled(await driver.control(ids, (jobId) => ({ type: 'update', jobId, changes: { nice } })));
    },
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
  const nodeAdmin = async (name: string, action: 'drain' | 'down' | 'resume', raw: unknown) => {
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) throw new ApiProblem('INVALID_BODY', 'the body must be an object like {"reason": "DIMM errors"}');
    const b = (raw ?? {}) as Record<string, unknown>;
    for (const [k, max] of [['reason', 500], ['by', 64]] as const) {
      if (b[k] !== undefined && (typeof b[k] !== 'string' || b[k] === '' || (b[k] as string).length > max)) throw new ApiProblem('INVALID_BODY', `${k} must be a text of 1 to ${max} characters`, k);
    }
    const body = b as { reason?: string; by?: string };
    const known = driver.core.config.nodes.some((n) => n.name === name);
    if (!known) throw new ApiProblem('UNKNOWN_NODE', `no node named ${name}`, 'name');
    if (action === 'down' && !body?.reason) throw new ApiProblem('INVALID_BODY', 'a node is marked down with a reason, e.g. {"reason": "DIMM errors"}', 'reason');
    return unwrap(await driver.nodeAdmin(name, action, { ...(body?.reason ? { reason: body.reason } : {}), ...(body?.by ? { by: body.by } : {}) }));
  };
  app.route({ ...at('drainNode'), handler: async (req) => nodeAdmin(req.params.name, 'drain', req.body) });
  app.route({ ...at('resumeNode'), handler: async (req) => nodeAdmin(req.params.name, 'resume', req.body) });
  app.route({ ...at('downNode'), handler: async (req) => nodeAdmin(req.params.name, 'down', req.body) });
  app.route({ ...at('cluster'), handler: async () => ({ ...driver.core.cluster(), agents: hub.agents() }) });

  const streams = new EventStreams(opts.events ?? new EventBus(), { heartbeatMs: opts.eventHeartbeatMs ?? 15_000, maxBufferedBytes: 4 * 1024 * 1024 });
  app.addHook('preClose', async () => streams.closeAll());
  app.route({
    ...at('events'),
    handler: async (req, reply) => {
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' ? header : req.query.lastEventId;
      // Every token sees pseudonyms until roles exist; then a viewer does not.
      streams.serve(req, reply, lastEventId, { seesPseudonyms: true });
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

  app.route({ ...at('recordConsent'), handler: async (req) => unwrap(await driver.consent(req.body.pseudonym, req.body.status)) });

  return app;
}
