// Who may do what over HTTP (real fastify, real lmdb, the live core, no agents): roles per
// route, a submitter confined to its accounts, viewers without pseudonyms, consent by CPR
// turned into a pseudonym, the audit trail with actors, and the limits on bad input.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHub } from '../agents/index.js';
import { loadClusterConfig } from '../../common/index.js';
import { LiveDriver } from '../driver/index.js';
import { REDACT, Security, type Role } from '../security/index.js';
import { closeApiStack, cprShapedAround, groupsDuring, openApiStack, SMALL_CLUSTER, testJob, type ApiStack } from '../testing/index.js';
import { SchedulerMetrics, buildApi } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-auth-'));
const logLines: string[] = [];
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;
let security: Security;
let stack: ApiStack;
const tok: Record<string, string> = {};

beforeAll(async () => {
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (logLines.push(c.toString()), cb()) });
  const log = pino({ level: 'info', redact: REDACT }, sink);
  stack = openApiStack(dir);
  ({ driver, hub, security } = stack);
  const { metrics } = stack;
  security.bootstrap();
  tok.admin = (await import('node:fs')).readFileSync(join(dir, 'api-token'), 'utf8').trim();
  const mk = (role: Role, name: string, accounts?: string[]): string => security.tokens.create({ role, name, accounts, createdBy: 'test' }).token;
  tok.alice = mk('submitter', 'alice', ['rh-genetics']);
  tok.bob = mk('submitter', 'bob', ['research']);
  tok.viewer = mk('viewer', 'wall');
  tok.officer = mk('consent-officer', 'olga');
  tok.auditor = mk('auditor', 'audrey');
  tok.operator = mk('operator', 'otto');
  app = buildApi({ driver, hub, metrics, security, log, bodyLimit: 64 * 1024 });
  app.get('/api/v1/test-boom', { config: { roles: ['viewer'] } }, async () => {
    throw new Error('boom');
  });
  await app.ready();
});

afterAll(async () => {
  await closeApiStack(app, stack);
});

async function call(who: string | null, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.inject({
    method,
    url,
    headers: { ...(who === null ? {} : { authorization: `Bearer ${tok[who] ?? who}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = res.json() as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.statusCode, body: parsed, headers: res.headers, text: res.body };
}

describe('authentication', () => {
  it('refuses a missing or unknown token with 401 and audits each failure', async () => {
    const before = security.audit.length;
    expect((await call(null, 'GET', '/api/v1/cluster')).status).toBe(401);
    expect((await call('gst_not-a-real-token-at-all', 'GET', '/api/v1/cluster')).status).toBe(401);
    await security.audit.drained();
    const failed = security.audit.query({ after: before }).filter((e) => e.action === 'auth.failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ actor: { role: 'anonymous' }, client: '127.0.0.1', object: 'GET /api/v1/cluster', outcome: 'refused' });
  });

  it('leaves /healthz and /metrics open', async () => {
    expect((await call(null, 'GET', '/healthz')).status).toBe(200);
    expect((await call(null, 'GET', '/metrics')).status).toBe(200);
  });
});

describe('roles', () => {
  it('admits each role to its routes only (403 otherwise, naming who may)', async () => {
    const cases: [string, 'GET' | 'POST', string, number][] = [
      ['viewer', 'GET', '/api/v1/cluster', 200],
      ['viewer', 'GET', '/api/v1/jobs', 200],
      ['viewer', 'POST', '/api/v1/nodes/c1-n001/drain', 403],
      ['viewer', 'GET', '/api/v1/audit', 403],
      ['alice', 'POST', '/api/v1/nodes/c1-n001/drain', 403],
      ['alice', 'GET', '/api/v1/tokens', 403],
      ['officer', 'GET', '/api/v1/audit', 403],
      ['auditor', 'GET', '/api/v1/audit', 200],
      ['auditor', 'POST', '/api/v1/consent', 403],
      ['operator', 'POST', '/api/v1/nodes/c1-n001/resume', 200],
      ['operator', 'GET', '/api/v1/tokens', 403],
      ['admin', 'GET', '/api/v1/tokens', 200],
    ];
    for (const [who, method, url, status] of cases) {
      const r = await call(who, method, url, method === 'POST' && url.includes('consent') ? { pseudonym: 'p_a', action: 'grant', documentRef: 'd' } : undefined);
      expect(r.status, `${who} ${method} ${url}: ${r.text}`).toBe(status);
      if (status === 403) expect(r.body).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringMatching(/allowed: admin|admin only/) });
    }
  });

  it('a submitter submits only to its accounts, as itself, and cannot see or cancel another account\'s job', async () => {
    const own = await call('alice', 'POST', '/api/v1/jobs', testJob([{}], { owner: undefined }));
    expect(own.status, own.text).toBe(201);
    const ownId = (own.body.jobIds as number[])[0] as number;
    expect((await call('admin', 'GET', `/api/v1/jobs/${ownId}`)).body).toMatchObject({ owner: 'alice', account: 'rh-genetics' });
    expect((await call('alice', 'POST', '/api/v1/jobs', testJob([{}], { owner: 'mallory' }))).body).toMatchObject({ code: 'OWNER_NOT_ALLOWED', field: 'owner' });
    const other = await call('alice', 'POST', '/api/v1/jobs', testJob([{}], { account: 'research', partition: 'research', purpose: 'research', owner: undefined }));
    expect(other).toMatchObject({ status: 403, body: { code: 'ACCOUNT_NOT_ALLOWED', field: 'account' } });

    const bobs = await call('bob', 'POST', '/api/v1/jobs', testJob([{}], { account: 'research', partition: 'research', purpose: 'research', owner: undefined }));
    expect(bobs.status, bobs.text).toBe(201);
    const bobId = (bobs.body.jobIds as number[])[0] as number;
    expect((await call('alice', 'GET', `/api/v1/jobs/${bobId}`)).status).toBe(404);
    expect((await call('alice', 'DELETE', `/api/v1/jobs/${bobId}`)).status).toBe(404);
    const listed = (await call('alice', 'GET', '/api/v1/jobs')).body.jobs as { id: number; account: string }[];
    expect(listed.map((j) => j.id)).toContain(ownId);
    expect(listed.every((j) => j.account === 'rh-genetics')).toBe(true);
    expect((await call('bob', 'DELETE', `/api/v1/jobs/${bobId}`)).status).toBe(200);
    // An operator acts on any account's job.
    expect((await call('operator', 'DELETE', `/api/v1/jobs/${ownId}`)).status).toBe(200);
  });

  it('shows a viewer the queue without pseudonyms', async () => {
    const ps = security.pseudonyms.of('030405-6789') as string;
    expect((await call('officer', 'POST', '/api/v1/consent', { cpr: '030405-6789', action: 'grant', documentRef: 'scan-1' })).status).toBe(200);
    const sub = await call('alice', 'POST', '/api/v1/jobs', testJob([{}], { owner: undefined, pseudonyms: [ps] }));
    expect(sub.status, sub.text).toBe(201);
    const id = (sub.body.jobIds as number[])[0] as number;
    expect((await call('viewer', 'GET', `/api/v1/jobs/${id}`)).body).toMatchObject({ pseudonyms: [], pseudonymsHidden: true });
    expect((await call('viewer', 'GET', '/api/v1/jobs')).text).not.toContain(ps);
    expect((await call('alice', 'GET', `/api/v1/jobs/${id}`)).body).toMatchObject({ pseudonyms: [ps] });
    await call('admin', 'DELETE', `/api/v1/jobs/${id}`);
  });
});

describe('tokens over HTTP', () => {
  it('creates (shown once), lists without secrets, revokes; a revoked token is refused; the last admin stays', async () => {
    const c = await call('admin', 'POST', '/api/v1/tokens', { role: 'submitter', accounts: ['research'], name: 'carol' });
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({ token: expect.stringMatching(/^gst_/), id: expect.stringMatching(/^t_/), role: 'submitter' });
    const list = await call('admin', 'GET', '/api/v1/tokens');
    expect(list.text).not.toContain(c.body.token as string);
    expect(list.text).not.toContain('hash');
    expect((await call(c.body.token as string, 'GET', '/api/v1/jobs')).status).toBe(200);
    const revoked = await call('admin', 'DELETE', `/api/v1/tokens/${c.body.id as string}`);
    expect(revoked.status, revoked.text).toBe(200);
    expect((await call(c.body.token as string, 'GET', '/api/v1/jobs')).status).toBe(401);
    expect((await call('admin', 'POST', '/api/v1/tokens', { role: 'submitter', accounts: ['nowhere'] })).body).toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
    expect((await call('admin', 'POST', '/api/v1/tokens', { role: 'submitter' })).body).toMatchObject({ code: 'INVALID_TOKEN_SPEC', field: 'accounts' });
    expect((await call('admin', 'POST', '/api/v1/tokens', { role: 'root' })).status).toBe(400);
    const adminId = security.tokens.list().find((t) => t.role === 'admin')?.id as string;
    expect((await call('admin', 'DELETE', `/api/v1/tokens/${adminId}`)).body).toMatchObject({ code: 'LAST_ADMIN' });
  });

  it('lets a token id that looks like a CPR number through the path check (it must stay revocable), and nothing else', async () => {
    // t_ + 10 hex digits that happen to be all digits: not a patient's, the scheduler made it.
    expect((await call('admin', 'DELETE', '/api/v1/tokens/t_0101901234')).body).toMatchObject({ code: 'UNKNOWN_TOKEN' });
    expect((await call('admin', 'DELETE', '/api/v1/tokens/0101901234')).body).toMatchObject({ code: 'CPR_NOT_ALLOWED' });
    expect((await call('admin', 'DELETE', '/api/v1/tokens/t_0101901234?x=0101901234')).body).toMatchObject({ code: 'CPR_NOT_ALLOWED' });
  });
});

describe('tokens on a keep-alive connection', () => {
  // The API remembers the last token verified on each connection: revocation and a change of
  // token on the same connection must still be seen.
  it('refuses a token revoked while its connection stays open, and tells two tokens on one connection apart', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (token: string, path: string): Promise<{ status: number; body: Record<string, unknown>; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = request(`${address}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const dave = security.tokens.create({ role: 'submitter', name: 'dave', accounts: ['research'], createdBy: 'test' });
      expect((await get(dave.token, '/api/v1/whoami')).body).toMatchObject({ name: 'dave' });
      const again = await get(dave.token, '/api/v1/whoami');
      expect(again).toMatchObject({ status: 200, reused: true, body: { name: 'dave' } });
      // Another token on the same connection is its own identity; a wrong one of the same length is refused.
      expect(await get(tok.alice as string, '/api/v1/whoami')).toMatchObject({ status: 200, reused: true, body: { name: 'alice' } });
      const forged = `${dave.token.slice(0, -1)}${dave.token.endsWith('A') ? 'B' : 'A'}`;
      expect(await get(dave.token, '/api/v1/whoami')).toMatchObject({ status: 200, body: { name: 'dave' } });
      expect(await get(forged, '/api/v1/whoami')).toMatchObject({ status: 401, reused: true });
      expect(await get(dave.token, '/api/v1/whoami')).toMatchObject({ status: 200, body: { name: 'dave' } });
      security.tokens.revoke(dave.record.id);
      expect(await get(dave.token, '/api/v1/whoami')).toMatchObject({ status: 401, reused: true });
    } finally {
      agent.destroy();
    }
  });
});

describe('consent registry', () => {
  it('turns a CPR number into a pseudonym at once, keeps who/when/document and the history, never the number', async () => {
    const g = await call('officer', 'POST', '/api/v1/consent', { cpr: '111111-1118', action: 'grant', documentRef: 'consent-2026-001' });
    expect(g.status, g.text).toBe(200);
    const ps = g.body.pseudonym as string;
    expect(ps).toMatch(/^p_[A-Za-z]{24}$/);
    expect(g.text).not.toMatch(/111111-?1118/);
    expect((await call('officer', 'POST', '/api/v1/consent', { pseudonym: ps, action: 'restrict', note: 'own treatment only' })).status).toBe(200);
    const shown = await call('auditor', 'GET', `/api/v1/consent/${ps}`);
    expect(shown.body).toMatchObject({
      pseudonym: ps,
      status: 'restricted',
      written: { documentRef: 'consent-2026-001', recordedBy: { name: 'olga', role: 'consent-officer' } },
      history: [{ action: 'grant', by: { name: 'olga' } }, { action: 'restrict', note: 'own treatment only' }],
    });
    expect((await call('officer', 'POST', '/api/v1/consent', { pseudonym: 'p_new', action: 'grant' })).body).toMatchObject({ code: 'DOCUMENT_REQUIRED' });
    expect((await call('officer', 'POST', '/api/v1/consent', { cpr: '999999-9999', action: 'grant', documentRef: 'd' })).body).toMatchObject({ code: 'INVALID_CPR' });
    expect((await call('officer', 'POST', '/api/v1/consent', { cpr: '111111-1118', pseudonym: ps, action: 'grant' })).status).toBe(400);
    expect((await call('officer', 'GET', '/api/v1/consent/p_nobody')).status).toBe(404);
    expect(JSON.stringify(security.audit.query({ pseudonym: ps }))).not.toMatch(/111111-?1118/);
    expect(security.audit.query({ pseudonym: ps }).map((e) => e.action)).toEqual(expect.arrayContaining(['consent.change', 'consent.read']));
  });

  it('withholds a consent record whose read the audit log could not record (503 AUDIT_UNAVAILABLE, nothing of the record)', async () => {
    const g = await call('officer', 'POST', '/api/v1/consent', { cpr: '121212-1212', action: 'grant', documentRef: 'consent-2026-002' });
    const ps = g.body.pseudonym as string;
    // A failed write of the audit log (a full disk, say) cannot be made to happen here on demand.
    const append = security.audit.append.bind(security.audit);
    security.audit.append = () => Promise.reject(new Error('MDB_MAP_FULL'));
    try {
      const shown = await call('auditor', 'GET', `/api/v1/consent/${ps}`);
      expect(shown.status).toBe(503);
      expect(shown.body).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      expect(shown.text).not.toContain('consent-2026-002');
      expect(shown.text).not.toContain('granted');
    } finally {
      security.audit.append = append;
    }
    expect((await call('auditor', 'GET', `/api/v1/consent/${ps}`)).body).toMatchObject({ pseudonym: ps, status: 'granted' });
  });
});

describe('patient identifiers in input', () => {
  it('refuses a CPR-shaped string in any job field, the path or the query, naming the field and not the number', async () => {
    for (const [over, field] of [
      [{ name: 'wgs for 010203-1234' }, 'name'],
      [{ class: '0102031234' }, 'class'],
      [{ pseudonyms: ['0102031234'] }, 'pseudonyms[0]'],
    ] as const) {
      const r = await call('admin', 'POST', '/api/v1/jobs', testJob([{}], over));
      expect(r.body, r.text).toMatchObject({ status: 400, code: 'CPR_NOT_ALLOWED', field });
      expect(r.text).not.toMatch(/010203-?1234/);
    }
    const task = await call('admin', 'POST', '/api/v1/jobs', { ...testJob([{}]), tasks: [{ cores: 1, memMb: 10, name: 'x-010203-1234' }] });
    expect(task.body).toMatchObject({ code: 'CPR_NOT_ALLOWED', field: 'tasks[0].name' });
    expect((await call('auditor', 'GET', '/api/v1/consent/010203-1234')).body).toMatchObject({ code: 'CPR_NOT_ALLOWED' });
    expect((await call('admin', 'GET', '/api/v1/jobs?owner=0102031234')).body).toMatchObject({ code: 'CPR_NOT_ALLOWED' });
  });
});

describe('bad input', () => {
  it('413 over the body limit, 400 for broken JSON, 400 naming an unknown field', async () => {
    expect((await call('admin', 'POST', '/api/v1/jobs', 'x'.repeat(70 * 1024))).body).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    expect((await call('admin', 'POST', '/api/v1/jobs', '{"name":')).body).toMatchObject({ status: 400, code: 'INVALID_JSON' });
    expect((await call('admin', 'POST', '/api/v1/jobs', { ...testJob([{}]), colour: 'blue' })).body).toMatchObject({ status: 400, code: 'UNKNOWN_FIELD', field: 'colour' });
    expect((await call('admin', 'POST', '/api/v1/jobs', { ...testJob([{}]), tasks: [{ cores: 1, memMb: 1, gpu: 1 }] })).body).toMatchObject({ code: 'UNKNOWN_FIELD', field: 'tasks[0].gpu' });
    expect((await call('officer', 'POST', '/api/v1/consent', { pseudonym: 'p_a', action: 'grant', documentRef: 'd', extra: 1 })).body).toMatchObject({ code: 'UNKNOWN_FIELD', field: 'extra' });
  });

  it('logs a 5xx under the random reference its problem body carries', async () => {
    const r = await call('viewer', 'GET', '/api/v1/test-boom');
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ code: 'INTERNAL', requestId: expect.any(String) });
    const line = logLines.find((l) => l.includes('request failed') && l.includes(r.body.requestId as string));
    expect(line).toBeDefined();
    // The reference is random: it does not reveal the request counter behind the log's reqId.
    const again = await call('viewer', 'GET', '/api/v1/test-boom');
    expect(again.body.requestId).toMatch(/^[0-9a-f]{12}$/);
    expect(again.body.requestId).not.toBe(r.body.requestId);
    expect(String(again.body.requestId)).not.toContain(':');
    expect(logLines.join('')).not.toContain(tok.viewer as string);
    expect(logLines.map(cprShapedAround).filter((hit) => hit !== null)).toEqual([]);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a token is over its rate, other tokens unaffected', async () => {
    const config = loadClusterConfig(SMALL_CLUSTER());
    // The limiter's clock moves only when the test moves it: a loaded host that takes a second
    // over these requests refilled the bucket under the real clock, and the 4th got 200.
    let now = 0;
    const small = buildApi({ driver, hub, metrics: new SchedulerMetrics(), security, rateLimit: { perSecond: 1, burst: 3 }, rateClock: () => now });
    await small.ready();
    try {
      const get = (t: string) => small.inject({ method: 'GET', url: '/api/v1/cluster', headers: { authorization: `Bearer ${t}` } });
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await get(tok.viewer as string)).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const limited = await get(tok.viewer as string);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
      expect((await get(tok.auditor as string)).statusCode).toBe(200);
      now += 999;
      expect((await get(tok.viewer as string)).statusCode).toBe(429);
      now += 1; // a second on: one request's worth refilled
      expect((await get(tok.viewer as string)).statusCode).toBe(200);
      expect((await get(tok.viewer as string)).statusCode).toBe(429);
      expect(config.name).toBe('test-small');
    } finally {
      await small.close();
    }
  });
});

describe('a consent change', () => {
  it('commits with its audit entry in one journal group (one transaction); the registry record follows', async () => {
    const { result: r, groups } = await groupsDuring(driver, () => call('officer', 'POST', '/api/v1/consent', { pseudonym: 'p_group1', action: 'withdraw' }));
    expect(r.status).toBe(200);
    expect(groups.find((g) => g.includes('event consent'))).toContain('audit consent.change');
    expect(security.consent.get('p_group1')?.status).toBe('withdrawn');
  });
});

describe('audit trail', () => {
  it('records actors for submissions, cancels, drains, token and consent changes; the chain verifies', async () => {
    await security.audit.drained();
    const all = security.audit.query({ limit: 10_000 });
    const by = (action: string) => all.filter((e) => e.action === action);
    expect(by('job.submit').some((e) => e.actor.name === 'alice' && e.outcome === 'ok'), JSON.stringify(all.map((e) => [e.action, e.actor.name, e.outcome]))).toBe(true);
    expect(by('job.submit').some((e) => e.actor.name === 'alice' && e.outcome === 'refused')).toBe(true);
    expect(by('job.cancel').some((e) => e.actor.name === 'otto')).toBe(true);
    expect(by('node.resume').some((e) => e.actor.role === 'operator')).toBe(true);
    expect(by('token.create').length).toBeGreaterThan(0);
    expect(by('token.revoke').length).toBeGreaterThan(0);
    expect(by('consent.admit').length).toBeGreaterThan(0);
    expect(by('auth.denied').length).toBeGreaterThan(0);
    const v = await call('auditor', 'GET', '/api/v1/audit/verify');
    expect(v.body).toMatchObject({ ok: true });
    const page = await call('auditor', 'GET', '/api/v1/audit?limit=2&after=1');
    expect((page.body.entries as { seq: number }[]).map((e) => e.seq)).toEqual([2, 3]);
    expect(page.body.next).toBe(3);
    expect((await call('auditor', 'GET', '/api/v1/audit?since=yesterday')).body).toMatchObject({ code: 'INVALID_QUERY', field: 'since' });
  });
});
