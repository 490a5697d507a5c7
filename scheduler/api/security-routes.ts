// Routes of the security layer: API tokens (admin), the consent registry (consent-officer;
// auditor reads) and the audit log (auditor). Shapes and roles are in contract/routes.ts.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ROUTES, fastifySchema, type Role, type RouteName, type RouteSpec } from '../../contract/index.js';
import type { LiveDriver } from '../driver/index.js';
import { STATUS_OF_ACTION, TOKEN_ID, TokenError, type ConsentAction, type Security } from '../security/index.js';
import { ApiProblem, rejection } from './errors.js';

type Api = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

const ACTION_OF_STATUS = { granted: 'grant', restricted: 'restrict', withdrawn: 'withdraw' } as const;

function parseTime(text: string, field: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw new ApiProblem('INVALID_QUERY', `${field} must be a time (ISO 8601 like 2026-12-01T10:00:00Z, or ms since 1970), got ${JSON.stringify(text.slice(0, 40))}`, field);
  return n;
}

function at<N extends RouteName>(name: N) {
  const r: RouteSpec = ROUTES[name];
  return { method: ROUTES[name].method, url: ROUTES[name].url, schema: fastifySchema(name, ROUTES[name]), config: { roles: r.roles ?? ([] as readonly Role[]) } };
}

export function registerSecurityRoutes(app: Api, { driver, security }: { driver: LiveDriver; security: Security }): void {
  // ---------------------------------------------------------------- tokens (admin only)

  app.route({
    ...at('createToken'),
    handler: async (req, reply) => {
      const body = req.body;
      const known = new Set(driver.core.config.accounts.map((a) => a.name));
      const unknown = (body.accounts ?? []).find((a) => !known.has(a));
      if (unknown !== undefined) throw new ApiProblem('UNKNOWN_ACCOUNT', `no account ${unknown} in the cluster config`, 'accounts');
      try {
        const { token, record } = security.tokens.create({ role: body.role, name: body.name, accounts: body.accounts, createdBy: req.principal.name });
        // The token (security.lmdb) and its audit entry (the journal's group) are synced at once.
        await Promise.all([security.flushed(), req.audit({ action: 'token.create', object: `token ${record.id}`, outcome: 'ok', detail: { role: record.role, name: record.name, accounts: record.accounts } })]);
        return reply.code(201).send({ token, ...record });
      } catch (err) {
        if (err instanceof TokenError) throw new ApiProblem('INVALID_TOKEN_SPEC', err.message, err.field);
        throw err;
      }
    },
  });

  app.route({ ...at('listTokens'), handler: async () => ({ tokens: security.tokens.list() }) });

  app.route({
    ...at('revokeToken'),
    // A token issued before ids were drawn again when CPR-shaped must stay revocable.
    config: { ...at('revokeToken').config, cprFreeParam: { name: 'id', shape: TOKEN_ID } },
    handler: async (req) => {
      const id = req.params.id;
      const t = security.tokens.get(id);
      if (!t) throw new ApiProblem('UNKNOWN_TOKEN', `no token ${id.slice(0, 40)} (see gsched token list)`, 'id');
      if (t.role === 'admin' && t.revokedAt === null && security.tokens.list().filter((x) => x.role === 'admin' && x.revokedAt === null).length === 1) {
        throw new ApiProblem('LAST_ADMIN', `token ${id} is the last admin token: create another admin token before revoking it`, 'id');
      }
      const revoked = security.tokens.revoke(id) ?? t;
      await Promise.all([security.flushed(), req.audit({ action: 'token.revoke', object: `token ${id}`, outcome: 'ok', detail: { role: t.role, name: t.name } })]);
      return revoked;
    },
  });

  // ---------------------------------------------------------------- consent

  app.route({
    ...at('recordConsent'),
    config: { ...at('recordConsent').config, cprField: 'cpr' },
    handler: async (req) => {
      const body = req.body;
      if ((body.pseudonym === undefined) === (body.cpr === undefined)) {
        throw new ApiProblem('INVALID_BODY', 'give exactly one of pseudonym and cpr', body.pseudonym === undefined ? 'pseudonym' : 'cpr');
      }
      if ((body.action === undefined) === (body.status === undefined)) {
        throw new ApiProblem('INVALID_BODY', 'give exactly one of action (grant, restrict, withdraw) and status', 'action');
      }
      let pseudonym = body.pseudonym as string;
      if (body.cpr !== undefined) {
        const p = security.pseudonyms.of(body.cpr);
        // The answer never repeats the number.
        if (p === null) throw new ApiProblem('INVALID_CPR', 'cpr is not a CPR number (DDMMYY-XXXX or DDMMYYXXXX)', 'cpr');
        pseudonym = p;
      }
      const action: ConsentAction = body.action ?? ACTION_OF_STATUS[body.status as keyof typeof ACTION_OF_STATUS];
      const status = STATUS_OF_ACTION[action];
      const documentRef = body.documentRef ?? null;
      if (action !== 'withdraw' && documentRef === null && !security.consent.hasWrittenConsent(pseudonym)) {
        throw new ApiProblem('DOCUMENT_REQUIRED', `no written consent on record for ${pseudonym}: ${action} needs documentRef, the reference of the signed consent`, 'documentRef');
      }
      const { answer, durable } = driver.consentNow(pseudonym, status);
      if (!answer.ok) throw rejection(answer.error);
      // The change the gate enforces (a journal event) and its audit entry are appended in this
      // turn: one group commit, so both are on disk or neither. The registry's record (the
      // document reference, in security.lmdb) follows once they are: a crash between leaves a
      // change enforced and audited whose record the client's retry writes, never a record or
      // an enforced change without its entry.
      await Promise.all([durable, req.audit({ action: 'consent.change', object: `consent ${pseudonym}`, outcome: status, pseudonyms: [pseudonym], detail: { action, documentRef, viaCpr: body.cpr !== undefined } })]);
      const record = await security.consent.record(pseudonym, {
        action,
        status,
        at: Date.now(),
        by: { id: req.principal.id, name: req.principal.name, role: req.principal.role },
        documentRef,
        note: body.note ?? null,
      });
      return { pseudonym, status, record };
    },
  });

  app.route({
    ...at('consentOf'),
    handler: async (req) => {
      const p = req.params.pseudonym.slice(0, 64);
      const record = security.consent.get(p);
      await req.audit({ action: 'consent.read', object: `consent ${p}`, outcome: record ? 'ok' : 'none', pseudonyms: [p] });
      if (!record) throw new ApiProblem('NO_CONSENT', `no consent on record for ${p}`, 'pseudonym');
      return record;
    },
  });

  // ---------------------------------------------------------------- audit

  app.route({
    ...at('audit'),
    handler: async (req) => {
      const q = req.query;
      const limit = q.limit === undefined || q.limit === '' ? 1000 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ApiProblem('INVALID_QUERY', 'limit must be an integer from 1 to 10000', 'limit');
      if (q.after !== undefined && q.after !== '' && !/^\d{1,15}$/.test(q.after)) throw new ApiProblem('INVALID_QUERY', 'after must be an entry number', 'after');
      const pseudonym = q.pseudonym === '' ? undefined : q.pseudonym;
      const entries = security.audit.query({
        ...(pseudonym === undefined ? {} : { pseudonym }),
        ...(q.since === undefined || q.since === '' ? {} : { since: parseTime(q.since, 'since') }),
        ...(q.after === undefined || q.after === '' ? {} : { after: Number(q.after) }),
        limit,
      });
      await req.audit({ action: 'audit.read', object: 'audit', outcome: 'ok', pseudonyms: pseudonym === undefined ? [] : [pseudonym.slice(0, 64)], detail: { entries: entries.length } });
      return { entries, next: entries.length === limit ? (entries.at(-1)?.seq ?? null) : null };
    },
  });

  app.route({ ...at('auditVerify'), handler: async () => security.audit.verify() });
}
