// Every route of the contract that changes state writes an audit entry naming the actor (token
// identity and role), the client address, the time and the object, whether the change is made
// or refused; and a submitter controls its own accounts' jobs as Slurm lets a user, and no
// other account's (real fastify, real lmdb, the live core, no agents).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteName } from '../../contract/index.js';
import { AgentHub } from '../agents/index.js';
import { LiveDriver } from '../driver/index.js';
import { Security, type AuditEntry, type Role } from '../security/index.js';
import { closeApiStack, groupsDuring, openApiStack, testJob, type ApiStack } from '../testing/index.js';
import { buildApi } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-audit-routes-'));
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;
let security: Security;
let stack: ApiStack;
const who: Record<string, { token: string; id: string; name: string; role: string }> = {};

beforeAll(async () => {
  stack = openApiStack(dir);
  ({ driver, hub, security } = stack);
  const { metrics } = stack;
  security.bootstrap();
  const adminToken = readFileSync(join(dir, 'api-token'), 'utf8').trim();
  const admin = security.tokens.verify(adminToken);
  if (admin === null) throw new Error('no admin token');
  who.admin = { token: adminToken, id: admin.id, name: admin.name, role: 'admin' };
  const mk = (key: string, role: Role, name: string, accounts?: string[]): void => {
    const { token, record } = security.tokens.create({ role, name, accounts, createdBy: 'test' });
    who[key] = { token, id: record.id, name, role };
  };
  mk('operator', 'operator', 'otto');
  mk('alice', 'submitter', 'alice', ['rh-genetics']);
  mk('bob', 'submitter', 'bob', ['research']);
  mk('officer', 'consent-officer', 'olga');
  app = buildApi({ driver, hub, metrics, security });
  await app.ready();
});

afterAll(async () => {
  await closeApiStack(app, stack);
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function call(as: string, method: Method, url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${who[as]?.token ?? as}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown>, text: res.body };
}

/** A held job (so it stays pending with no agents), submitted as `as`, on its account. */
async function heldJob(as: string, over: Record<string, unknown> = {}): Promise<number> {
  const r = await call(as, 'POST', '/api/v1/jobs', testJob([{}], { owner: undefined, hold: true, ...over }));
  expect(r.status, r.text).toBe(201);
  return (r.body.jobIds as number[])[0] as number;
}

interface Case {
  as: string;
  /** Makes what the request acts on, and gives the request. */
  request: () => Promise<{ method: Method; url: string; body?: unknown }>;
  action: string;
  object: RegExp;
  /** The entry's outcome: the change made (`ok`, or what it made), or `refused` (still audited). */
  outcome: string;
}

const PATIENT = 'p_auditwalk01';

// One request per state-changing route. A route added to the contract without a case here
// fails the walk below: add a case, and an audit entry in its handler.
const CASES: Partial<Record<RouteName, Case>> = {
  submitJob: { as: 'alice', request: async () => ({ method: 'POST', url: '/api/v1/jobs', body: testJob([{}], { owner: undefined, hold: true }) }), action: 'job.submit', object: /^job \d+$/, outcome: 'ok' },
  submitAnalysis: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/analyses', body: { class: 'panel', pseudonyms: [PATIENT] } }), action: 'analysis.submit', object: /^job \d+$/, outcome: 'ok' },
  submitRun: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/runs', body: { run: 'RUN-AUDIT-1', lab: 'east', samples: [{ class: 'panel', pseudonym: PATIENT }] } }), action: 'run.submit', object: /^run RUN-AUDIT-1$/, outcome: 'ok' },
  cancelJob: { as: 'alice', request: async () => ({ method: 'DELETE', url: `/api/v1/jobs/${await heldJob('alice')}` }), action: 'job.cancel', object: /^job \d+$/, outcome: 'ok' },
  // No agents here, so nothing runs: the signal is refused, and that is audited too.
  signalJob: { as: 'operator', request: async () => ({ method: 'POST', url: `/api/v1/jobs/${await heldJob('alice')}/signal`, body: { signal: 'USR1' } }), action: 'job.signal', object: /^job \d+$/, outcome: 'refused' },
  holdJob: { as: 'alice', request: async () => ({ method: 'POST', url: `/api/v1/jobs/${await heldJob('alice', { hold: false })}/hold`, body: {} }), action: 'job.hold', object: /^job \d+$/, outcome: 'ok' },
  releaseJob: { as: 'alice', request: async () => ({ method: 'POST', url: `/api/v1/jobs/${await heldJob('alice')}/release`, body: {} }), action: 'job.release', object: /^job \d+$/, outcome: 'ok' },
  requeueJob: { as: 'operator', request: async () => ({ method: 'POST', url: `/api/v1/jobs/${await heldJob('alice')}/requeue`, body: {} }), action: 'job.requeue', object: /^job \d+$/, outcome: 'ok' },
  updateJob: { as: 'alice', request: async () => ({ method: 'PATCH', url: `/api/v1/jobs/${await heldJob('alice')}`, body: { nice: 10 } }), action: 'job.update', object: /^job \d+$/, outcome: 'ok' },
  topJob: { as: 'operator', request: async () => ({ method: 'POST', url: `/api/v1/jobs/${await heldJob('alice')}/top` }), action: 'job.top', object: /^job \d+$/, outcome: 'ok' },
  drainNode: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/nodes/c1-n001/drain', body: { reason: 'DIMM errors' } }), action: 'node.drain', object: /^node c1-n001$/, outcome: 'ok' },
  resumeNode: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/nodes/c1-n001/resume', body: {} }), action: 'node.resume', object: /^node c1-n001$/, outcome: 'ok' },
  downNode: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/nodes/c2-n001/down', body: { reason: 'PSU failed' } }), action: 'node.down', object: /^node c2-n001$/, outcome: 'ok' },
  recordConsent: { as: 'officer', request: async () => ({ method: 'POST', url: '/api/v1/consent', body: { pseudonym: 'p_auditwalk02', action: 'grant', documentRef: 'scan-7' } }), action: 'consent.change', object: /^consent p_auditwalk02$/, outcome: 'granted' },
  createToken: { as: 'admin', request: async () => ({ method: 'POST', url: '/api/v1/tokens', body: { role: 'viewer', name: 'wall-2' } }), action: 'token.create', object: /^token t_/, outcome: 'ok' },
  createReservation: { as: 'operator', request: async () => ({ method: 'POST', url: '/api/v1/reservations', body: { name: 'maint-walk', nodes: ['c3-n001'], startAt: driver.clock.now() + 3_600_000, durationMs: 3_600_000, maint: true } }), action: 'reservation.create', object: /^reservation maint-walk$/, outcome: 'ok' },
  deleteReservation: {
    as: 'operator',
    request: async () => {
      const made = await driver.createReservation({ name: 'walk-del', nodes: ['c3-n002'], startAt: driver.clock.now() + 3_600_000, durationMs: 60_000, maint: true });
      expect(made.ok).toBe(true);
      return { method: 'DELETE', url: '/api/v1/reservations/walk-del' };
    },
    action: 'reservation.delete',
    object: /^reservation walk-del$/,
    outcome: 'ok',
  },
  // This API was built without a config file to read again: refused, and audited.
  reconfigure: { as: 'admin', request: async () => ({ method: 'POST', url: '/api/v1/reconfigure' }), action: 'config.reconfigure', object: /^cluster config$/, outcome: 'refused' },
  revokeToken: { as: 'admin', request: async () => ({ method: 'DELETE', url: `/api/v1/tokens/${security.tokens.create({ role: 'viewer', name: 'wall-3', createdBy: 'test' }).record.id}` }), action: 'token.revoke', object: /^token t_/, outcome: 'ok' },
};

describe('audit of every state-changing route', () => {
  it('writes an entry with actor, role, client address, time and object for each, applied or refused', async () => {
    expect((await call('officer', 'POST', '/api/v1/consent', { pseudonym: PATIENT, action: 'grant', documentRef: 'scan-6' })).status).toBe(200);
    const changing = (Object.keys(ROUTES) as RouteName[]).filter((n) => ROUTES[n].auth === 'bearer' && ROUTES[n].method !== 'GET');
    expect(changing.length).toBeGreaterThanOrEqual(16);
    const missing = changing.filter((n) => CASES[n] === undefined);
    expect(missing, 'routes that change state with no case in this walk').toEqual([]);
    for (const name of changing) {
      const c = CASES[name] as Case;
      const actor = who[c.as] as (typeof who)[string];
      const req = await c.request();
      await security.audit.drained();
      const before = security.audit.length;
      const t0 = Date.now();
      const { result: r, groups } = await groupsDuring(driver, () => call(c.as, req.method, req.url, req.body));
      const t1 = Date.now();
      // What the request changed reaches the disk only with its audit entry: a group holding
      // one of its events holds an entry of it too (one transaction, one sync; a crash keeps
      // both or neither).
      for (const g of groups.filter((x) => x.some((k) => k.startsWith('event ')))) {
        expect(g.some((k) => k.startsWith('audit ')), `${name}: journal group ${JSON.stringify(g)} holds events of the request without its audit entry`).toBe(true);
      }
      expect(r.status < 300, `${name}: ${r.status} ${r.text}`).toBe(c.outcome !== 'refused');
      await security.audit.drained();
      const entries: AuditEntry[] = security.audit.query({ after: before });
      const mine = entries.find((e) => e.action === c.action);
      expect(mine, `${name}: no ${c.action} entry among ${JSON.stringify(entries.map((e) => e.action))}`).toBeDefined();
      expect(mine, name).toMatchObject({ actor: { id: actor.id, name: actor.name, role: actor.role }, client: '127.0.0.1', outcome: c.outcome, object: expect.stringMatching(c.object) });
      expect(mine?.at, name).toBeGreaterThanOrEqual(t0);
      expect(mine?.at, name).toBeLessThanOrEqual(t1);
    }
    expect(security.audit.verify()).toMatchObject({ ok: true });
  });

  it('records the patients a run or analysis reads, and the consent decision on each sample', async () => {
    const byPatient = security.audit.query({ pseudonym: PATIENT, limit: 1000 }).map((e) => e.action);
    expect(byPatient).toEqual(expect.arrayContaining(['consent.change', 'analysis.submit', 'run.submit', 'run.sample', 'consent.admit']));
    const refused = await call('operator', 'POST', '/api/v1/analyses', { class: 'panel', pseudonyms: ['p_noconsent01'] });
    expect(refused.body).toMatchObject({ code: 'CONSENT_REQUIRED' });
    await security.audit.drained();
    expect(security.audit.query({ pseudonym: 'p_noconsent01' })).toEqual([expect.objectContaining({ action: 'consent.refuse', outcome: 'refused', actor: expect.objectContaining({ name: 'otto' }) })]);
  });

  it("says which of a run's jobs holds each patient's data, not only that the run does", async () => {
    const patients = ['p_runmap01', 'p_runmap02'];
    for (const pseudonym of patients) expect((await call('officer', 'POST', '/api/v1/consent', { pseudonym, action: 'grant', documentRef: `scan-${pseudonym}` })).status).toBe(200);
    const r = await call('operator', 'POST', '/api/v1/runs', { run: 'RUN-AUDIT-MAP', lab: 'east', samples: patients.map((pseudonym) => ({ class: 'panel', pseudonym })) });
    expect(r.status, r.text).toBe(201);
    const ids = (r.body.analyses as { displayId: string }[]).map((a) => a.displayId);
    await security.audit.drained();
    for (const [i, pseudonym] of patients.entries()) {
      const admit = security.audit.query({ pseudonym, limit: 1000 }).find((e) => e.action === 'consent.admit');
      const jobs = admit?.detail.jobs as string[] | undefined;
      expect(jobs, pseudonym).toHaveLength(2);
      // The line naming this patient names its own job and no other.
      expect(jobs?.filter((line) => line.endsWith(`: ${pseudonym}`)), pseudonym).toEqual([`job ${ids[i]} sample ${i} purpose treatment: ${pseudonym}`]);
    }
  });
});

describe('a submitter controls its own accounts\' jobs, as their owner', () => {
  it('holds, releases, updates and cancels its own job', async () => {
    const id = await heldJob('alice', { hold: false });
    const held = await call('alice', 'POST', `/api/v1/jobs/${id}/hold`, {});
    expect(held.status, held.text).toBe(200);
    expect(held.body.jobs).toEqual([expect.objectContaining({ id, hold: 'user' })]);
    const updated = await call('alice', 'PATCH', `/api/v1/jobs/${id}`, { nice: 50, timeLimitMs: 60_000 });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.jobs).toEqual([expect.objectContaining({ nice: 50, tasks: [expect.objectContaining({ timeLimitMs: 60_000 })] })]);
    expect((await call('alice', 'POST', `/api/v1/jobs/${id}/release`, {})).body.jobs).toEqual([expect.objectContaining({ hold: null })]);
    expect((await call('alice', 'DELETE', `/api/v1/jobs/${id}`)).body).toMatchObject({ jobId: id, state: 'CANCELLED' });
  });

  it('gets no further than a user may: no operator hold, no negative nice, no longer limit, no QoS its account lacks', async () => {
    const id = await heldJob('alice', { hold: false });
    const adminHold = await call('alice', 'POST', `/api/v1/jobs/${id}/hold`, { kind: 'admin' });
    expect(adminHold).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', field: 'kind' } });
    expect((await call('operator', 'POST', `/api/v1/jobs/${id}/hold`, {})).body.jobs).toEqual([expect.objectContaining({ hold: 'admin' })]);
    const release = await call('alice', 'POST', `/api/v1/jobs/${id}/release`, {});
    expect(release).toMatchObject({ status: 409, body: { code: 'INVALID_STATE', detail: `job ${id} was held by an operator; only an operator can release it` } });
    expect(await call('alice', 'PATCH', `/api/v1/jobs/${id}`, { nice: -5 })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', field: 'nice' } });
    expect(await call('alice', 'PATCH', `/api/v1/jobs/${id}`, { timeLimitMs: 48 * 3_600_000 })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', field: 'timeLimitMs' } });
    expect(await call('alice', 'POST', '/api/v1/jobs', testJob([{}], { owner: undefined, nice: -100 }))).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', field: 'nice' } });
    // research may use normal only (the config): not urgent, whoever asks.
    const research = await heldJob('bob', { account: 'research', partition: 'research', purpose: 'research' });
    expect(await call('bob', 'PATCH', `/api/v1/jobs/${research}`, { qos: 'urgent' })).toMatchObject({ status: 422, body: { code: 'QOS_NOT_ALLOWED', field: 'changes.qos' } });
    expect(await call('operator', 'PATCH', `/api/v1/jobs/${research}`, { qos: 'urgent' })).toMatchObject({ status: 422, body: { code: 'QOS_NOT_ALLOWED' } });
    // The operator may do what the submitter may not.
    expect((await call('operator', 'PATCH', `/api/v1/jobs/${id}`, { nice: -5 })).status).toBe(200);
    expect((await call('operator', 'POST', `/api/v1/jobs/${id}/release`, {})).status).toBe(200);
    await security.audit.drained();
    const refusals = security.audit.query({ limit: 10_000 }).filter((e) => e.actor.name === 'alice' && e.object === `job ${id}` && e.outcome === 'refused');
    expect(refusals.map((e) => [e.action, e.detail.code])).toEqual([['job.hold', 'FORBIDDEN'], ['job.release', 'INVALID_STATE'], ['job.update', 'FORBIDDEN'], ['job.update', 'FORBIDDEN']]);
  });

  it('finds no job of another account to control: 404, as for reading it', async () => {
    const bobs = await heldJob('bob', { account: 'research', partition: 'research', purpose: 'research' });
    const tries: [Method, string, unknown][] = [
      ['GET', `/api/v1/jobs/${bobs}`, undefined],
      ['POST', `/api/v1/jobs/${bobs}/hold`, {}],
      ['POST', `/api/v1/jobs/${bobs}/release`, {}],
      ['PATCH', `/api/v1/jobs/${bobs}`, { nice: 100 }],
      ['DELETE', `/api/v1/jobs/${bobs}`, undefined],
    ];
    for (const [method, url, body] of tries) {
      expect(await call('alice', method, url, body), `${method} ${url}`).toMatchObject({ status: 404, body: { code: 'UNKNOWN_JOB', detail: `no job ${bobs}` } });
    }
    // Each attempt is on record for the auditor, without the other account's patients.
    await security.audit.drained();
    const probes = security.audit.query({ limit: 10_000 }).filter((e) => e.actor.name === 'alice' && e.object === `job ${bobs}`);
    expect(probes.map((e) => [e.action, e.outcome, e.detail.code, e.pseudonyms.length])).toEqual([
      ['job.hold', 'refused', 'UNKNOWN_JOB', 0],
      ['job.release', 'refused', 'UNKNOWN_JOB', 0],
      ['job.update', 'refused', 'UNKNOWN_JOB', 0],
      ['job.cancel', 'refused', 'UNKNOWN_JOB', 0],
    ]);
    // Nothing changed, and what only operators do stays theirs.
    expect((await call('bob', 'GET', `/api/v1/jobs/${bobs}`)).body).toMatchObject({ hold: 'user', nice: 0, state: 'PENDING' });
    for (const [method, url] of [['POST', `/api/v1/jobs/${bobs}/requeue`], ['POST', `/api/v1/jobs/${bobs}/top`], ['POST', `/api/v1/jobs/${bobs}/signal`]] as const) {
      expect((await call('bob', method, url, url.endsWith('signal') ? { signal: 'USR1' } : {})).status, url).toBe(403);
    }
  });
});
