// Routes of the security layer: API tokens (admin), the consent registry (consent-officer;
// auditor reads) and the audit log (auditor).
import type { FastifyInstance } from 'fastify';
import type { LiveDriver } from '../driver/index.js';
import { ROLES, STATUS_OF_ACTION, TokenError, type ConsentAction, type Role, type Security } from '../security/index.js';
import { ApiProblem, rejection } from './errors.js';

const str = { type: 'string', maxLength: 256 } as const;

const TOKEN_SCHEMA = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { role: { type: 'string', enum: [...ROLES] }, name: { type: 'string', maxLength: 64 }, accounts: { type: 'array', maxItems: 100, items: str } },
} as const;

const CONSENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pseudonym: { type: 'string', maxLength: 64 },
    /** A CPR number, turned into the keyed pseudonym at once and never kept. */
    cpr: { type: 'string', maxLength: 20 },
    action: { type: 'string', enum: ['grant', 'restrict', 'withdraw'] },
    /** The older form of `action`. */
    status: { type: 'string', enum: ['granted', 'restricted', 'withdrawn'] },
    documentRef: str,
    note: { type: 'string', maxLength: 1000 },
  },
} as const;

interface ConsentBody {
  pseudonym?: string;
  cpr?: string;
  action?: ConsentAction;
  status?: 'granted' | 'restricted' | 'withdrawn';
  documentRef?: string;
  note?: string;
}

const ACTION_OF_STATUS = { granted: 'grant', restricted: 'restrict', withdrawn: 'withdraw' } as const;

function parseTime(text: string, field: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw new ApiProblem(400, 'INVALID_QUERY', `${field} must be a time (ISO 8601 like 2026-12-01T10:00:00Z, or ms since 1970), got ${JSON.stringify(text.slice(0, 40))}`, field);
  return n;
}

function queryText(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ApiProblem(400, 'INVALID_QUERY', `${name} must be given once`, name);
  return v;
}

export function registerSecurityRoutes(app: FastifyInstance, { driver, security }: { driver: LiveDriver; security: Security }): void {
  // ---------------------------------------------------------------- tokens (admin only)

  app.post('/api/v1/tokens', { schema: { body: TOKEN_SCHEMA } }, async (req, reply) => {
    const body = req.body as { role: Role; name?: string; accounts?: string[] };
    const known = new Set(driver.core.config.accounts.map((a) => a.name));
    const unknown = (body.accounts ?? []).find((a) => !known.has(a));
    if (unknown !== undefined) throw new ApiProblem(422, 'UNKNOWN_ACCOUNT', `no account ${unknown} in the cluster config`, 'accounts');
    try {
      const { token, record } = security.tokens.create({ role: body.role, name: body.name, accounts: body.accounts, createdBy: req.principal.name });
      await req.audit({ action: 'token.create', object: `token ${record.id}`, outcome: 'ok', detail: { role: record.role, name: record.name, accounts: record.accounts } });
      return reply.code(201).send({ token, ...record });
    } catch (err) {
      if (err instanceof TokenError) throw new ApiProblem(400, 'INVALID_TOKEN_SPEC', err.message, err.field);
      throw err;
    }
  });

  app.get('/api/v1/tokens', async () => ({ tokens: security.tokens.list() }));

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', async (req) => {
    const id = req.params.id;
    const t = security.tokens.get(id);
    if (!t) throw new ApiProblem(404, 'UNKNOWN_TOKEN', `no token ${id.slice(0, 40)} (see gsched token list)`, 'id');
    if (t.role === 'admin' && t.revokedAt === null && security.tokens.list().filter((x) => x.role === 'admin' && x.revokedAt === null).length === 1) {
      throw new ApiProblem(409, 'LAST_ADMIN', `token ${id} is the last admin token: create another admin token before revoking it`, 'id');
    }
    const revoked = security.tokens.revoke(id);
    await req.audit({ action: 'token.revoke', object: `token ${id}`, outcome: 'ok', detail: { role: t.role, name: t.name } });
    return revoked;
  });

  // ---------------------------------------------------------------- consent

  app.post('/api/v1/consent', { schema: { body: CONSENT_SCHEMA }, config: { roles: ['consent-officer'], cprField: 'cpr' } }, async (req) => {
    const body = req.body as ConsentBody;
    if ((body.pseudonym === undefined) === (body.cpr === undefined)) {
      throw new ApiProblem(400, 'INVALID_BODY', 'give exactly one of pseudonym and cpr', body.pseudonym === undefined ? 'pseudonym' : 'cpr');
    }
    if ((body.action === undefined) === (body.status === undefined)) {
      throw new ApiProblem(400, 'INVALID_BODY', 'give exactly one of action (grant, restrict, withdraw) and status', 'action');
    }
    let pseudonym = body.pseudonym as string;
    if (body.cpr !== undefined) {
      const p = security.pseudonyms.of(body.cpr);
      // The answer never repeats the number.
      if (p === null) throw new ApiProblem(400, 'INVALID_CPR', 'cpr is not a CPR number (DDMMYY-XXXX or DDMMYYXXXX)', 'cpr');
      pseudonym = p;
    }
    const action: ConsentAction = body.action ?? ACTION_OF_STATUS[body.status as keyof typeof ACTION_OF_STATUS];
    const status = STATUS_OF_ACTION[action];
    const documentRef = body.documentRef ?? null;
    if (action !== 'withdraw' && documentRef === null && !security.consent.hasWrittenConsent(pseudonym)) {
      throw new ApiProblem(422, 'DOCUMENT_REQUIRED', `no written consent on record for ${pseudonym}: ${action} needs documentRef, the reference of the signed consent`, 'documentRef');
    }
    const r = await driver.consent(pseudonym, status);
    if (!r.ok) throw rejection(r.error);
    const record = await security.consent.record(pseudonym, {
      action,
      status,
      at: Date.now(),
      by: { id: req.principal.id, name: req.principal.name, role: req.principal.role },
      documentRef,
      note: body.note ?? null,
    });
    await req.audit({ action: 'consent.change', object: `consent ${pseudonym}`, outcome: status, pseudonyms: [pseudonym], detail: { action, documentRef, viaCpr: body.cpr !== undefined } });
    return { pseudonym, status, record };
  });

  app.get<{ Params: { pseudonym: string } }>('/api/v1/consent/:pseudonym', { config: { roles: ['consent-officer', 'auditor'] } }, async (req) => {
    const p = req.params.pseudonym;
    const record = security.consent.get(p);
    await req.audit({ action: 'consent.read', object: `consent ${p.slice(0, 64)}`, outcome: record ? 'ok' : 'none', pseudonyms: [p.slice(0, 64)] });
    if (!record) throw new ApiProblem(404, 'NO_CONSENT', `no consent on record for ${p.slice(0, 64)}`, 'pseudonym');
    return record;
  });

  // ---------------------------------------------------------------- audit

  app.get('/api/v1/audit', { config: { roles: ['auditor'] } }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const since = queryText(q, 'since');
    const after = queryText(q, 'after');
    const limitText = queryText(q, 'limit');
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ApiProblem(400, 'INVALID_QUERY', 'limit must be an integer from 1 to 10000', 'limit');
    if (after !== undefined && !/^\d{1,15}$/.test(after)) throw new ApiProblem(400, 'INVALID_QUERY', 'after must be an entry number', 'after');
    const pseudonym = queryText(q, 'pseudonym');
    const entries = security.audit.query({
      ...(pseudonym === undefined ? {} : { pseudonym }),
      ...(since === undefined ? {} : { since: parseTime(since, 'since') }),
      ...(after === undefined ? {} : { after: Number(after) }),
      limit,
    });
    await req.audit({ action: 'audit.read', object: 'audit', outcome: 'ok', pseudonyms: pseudonym === undefined ? [] : [pseudonym.slice(0, 64)], detail: { entries: entries.length } });
    return { entries, next: entries.length === limit ? (entries.at(-1)?.seq ?? null) : null };
  });

  app.get('/api/v1/audit/verify', { config: { roles: ['auditor'] } }, async () => security.audit.verify());
}
