// Authentication and authorisation for /api/v1: every request there carries a bearer token
// (hashed lookup), is rate-limited per token, and must hold a role the route declares in its
// config, e.g. `app.get(url, { config: { roles: ['operator'] } }, handler)`. Admin is admitted
// everywhere; a route that declares no roles is admin-only. Any CPR-shaped text in a body,
// query or path is refused (a route may name one body field that may carry one: `cprField`).
// Authentication failures and denials are audited.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, RateLimiter, containsCpr, mayTouchAccount, scanBody, scrubCpr, type AuditInput, type Principal, type RateLimit, type Role, type Security } from '../security/index.js';
import { ApiProblem } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles admitted besides admin; absent means admin only. */
    roles?: readonly Role[];
    /** A top-level body field that may hold a CPR number (it is turned into a pseudonym at once). */
    cprField?: string;
    /**
     * A path parameter whose values of this shape are ids the scheduler made, never a patient's
     * (a token id is random hex and may look like a CPR number): the path check skips them.
     */
    cprFreeParam?: { name: string; shape: RegExp };
  }
  interface FastifyRequest {
    principal: Principal;
    /** Appends an audit entry with this request's actor and client address. */
    audit(entry: Omit<AuditInput, 'actor' | 'client'>): Promise<void>;
    /**
     * The route's config (roles, cprField, cprFreeParam), read once per request by the auth
     * hook: fastify builds `routeOptions` anew, a dozen fields, on every read of it.
     */
    routeConfig: FastifyContextConfig | undefined;
  }
}

export interface AuthOptions {
  security: Security;
  /** Per token. */
  rateLimit: RateLimit;
  /** Per client address, for requests whose token is refused (guessing). */
  authFailureLimit?: RateLimit;
  /** The rate limits' clock in ms (default performance.now; tests pass one they move). */
  now?: () => number;
}

const MAX_DEPTH = 32;
const NO_FIELDS: readonly string[] = [];

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 200, burst: 400 };

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !/^Bearer /i.test(h)) return null;
  const t = h.slice(7).trim();
  return t === '' ? null : t;
}

function tooMany(reply: FastifyReply, waitMs: number, what: string): ApiProblem {
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  void reply.header('retry-after', String(s));
  return new ApiProblem('RATE_LIMITED', `${what}; retry after ${s} s`);
}

/** The path of a request without its query, CPR-shaped text scrubbed: safe for audit and logs. */
export function safePath(req: FastifyRequest): string {
  return scrubCpr(req.url.split('?')[0] ?? '').slice(0, 200);
}

export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const { security } = opts;
  const perToken = new RateLimiter(opts.rateLimit, opts.now);
  const perAddress = new RateLimiter(opts.authFailureLimit ?? { perSecond: 5, burst: 20 }, opts.now);

  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('routeConfig', undefined);
  app.decorateRequest('audit', function (this: FastifyRequest, entry: Omit<AuditInput, 'actor' | 'client'>): Promise<void> {
    // Fails closed: an answer (patient data, a consent record, a refusal) never goes out
    // without its entry in the chain.
    return security.audit.append(entry, this.principal ?? ANONYMOUS, this.ip).then(
      () => undefined,
      (err: unknown) => {
        this.log.error({ err }, 'audit append failed');
        throw new ApiProblem('AUDIT_UNAVAILABLE', `the audit log could not record ${entry.action}; the answer is withheld`);
      },
    );
  });

  // The last token verified on each connection, so a keep-alive client is not hashed again on
  // every request: a later request on the same connection with the same token (compared in
  // constant time) and no revocation since is that principal. Anything else is verified anew.
  const onConnection = new WeakMap<object, { token: Buffer; who: Principal; generation: number }>();
  const verified = (req: FastifyRequest, token: string): Principal | null => {
    const conn = req.raw.socket;
    const seen = onConnection.get(conn);
    const generation = security.tokens.generation;
    if (seen !== undefined && seen.generation === generation) {
      const given = Buffer.from(token);
      if (given.length === seen.token.length && timingSafeEqual(given, seen.token)) return seen.who;
    }
    const who = security.tokens.verify(token);
    if (who !== null) onConnection.set(conn, { token: Buffer.from(token), who, generation });
    return who;
  };

  // Synchronous on the path every accepted request takes (a callback hook, no promise); only a
  // refusal waits, for its audit entry.
  const refuse = (req: FastifyRequest, entry: Omit<AuditInput, 'actor' | 'client'>, problem: () => ApiProblem): Promise<ApiProblem> => req.audit(entry).then(problem);
  const authorise = (req: FastifyRequest, reply: FastifyReply): ApiProblem | Promise<ApiProblem> | null => {
    req.principal = ANONYMOUS;
    if (!req.url.startsWith('/api/')) return null;
    const route = req.routeOptions;
    req.routeConfig = route.config;
    const given = bearer(req);
    const who = given === null ? null : verified(req, given);
    if (who === null) {
      return refuse(req, { action: 'auth.failed', object: `${req.method} ${safePath(req)}`, outcome: 'refused', detail: { reason: given === null ? 'no bearer token' : 'unknown or revoked token' } }, () => {
        const wait = perAddress.take(req.ip);
        if (wait > 0) return tooMany(reply, wait, 'too many requests with a missing or refused token from this address');
        return new ApiProblem('UNAUTHORIZED', 'send "Authorization: Bearer <token>": the admin token is in <state>/api-token; others come from "gsched token create"');
      });
    }
    req.principal = who;
    const wait = perToken.take(who.id);
    if (wait > 0) return tooMany(reply, wait, `token ${who.name} is over its rate limit (${opts.rateLimit.perSecond}/s)`);
    const roles = route.config?.roles;
    if (who.role !== 'admin' && !(roles ?? []).includes(who.role as Role)) {
      // An unknown route is a 404 whoever asks (its handler runs with no roles declared).
      if (route.url === undefined) return null;
      return refuse(req, { action: 'auth.denied', object: `${req.method} ${safePath(req)}`, outcome: 'refused', detail: { role: who.role } }, () =>
        new ApiProblem('FORBIDDEN', `role ${who.role} may not ${req.method} ${safePath(req)}${roles && roles.length > 0 ? ` (allowed: admin, ${roles.join(', ')})` : ' (admin only)'}`),
      );
    }
    return null;
  };
  app.addHook('onRequest', (req, reply, done) => {
    let r: ApiProblem | Promise<ApiProblem> | null;
    try {
      r = authorise(req, reply);
    } catch (err) {
      return done(err as Error);
    }
    if (r === null) return done();
    if (r instanceof ApiProblem) return done(r);
    r.then(done, done);
  });

  // No patient identifier in clear anywhere but the one field a route allows.
  app.addHook('preValidation', (req, _reply, done) => {
    try {
      checkPatientData(req);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
  const checkPatientData = (req: FastifyRequest): void => {
    if (!req.url.startsWith('/api/')) return;
    let url = req.url.includes('%') ? decodeURIComponentSafe(req.url) : req.url;
    const config = req.routeConfig;
    const free = config?.cprFreeParam;
    const id = free === undefined ? undefined : (req.params as Record<string, string | undefined>)[free.name];
    if (free !== undefined && id !== undefined && free.shape.test(id)) url = url.replace(id, '');
    if (containsCpr(url)) {
      throw new ApiProblem('CPR_NOT_ALLOWED', 'the request path or query holds a CPR-shaped number: use the patient\'s pseudonym (gsched consent grant --cpr prints it)');
    }
    // Request bodies here are a few levels deep; a deeper one is refused (whatever else it
    // holds) by the same walk that looks for CPR numbers, which goes no deeper than that.
    const skip = config?.cprField;
    const scan = scanBody(req.body, MAX_DEPTH, skip === undefined ? NO_FIELDS : [skip]);
    if (scan.tooDeep) throw new ApiProblem('TOO_DEEP', `the body nests objects or arrays more than ${MAX_DEPTH} levels deep`);
    if (scan.cprAt !== null) {
      throw new ApiProblem('CPR_NOT_ALLOWED', `${scan.cprAt} holds a CPR-shaped number (DDMMYY-XXXX): patient identifiers never go into job fields; name the patient by pseudonym`, scan.cprAt);
    }
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Whether the request's principal may see/act on a job of `account`. */
export function mayAccessAccount(req: FastifyRequest, account: string): boolean {
  return mayTouchAccount(req.principal, account);
}
