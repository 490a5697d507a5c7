// Routes an operator's Slurm habits lean on, with running tasks: real fastify, real lmdb and the
// live core, with a dispatcher that records what it would send to the agents.
// - POST /api/v1/jobs/{id}/signal (scancel --signal): an array's own id reaches every running
//   element, as scancel does; `120_3` one element.
// - GET /api/v1/whoami: the token's identity, which `--me` (squeue, scancel) filters on.
// - drain and down record who said so (nodes -R) as the token's identity.
// - DELETE of an array's id with graceMs gives every running element's command that grace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApiStack, openApiStack, testJob, waitFor, type ApiStack } from '../testing/index.js';
import { buildApi } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
let stack: ApiStack;
let app: FastifyInstance;
const signalled: { node: string; taskId: number; signal: string }[] = [];
const cancelled: { taskId: number; graceMs: number | undefined }[] = [];

beforeAll(async () => {
  stack = openApiStack(mkdtempSync(join(tmpdir(), 'gsched-signal-')));
  // After the hub, which made itself the dispatcher: tasks are "sent" here instead.
  stack.driver.setDispatcher({ assign: () => true, cancel: (_n, t, _reason, graceMs) => void cancelled.push({ taskId: t.taskId, graceMs }), signal: (node, t, signal) => void signalled.push({ node, taskId: t.taskId, signal }), drain: () => undefined, flush: () => undefined });
  await stack.driver.agentHello(stack.driver.core.config.nodes.map((n) => n.name), [], []);
  stack.security.bootstrap(TOKEN);
  app = buildApi({ driver: stack.driver, hub: stack.hub, metrics: stack.metrics, security: stack.security });
  await app.ready();
});

afterAll(async () => {
  await closeApiStack(app, stack);
});

async function post(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
}

describe('whoami', () => {
  it("answers the asking token's identity, role and accounts", async () => {
    const made = stack.security.tokens.create({ role: 'submitter', name: 'rh-lab', accounts: ['rh-genetics'], createdBy: 'admin' });
    const r = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: `Bearer ${made.token}` } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: made.record.id, name: 'rh-lab', role: 'submitter', accounts: ['rh-genetics'] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/whoami' })).statusCode).toBe(401);
  });
});

describe('signal', () => {
  it("an array's id signals every running element; an element's id that element only", async () => {
    const sub = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(testJob([{ cores: 1 }], { array: '0-2' })) });
    const ids = (sub.json() as { jobIds: number[] }).jobIds;
    const base = ids[0] as number;
    await waitFor('every element to run', () => ids.every((id) => stack.driver.core.job(id)?.state === 'RUNNING'));
    const taskOf = (id: number): number => stack.driver.core.job(id)?.tasks[0]?.id as number;

    const all = await post(`/api/v1/jobs/${base}/signal`, { signal: 'USR1' });
    expect(all).toEqual({ status: 200, body: { jobId: base, signalled: 3 } });
    expect(signalled.map((s) => s.taskId).sort((a, b) => a - b)).toEqual(ids.map(taskOf));
    expect(signalled.every((s) => s.signal === 'SIGUSR1')).toBe(true);

    // A verb no element can take names the array, not element _0 alone.
    const hold = await post(`/api/v1/jobs/${base}/hold`, {});
    expect(hold.status).toBe(409);
    expect(hold.body.detail).toBe(`array job ${base}: none of its 3 elements could take it (the first: job ${base}_0 is RUNNING; only a pending job can be held (requeuehold stops and holds a running one))`);

    signalled.length = 0;
    const one = await post(`/api/v1/jobs/${base}_1/signal`, { signal: 'USR2' });
    expect(one).toEqual({ status: 200, body: { jobId: ids[1], signalled: 1 } });
    expect(signalled.map((s) => s.taskId)).toEqual([taskOf(ids[1] as number)]);

    // A name no kill takes is refused, naming the field, not answered "signalled" and dropped by the agent.
    signalled.length = 0;
    const bogus = await post(`/api/v1/jobs/${base}/signal`, { signal: 'BOGUS' });
    expect(bogus.status).toBe(400);
    expect(bogus.body).toMatchObject({ code: 'INVALID_BODY', field: 'signal', detail: 'signal "BOGUS" is not a signal: expected a name like USR1 or TERM, or a number like 10' });
    expect(signalled).toEqual([]);
    // A number is sent by its name.
    expect((await post(`/api/v1/jobs/${base}_1/signal`, { signal: '12' })).status).toBe(200);
    expect(signalled.map((s) => s.signal)).toEqual(['SIGUSR2']);
  });
});

describe('node reasons', () => {
  it("record the token's identity as who drained or downed a node", async () => {
    const made = stack.security.tokens.create({ role: 'operator', name: 'ops-olga', createdBy: 'admin' });
    const auth = { authorization: `Bearer ${made.token}`, 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/nodes/c3-n002/drain', headers: auth, payload: JSON.stringify({ reason: 'DIMM errors' }) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/nodes/c2-n001/down', headers: auth, payload: JSON.stringify({ reason: 'PSU', by: 'night shift' }) })).statusCode).toBe(200);
    const { reasons } = (await app.inject({ method: 'GET', url: '/api/v1/nodes', headers: auth })).json() as { reasons: { node: string; by: string; reason: string }[] };
    expect(reasons.find((r) => r.node === 'c3-n002')).toMatchObject({ reason: 'DIMM errors', by: 'ops-olga' });
    expect(reasons.find((r) => r.node === 'c2-n001')).toMatchObject({ reason: 'PSU', by: 'night shift' });
  });
});

describe('cancel', () => {
  it("gives every running element of an array the grace asked for (scancel ARRAY --grace)", async () => {
    const sub = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(testJob([{ cores: 1 }], { array: '0-1' })) });
    const ids = (sub.json() as { jobIds: number[] }).jobIds;
    await waitFor('every element to run', () => ids.every((id) => stack.driver.core.job(id)?.state === 'RUNNING'));
    const tasks = ids.map((id) => stack.driver.core.job(id)?.tasks[0]?.id as number);
    const r = await app.inject({ method: 'DELETE', url: `/api/v1/jobs/${ids[0]}?graceMs=1500`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.json()).toEqual({ jobId: ids[0], state: 'CANCELLED', elements: 2 });
    await waitFor('both kills to be sent', () => tasks.every((t) => cancelled.some((c) => c.taskId === t)));
    expect(cancelled.filter((c) => tasks.includes(c.taskId)).map((c) => c.graceMs)).toEqual([1500, 1500]);
  });
});

describe('GET /api/v1/jobs?jobs= (squeue -j)', () => {
  it("lists the jobs named, an array's own id standing for every element", async () => {
    const submit = async (extra: Record<string, unknown>): Promise<number[]> =>
      ((await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(testJob([{ cores: 1 }], extra)) })).json() as { jobIds: number[] }).jobIds;
    const [base] = await submit({ array: '0-2', hold: true });
    const [single] = await submit({ hold: true });
    const list = async (jobs: string): Promise<{ status: number; body: { jobs?: { displayId: string }[]; code?: string; field?: string } }> => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/jobs?jobs=${encodeURIComponent(jobs)}`, headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: r.statusCode, body: r.json() };
    };
    const ids = async (jobs: string): Promise<string[] | undefined> => (await list(jobs)).body.jobs?.map((j) => j.displayId).sort();
    expect(await ids(String(base))).toEqual([0, 1, 2].map((i) => `${base}_${i}`));
    expect(await ids(`${base}_1,${single}`)).toEqual([`${base}_1`, String(single)].sort());
    expect(await ids('999999')).toEqual([]);
    expect(await list('12,abc')).toMatchObject({ status: 400, body: { code: 'INVALID_QUERY', field: 'jobs' } });
  });
});

describe('GET /api/v1/jobs/{id} of an array', () => {
  it("answers the whole array for its own id: element 0's fields and every element; an element's id that element", async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const [base] = ((await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JSON.stringify(testJob([{ cores: 1 }], { array: '0-4:2', hold: true })) })).json() as { jobIds: number[] }).jobIds;
    const get = async (id: string): Promise<{ displayId: string; elements?: { displayId: string; state: string; reason: string }[] }> =>
      (await app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers })).json();
    const whole = await get(String(base));
    expect(whole.displayId).toBe(`${base}_0`);
    expect(whole.elements?.map((e) => [e.displayId, e.state, e.reason])).toEqual([0, 2, 4].map((i) => [`${base}_${i}`, 'PENDING', 'JobHeldUser']));
    expect((await get(`${base}_2`)).elements).toBeUndefined();
    const [single] = ((await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JSON.stringify(testJob([{ cores: 1 }], { hold: true })) })).json() as { jobIds: number[] }).jobIds;
    expect((await get(String(single))).elements).toBeUndefined();
  });
});

describe('GET /api/v1/jobs/{id}/forecast of an array', () => {
  it("forecasts every element not yet ended for the array's own id; an element's id that element", async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const [base] = ((await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: JSON.stringify(testJob([{ cores: 1 }], { array: '0-2', hold: true })) })).json() as { jobIds: number[] }).jobIds;
    type Reply = { job?: { displayId: string }; elements?: { displayId: string }[]; code?: string };
    const get = async (id: string): Promise<Reply> => (await app.inject({ method: 'GET', url: `/api/v1/jobs/${id}/forecast`, headers })).json();
    const whole = await get(String(base));
    expect(whole.job?.displayId).toBe(`${base}_0`);
    expect(whole.elements?.map((e) => e.displayId)).toEqual([0, 1, 2].map((i) => `${base}_${i}`));
    expect((await get(`${base}_1`)).elements).toBeUndefined();
    // Element 0 ended: the array still has a forecast, led by its first open element.
    await app.inject({ method: 'DELETE', url: `/api/v1/jobs/${base}_0`, headers: { authorization: `Bearer ${TOKEN}` } });
    const rest = await get(String(base));
    expect([rest.job?.displayId, rest.elements?.map((e) => e.displayId)]).toEqual([`${base}_1`, [`${base}_1`, `${base}_2`]]);
    await app.inject({ method: 'DELETE', url: `/api/v1/jobs/${base}`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await get(String(base))).code).toBe('INVALID_STATE');
  });
});
