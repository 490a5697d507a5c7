// The HTTP API in process (real fastify, real lmdb in a temp folder, the live core), no agents:
// authentication, problem+json errors for bad input, and the job/node routes' contract.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHub } from '../agents/index.js';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import { LiveDriver, combineObservers, makeCore } from '../driver/index.js';
import { LiveState } from '../events/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob, waitFor } from '../testing/index.js';
import { SchedulerMetrics, buildApi, registeredRoutes } from './index.js';
import { Value } from 'typebox/value';
import { ROUTES, openApiPath } from '../../contract/index.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'gsched-api-'));
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;
let metrics: SchedulerMetrics;
const hubClock = new FakeClock();

beforeAll(async () => {
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  metrics = new SchedulerMetrics();
  const core = makeCore(config);
  const live = new LiveState(() => core, null);
  driver = new LiveDriver({ core, store: new Store(dir), log, timeScale: 1, forgetAfterMs: 100, observer: combineObservers(metrics.observer(), live) });
  // The hub's liveness runs on a clock of its own that the tests never move: a test that says
  // hello for nodes straight to the driver (no agent) must not see the hub, which never heard of
  // them, mark them down when its start-up grace runs out in the middle of the test.
  hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log, clock: hubClock });
  metrics.watch(driver, hub, live);
  app = buildApi({ driver, hub, metrics, apiToken: TOKEN });
  await app.ready();
});

afterAll(async () => {
  metrics.close();
  await app.close();
  hub.close();
  await driver.close();
  await driver.store.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: string | object, headers: Record<string, string> = auth) {
  const res = await app.inject({
    method,
    url,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.json() as Record<string, unknown>, text: res.body };
}

function expectProblem(r: { status: number; type: string; body: Record<string, unknown> }, status: number, code: string, field?: string): void {
  expect(r.status).toBe(status);
  expect(r.type).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (field !== undefined) expect(r.body.field).toBe(field);
}

describe('authentication', () => {
  it('refuses /api/v1 without the bearer token', async () => {
    expectProblem(await call('GET', '/api/v1/jobs', undefined, {}), 401, 'UNAUTHORIZED');
    expectProblem(await call('GET', '/api/v1/nodes', undefined, { authorization: 'Bearer wrong' }), 401, 'UNAUTHORIZED');
    expectProblem(await call('POST', '/api/v1/jobs', testJob([{}]), { authorization: 'Basic xyz' }), 401, 'UNAUTHORIZED');
  });

  it('leaves /healthz and /metrics open', async () => {
    const h = await call('GET', '/healthz', undefined, {});
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'ok', agents: 0 });
    const m = await app.inject({ method: 'GET', url: '/metrics' });
    expect(m.statusCode).toBe(200);
    for (const name of ['gsched_jobs', 'gsched_cores', 'gsched_queue_depth', 'gsched_schedule_pass_seconds', 'gsched_dispatch_latency_seconds', 'gsched_agents_connected']) {
      expect(m.body).toContain(name);
    }
  });
});

describe('/metrics', () => {
  it('counts a state snapshot by outcome and taker, with its wall time and the journal records its replica replayed', async () => {
    await call('POST', '/api/v1/jobs', testJob([{ cores: 1 }], { owner: 'snapshots' }));
    const value = (text: string, sample: string): number => Number(text.split('\n').find((l) => l.startsWith(`${sample} `))?.split(' ')[1] ?? 0);
    const before = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    await driver.snapshot(); // by the replica in its worker thread
    const after = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(value(after, 'gsched_state_snapshots_total{outcome="written",taken_by="worker"}') - value(before, 'gsched_state_snapshots_total{outcome="written",taken_by="worker"}')).toBe(1);
    expect(value(after, 'gsched_state_snapshot_seconds_count') - value(before, 'gsched_state_snapshot_seconds_count')).toBe(1);
    expect(value(after, 'gsched_state_snapshot_replayed_records_total')).toBeGreaterThan(value(before, 'gsched_state_snapshot_replayed_records_total'));
  });

  it('counts the scheduling passes and how long they waited in GET /api/v1/stats (gsched stats)', async () => {
    const before = (await call('GET', '/api/v1/stats')).body.passes as { count: number };
    await call('POST', '/api/v1/jobs', testJob([{ cores: 1 }], { owner: 'passes' }));
    await new Promise((r) => setTimeout(r, 20)); // the pass the submit asked for runs at the next turn
    await metrics.snapshot();
    const r = await call('GET', '/api/v1/stats');
    expect(r.status).toBe(200);
    const p = r.body.passes as { count: number; lastMs: number; maxMs: number; meanMs: number; meanDecisions: number; meanWaitMs: number; maxWaitMs: number };
    expect(p.count).toBeGreaterThan(before.count);
    expect(p.maxMs).toBeGreaterThanOrEqual(p.meanMs);
    expect(p.maxWaitMs).toBeGreaterThanOrEqual(p.meanWaitMs);
    expect(p.meanWaitMs).toBeGreaterThanOrEqual(0);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(Number(/^gsched_schedule_pass_wait_seconds_count (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('passes promtool check metrics and has every metric the README lists', async () => {
    await call('POST', '/api/v1/jobs', testJob([{ cores: 1 }], { owner: 'metrics', class: 'wgs' }));
    await metrics.snapshot();
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool is not installed (Debian package prometheus)').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = [...(readme.split('\n## Metrics\n')[1]?.split('\n## ')[0] ?? '').matchAll(/^- `(gsched_[a-z_]+)[`{]/gm)].map((m) => m[1] as string);
    const served = [...new Set([...text.matchAll(/^# TYPE (gsched_[a-z_]+) /gm)].map((m) => m[1] as string))].filter((n) => !n.startsWith('gsched_process_'));
    expect(listed.sort()).toEqual(served.sort());
    expect(text).toMatch(/^gsched_jobs\{state="PENDING",partition="clinical",account="rh-genetics",class="wgs"\} [1-9]/m);
    expect(text).toMatch(/^gsched_cores\{container="c1",kind="[^"]+",cooling="(warm-water|air)",state="down"\} \d+/m);
    expect(text).toMatch(/^gsched_power_watts\{container="c1"\} 0$/m);
    // The Grafana dashboard queries only metrics the scheduler serves.
    const grafana = readFileSync(new URL('../../grafana/gsched.json', import.meta.url), 'utf8');
    const queried = new Set([...grafana.matchAll(/\b(gsched_[a-z_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|count|sum)$/, '')));
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) expect(served, name).toContain(name);
  });
});

describe('bad input', () => {
  it('answers invalid JSON with 400 INVALID_JSON', async () => {
    expectProblem(await call('POST', '/api/v1/jobs', '{"name": "x",'), 400, 'INVALID_JSON');
  });

  it('names the field of a wrong type, without coercing', async () => {
    const spec = testJob([{}]);
    (spec.tasks as Record<string, unknown>[])[0] = { cores: '8', memMb: 100 };
    expectProblem(await call('POST', '/api/v1/jobs', spec), 400, 'INVALID_BODY', 'tasks[0].cores');
    expectProblem(await call('POST', '/api/v1/jobs', { ...testJob([{}]), pseudonyms: 'abc' }), 400, 'INVALID_BODY', 'pseudonyms');
  });

  it('names a missing field, and refuses a body that is not an object', async () => {
    const { name: _omit, ...spec } = testJob([{}]);
    expectProblem(await call('POST', '/api/v1/jobs', spec), 400, 'INVALID_BODY', 'name');
    expectProblem(await call('POST', '/api/v1/jobs', [1, 2]), 400, 'INVALID_BODY');
    expectProblem(await call('POST', '/api/v1/jobs', ''), 400, 'INVALID_BODY');
  });

  it('passes the core\'s refusal through with its code and field', async () => {
    expectProblem(await call('POST', '/api/v1/jobs', testJob([{}], { partition: 'nope' })), 422, 'UNKNOWN_PARTITION', 'partition');
  });

  it('checks job ids, queries and node names', async () => {
    expectProblem(await call('GET', '/api/v1/jobs/abc'), 400, 'INVALID_JOB_ID', 'id');
    expectProblem(await call('GET', '/api/v1/jobs/999999'), 404, 'UNKNOWN_JOB', 'id');
    expectProblem(await call('GET', '/api/v1/jobs/5_7'), 404, 'UNKNOWN_JOB', 'id');
    expectProblem(await call('DELETE', '/api/v1/jobs/999999'), 404, 'UNKNOWN_JOB');
    expectProblem(await call('GET', '/api/v1/jobs?state=RUNNING,SLEEPING'), 400, 'INVALID_QUERY', 'state');
    expectProblem(await call('GET', '/api/v1/jobs?limit=0'), 400, 'INVALID_QUERY', 'limit');
    expectProblem(await call('GET', '/api/v1/jobs?offset=-1'), 400, 'INVALID_QUERY', 'offset');
    // A partition or account the cluster does not have is a typo, not an empty list.
    expectProblem(await call('GET', '/api/v1/jobs?partition=nope'), 400, 'INVALID_QUERY', 'partition');
    expectProblem(await call('GET', '/api/v1/jobs?account=nope&state=PENDING'), 400, 'INVALID_QUERY', 'account');
    expect((await call('GET', '/api/v1/jobs?partition=research&state=FAILED')).status).toBe(200);
    expectProblem(await call('POST', '/api/v1/nodes/no-such-node/drain'), 404, 'UNKNOWN_NODE', 'name');
    expectProblem(await call('GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
  });
});

describe('no 500 for any input', () => {
  it('answers odd requests with a 4xx problem', async () => {
    const odd = [
      await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' }),
      await app.inject({ method: 'PUT', url: '/api/v1/jobs', headers: auth }),
      await app.inject({ method: 'GET', url: '/api/v1/jobs/1234567890123456789012', headers: auth }),
      await app.inject({ method: 'GET', url: '/api/v1/jobs?limit=5&limit=6', headers: auth }),
      await app.inject({ method: 'POST', url: '/api/v1/nodes/%00/drain', headers: auth }),
      await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth, 'content-type': 'application/json' }, payload: 'x'.repeat(9 * 1024 * 1024) }),
    ];
    for (const r of odd) {
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, r.body).toBeLessThan(500);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('answers any JSON body on POST /api/v1/jobs with 201 or a 4xx problem', async () => {
    const task = fc.record({ cores: fc.oneof(fc.integer({ min: -2, max: 100 }), fc.string()), memMb: fc.integer({ min: -1, max: 1e9 }), durationMs: fc.integer({ min: 0, max: 1e6 }) }, { requiredKeys: [] });
    const spec = fc.record(
      {
        name: fc.oneof(fc.string(), fc.integer()),
        owner: fc.string(),
        account: fc.constantFrom('rh-genetics', 'research', 'nope'),
        partition: fc.constantFrom('clinical', 'research', 'x'),
        qos: fc.constantFrom('normal', 'urgent', ''),
        purpose: fc.constantFrom('treatment', 'research', 'fun'),
        pseudonyms: fc.array(fc.string(), { maxLength: 2 }),
        tasks: fc.array(task, { maxLength: 3 }),
        array: fc.constantFrom('0-2', '5', 'x-y', '0-3%0'),
        dependencies: fc.array(fc.record({ kind: fc.constantFrom('afterok', 'bogus'), jobId: fc.integer({ min: -1, max: 5 }) }), { maxLength: 1 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(spec, fc.jsonValue()), async (body) => {
        const r = await call('POST', '/api/v1/jobs', JSON.stringify(body));
        if (r.status === 201) return;
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.type).toContain('application/problem+json');
      }),
      { numRuns: 150 },
    );
  });
});

describe('job and node routes', () => {
  it('submits, lists pending first, shows and cancels a job', async () => {
    const sub = await call('POST', '/api/v1/jobs', testJob([{ cores: 2 }], { owner: 'lister' }));
    expect(sub.status).toBe(201);
    const ids = sub.body.jobIds as number[];
    expect(ids).toHaveLength(1);
    expect(sub.body.displayIds).toEqual([String(ids[0])]);
    const id = ids[0] as number;
    // No agent is connected: every node is down, so the job waits.
    const list = await call('GET', '/api/v1/jobs?state=PENDING,RUNNING&owner=lister');
    expect(list.body).toMatchObject({ total: 1, limit: 100, offset: 0 });
    expect((list.body.jobs as { id: number; state: string }[]).map((j) => [j.id, j.state])).toEqual([[id, 'PENDING']]);
    const one = await call('GET', `/api/v1/jobs/${id}`);
    expect(one.body).toMatchObject({ id, state: 'PENDING', owner: 'lister' });
    const del = await call('DELETE', `/api/v1/jobs/${id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ jobId: id, state: 'CANCELLED' });
    expectProblem(await call('DELETE', `/api/v1/jobs/${id}`), 409, 'INVALID_STATE');
    const ended = await call('GET', '/api/v1/jobs?state=CANCELLED');
    expect((ended.body.jobs as { id: number }[]).map((j) => j.id)).toContain(id);
  });

  it('drains and resumes a node, and reports nodes and the cluster', async () => {
    const nodes = await call('GET', '/api/v1/nodes');
    expect((nodes.body.nodes as unknown[]).length).toBe(6);
    const drained = await call('POST', '/api/v1/nodes/c1-n001/drain');
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ name: 'c1-n001' });
    const resumed = await call('POST', '/api/v1/nodes/c1-n001/resume');
    expect(resumed.status).toBe(200);
    const cluster = await call('GET', '/api/v1/cluster');
    expect(cluster.body).toMatchObject({ name: 'test-small', cores: 48, agents: [] });
  });

  it('numbers array elements 120_3-style, and finds them after they left the core\'s memory', async () => {
    const sub = await call('POST', '/api/v1/jobs', testJob([{}], { array: '2-4' }));
    expect(sub.status).toBe(201);
    const ids = sub.body.jobIds as number[];
    const base = ids[0] as number;
    expect(sub.body.displayIds).toEqual([`${base}_2`, `${base}_3`, `${base}_4`]);
    const third = await call('GET', `/api/v1/jobs/${base}_3`);
    expect(third.body).toMatchObject({ id: ids[1], displayId: `${base}_3`, state: 'PENDING' });
    // The array's own id addresses the whole array: one DELETE cancels every element.
    expect((await call('DELETE', `/api/v1/jobs/${base}`)).body).toEqual({ jobId: base, state: 'CANCELLED', elements: 3 });
    for (const id of ids) expectProblem(await call('DELETE', `/api/v1/jobs/${id}`), 409, 'INVALID_STATE');
    await waitFor('jobs to be forgotten', () => ids.every((id) => !driver.isRemembered(id)));
    const later = await call('GET', `/api/v1/jobs/${base}_3`);
    expect(later.body).toMatchObject({ id: ids[1], displayId: `${base}_3`, state: 'CANCELLED' });
    expectProblem(await call('DELETE', `/api/v1/jobs/${base}_3`), 409, 'INVALID_STATE');
    expectProblem(await call('GET', `/api/v1/jobs/${base}_9`), 404, 'UNKNOWN_JOB');
    const listed = await call('GET', '/api/v1/jobs?state=CANCELLED&owner=tester&limit=2&offset=0');
    expect(listed.body.total).toBeGreaterThanOrEqual(3);
    expect((listed.body.jobs as { id: number }[]).map((j) => j.id)).toEqual([ids[2], ids[1]]);
  });

  it('takes a command for the exec kernel, and refuses one it could not run', async () => {
    const command = { script: '#!/bin/sh\ntrue\n', chdir: '/tmp', output: '%j.out' };
    const ok = await call('POST', '/api/v1/jobs', { ...testJob([{}]), command });
    expect(ok.status).toBe(201);
    expectProblem(await call('POST', '/api/v1/jobs', testJob([], { tasks: [{ cores: 1, memMb: 100, kernel: 'exec' }] })), 400, 'INVALID_JOB', 'tasks[0].kernel');
    expectProblem(await call('POST', '/api/v1/jobs', { ...testJob([{}]), command: { ...command, chdir: 'relative' } }), 400, 'INVALID_JOB', 'command.chdir');
    expectProblem(await call('POST', '/api/v1/jobs', { ...testJob([{}]), command: { ...command, script: ' ' } }), 400, 'INVALID_JOB', 'command.script');
    expectProblem(await call('POST', '/api/v1/jobs', testJob([], { tasks: [{ cores: 1, memMb: 100, kernel: 'align' }], command })), 400, 'INVALID_JOB', 'tasks[0].kernel');
    expectProblem(await call('POST', '/api/v1/jobs', { ...testJob([{}]), command: { script: 'x' } }), 400, 'INVALID_BODY', 'command.chdir');
  });

  it('holds, releases, updates, tops and requeues jobs; an array\'s id addresses every element', async () => {
    const post = (url: string, body?: object) => app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(body ?? {}) }).then((r) => ({ status: r.statusCode, body: r.json() as Record<string, unknown> }));
    const patch = (url: string, body: object) => app.inject({ method: 'PATCH', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) }).then((r) => ({ status: r.statusCode, type: String(r.headers['content-type']), body: r.json() as Record<string, unknown> }));
    const id = ((await call('POST', '/api/v1/jobs', { ...testJob([{}]), hold: true, nice: 5 })).body.jobIds as number[])[0] as number;
    expect(driver.core.job(id)?.hold).toBe('user');
    const held = await post(`/api/v1/jobs/${id}/hold`);
    expect(held.body).toMatchObject({ jobId: id, applied: 1, jobs: [{ id, hold: 'admin', nice: 5 }] });
    expectProblem({ ...(await post(`/api/v1/jobs/${id}/release`, { kind: 'user' })), type: 'application/problem+json' }, 409, 'INVALID_STATE');
    expect((await post(`/api/v1/jobs/${id}/release`)).body).toMatchObject({ jobs: [{ hold: null }] });
    const upd = await patch(`/api/v1/jobs/${id}`, { nice: 50, timeLimitMs: 60_000 });
    expect(upd.body).toMatchObject({ jobs: [{ nice: 50, tasks: [{ timeLimitMs: 60_000 }] }] });
    expectProblem(await patch(`/api/v1/jobs/${id}`, { qos: 'nope' }), 422, 'UNKNOWN_QOS', 'changes.qos');
    expectProblem(await patch(`/api/v1/jobs/${id}`, { partition: 'x' }), 422, 'UNKNOWN_PARTITION', 'changes.partition');
    expectProblem(await patch(`/api/v1/jobs/${id}`, { account: 'x' }), 400, 'UNKNOWN_FIELD');
    expect((await post(`/api/v1/jobs/${id}/top`)).status).toBe(200);
    expect((await post(`/api/v1/jobs/${id}/requeue`, { hold: true })).body).toMatchObject({ jobs: [{ hold: 'admin' }] });
    const sig = await post(`/api/v1/jobs/${id}/signal`, { signal: 'USR1' });
    expect(sig.status).toBe(409); // pending: nothing to signal

    const arr = (await call('POST', '/api/v1/jobs', testJob([{}], { array: '0-20:10' }))).body.jobIds as number[];
    expect(arr).toHaveLength(3);
    const all = await post(`/api/v1/jobs/${arr[0]}/hold`, { kind: 'user' });
    expect(all.body).toMatchObject({ jobId: arr[0], applied: 3 });
    expect((all.body.jobs as { hold: string }[]).map((j) => j.hold)).toEqual(['user', 'user', 'user']);
    const one = await post(`/api/v1/jobs/${arr[0]}_10/release`, { kind: 'user' });
    expect(one.body).toMatchObject({ applied: 1, jobs: [{ id: arr[1], hold: null }] });
    expectProblem(await call('DELETE', `/api/v1/jobs/${arr[2]}?graceMs=soon`), 400, 'INVALID_QUERY', 'graceMs');
    expect((await call('DELETE', `/api/v1/jobs/${arr[2]}?graceMs=500`)).body).toEqual({ jobId: arr[2], state: 'CANCELLED' });
  });

  it('serves sacct from the index, sreport per account and region, and sshare', async () => {
    const ids = (await call('POST', '/api/v1/jobs', testJob([{ cores: 3 }], { owner: 'acct-user', array: '0-1' }))).body.jobIds as number[];
    expect((await call('DELETE', `/api/v1/jobs/${ids[0]}`)).status).toBe(200);
    // Forgotten: out of the core, so served from the records and the index (written before the forget).
    await waitFor('jobs to be forgotten', () => ids.every((id) => !driver.isRemembered(id)));
    expect(ids.map((id) => driver.core.job(id))).toEqual([undefined, undefined]);
    const r = await call('GET', '/api/v1/accounting?user=acct-user&state=CANCELLED');
    expect((r.body.jobs as { id: number }[]).map((j) => j.id)).toEqual(ids);
    expect((r.body.jobs as Record<string, unknown>[])[0]).toMatchObject({ user: 'acct-user', cores: 3, memMb: 1024, coreHours: 0, exitCode: '0:0', energyJ: 0, state: 'CANCELLED' });
    const byJob = await call('GET', `/api/v1/accounting?job=${ids[0]}`);
    expect((byJob.body.jobs as unknown[]).length).toBe(2); // the array's id: both elements
    const none = await call('GET', '/api/v1/accounting?user=acct-user&start=99999999999999');
    expect(none.body.jobs).toEqual([]);
    expectProblem(await call('GET', '/api/v1/accounting?state=LOST'), 400, 'INVALID_QUERY', 'state');
    expectProblem(await call('GET', '/api/v1/accounting?start=yesterday'), 400, 'INVALID_QUERY', 'start');
    const rep = await call('GET', '/api/v1/reports/usage?by=region');
    expect(rep.body).toMatchObject({ by: 'region', rows: expect.any(Array) });
    const share = await call('GET', '/api/v1/fairshare');
    expect((share.body.accounts as { account: string }[]).map((a) => a.account)).toContain('rh-genetics');
  });

  it('keeps drain and down reasons, and a node an operator marked down stays down when its agent says hello', async () => {
    const post = (url: string, body: object) => app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) }).then((r) => ({ status: r.statusCode, type: String(r.headers['content-type']), body: r.json() as Record<string, unknown> }));
    expect((await post('/api/v1/nodes/c2-n001/drain', { reason: 'DIMM errors', by: 'ops-anna' })).status).toBe(200);
    expectProblem(await post('/api/v1/nodes/c2-n002/down', {}), 400, 'INVALID_BODY', 'reason');
    expect((await post('/api/v1/nodes/c2-n002/down', { reason: 'PSU replaced', by: 'ops-anna' })).body).toMatchObject({ name: 'c2-n002', state: 'DOWN' });
    await driver.agentHello(['c2-n001', 'c2-n002'], [], []);
    const list = await call('GET', '/api/v1/nodes');
    const state = (n: string) => (list.body.nodes as { name: string; state: string }[]).find((x) => x.name === n)?.state;
    expect(state('c2-n002')).toBe('DOWN'); // an operator's down outlasts the agent's hello
    expect(state('c2-n001')).toBe('DRAINED');
    const c2 = (r: unknown) => (r as { node: string }[]).filter((x) => x.node.startsWith('c2-'));
    expect(c2(list.body.reasons)).toEqual([
      { node: 'c2-n001', state: 'drain', reason: 'DIMM errors', by: 'ops-anna', at: expect.any(Number) },
      { node: 'c2-n002', state: 'down', reason: 'PSU replaced', by: 'ops-anna', at: expect.any(Number) },
    ]);
    // Nodes whose agent never came are listed as not responding.
    expect((list.body.reasons as { node: string; reason: string }[]).find((x) => x.node === 'c1-n002')).toMatchObject({ state: 'down', reason: 'Not responding', by: 'gsched' });
    // Up again (jobs pending from earlier tests may start on them at once).
    expect((await post('/api/v1/nodes/c2-n002/resume', {})).body.state).not.toMatch(/DOWN|DRAIN/);
    expect((await post('/api/v1/nodes/c2-n001/resume', {})).body.state).not.toMatch(/DOWN|DRAIN/);
    expect(c2((await call('GET', '/api/v1/nodes')).body.reasons)).toEqual([]);
  });

  it('records consent, which a job reading a pseudonym needs', async () => {
    const spec = testJob([{}], { pseudonyms: ['P-7f3a9c'] });
    expectProblem(await call('POST', '/api/v1/jobs', spec), 422, 'CONSENT_REQUIRED');
    expectProblem(await call('POST', '/api/v1/consent', { pseudonym: 'P-7f3a9c', status: 'maybe' }), 400, 'INVALID_BODY', 'status');
    expectProblem(await call('POST', '/api/v1/consent', { pseudonym: 'P-7f3a9c', status: 'granted' }), 422, 'DOCUMENT_REQUIRED', 'documentRef');
    expect((await call('POST', '/api/v1/consent', { pseudonym: 'P-7f3a9c', status: 'granted', documentRef: 'doc-1' })).status).toBe(200);
    expect((await call('POST', '/api/v1/jobs', spec)).status).toBe(201);
  });
});

describe('the contract', () => {
  it('answers every read route with a body its reply schema accepts', async () => {
    const sub = await call('POST', '/api/v1/jobs', testJob([{ cores: 1 }], { owner: 'contract' }));
    const id = (sub.body.jobIds as number[])[0] as number;
    const checks: [keyof typeof ROUTES, string][] = [
      ['health', '/healthz'],
      ['listJobs', '/api/v1/jobs?limit=5'],
      ['getJob', `/api/v1/jobs/${id}`],
      ['listNodes', '/api/v1/nodes'],
      ['cluster', '/api/v1/cluster'],
    ];
    for (const [name, url] of checks) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(200);
      expect([...Value.Errors(ROUTES[name].reply.schema, r.body)].map((e) => `${e.instancePath} ${e.message}`), url).toEqual([]);
    }
    expect(Value.Check(ROUTES.submitJob.reply.schema, sub.body)).toBe(true);
    expect(Value.Check(ROUTES.cancelJob.reply.schema, (await call('DELETE', `/api/v1/jobs/${id}`)).body)).toBe(true);
  });
});

describe('/docs', () => {
  it('documents every route the API answers, and every documented route exists', async () => {
    const r = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const served = registeredRoutes(app).map((x) => `${x.method} ${openApiPath(x.url)}`);
    expect(new Set(served).size).toBe(served.length);
    expect([...documented].sort()).toEqual([...served].sort());
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(Object.keys(op.responses).length).toBeGreaterThan(1);
  });

  it('serves a browsable page whose scripts and styles come from this server', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    // Every script and style sheet it loads (the empty icon is inline, so the browser asks for none).
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string).filter((r) => !r.startsWith('data:'));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.startsWith('/docs/assets/'), ref).toBe(true);
      const a = await app.inject({ method: 'GET', url: ref });
      expect(a.statusCode, ref).toBe(200);
      expect(a.body.length, ref).toBeGreaterThan(10);
    }
    expectProblem(await call('GET', '/docs/assets/..%2Fpackage.json', undefined, {}), 404, 'NOT_FOUND');
  });
});
