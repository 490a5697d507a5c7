// Analyses and sequencing runs over HTTP in process (real fastify, real lmdb in a temp folder,
// the live core): templates become jobs, the consent gate refuses per sample, a run is taken in
// once, and bad input is a problem naming the field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHub } from '../agents/index.js';
import { loadClusterConfig } from '../../common/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER } from '../testing/index.js';
import { SchedulerMetrics, buildApi } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'gsched-analyses-'));
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;

async function open(): Promise<void> {
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  const metrics = new SchedulerMetrics();
  driver = new LiveDriver({ core: makeCore(config), store: new Store(dir), log, timeScale: 1, forgetAfterMs: 60_000, observer: metrics.observer() });
  hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log });
  metrics.watch(driver, hub);
  app = buildApi({ driver, hub, metrics, apiToken: TOKEN });
  await app.ready();
}

async function close(): Promise<void> {
  await app.close();
  hub.close();
  await driver.close();
  await driver.store.close();
}

beforeAll(open);
afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, body: unknown) {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.json() as Record<string, unknown> };
}

async function job(id: number): Promise<Record<string, unknown>> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: { authorization: `Bearer ${TOKEN}` } });
  return res.json() as Record<string, unknown>;
}

function expectProblem(r: { status: number; type: string; body: Record<string, unknown> }, status: number, code: string, field?: string): void {
  expect(r.status).toBe(status);
  expect(r.type).toContain('application/problem+json');
  expect(r.body.code).toBe(code);
  if (field !== undefined) expect(r.body.field).toBe(field);
}

describe('POST /api/v1/analyses', () => {
  it('submits a panel from its template: the DAG, the lab pipeline as owner, the default account', async () => {
    expect((await post('/api/v1/consent', { pseudonym: 'PA1', status: 'granted' })).status).toBe(200);
    const r = await post('/api/v1/analyses', { class: 'panel', pseudonyms: ['PA1'] });
    expect(r.status).toBe(201);
    const id = (r.body.jobIds as number[])[0] as number;
    const j = await job(id);
    expect(j).toMatchObject({ class: 'panel', owner: 'pipeline-east', account: 'rh-genetics', partition: 'clinical', qos: 'normal' });
    const tasks = j.tasks as { name: string; after: number[] }[];
    expect(tasks.map((t) => t.name)).toEqual(['qc', 'align', 'markdup', 'call', 'gather']);
    expect(tasks.map((t) => t.after)).toEqual([[], [0], [1], [2], [3]]);
  });

  it('refuses without consent on record, and names what is wrong in bad requests', async () => {
    expectProblem(await post('/api/v1/analyses', { class: 'panel', pseudonyms: ['NOCONSENT1'] }), 422, 'CONSENT_REQUIRED', 'pseudonyms[0]');
    expectProblem(await post('/api/v1/analyses', { class: 'wgs-quad', pseudonyms: ['PA1'] }), 422, 'UNKNOWN_CLASS', 'class');
    expectProblem(await post('/api/v1/analyses', { class: 'wgs-trio', pseudonyms: ['PA1'] }), 422, 'PSEUDONYM_COUNT', 'pseudonyms');
    expectProblem(await post('/api/v1/analyses', { class: 'panel', pseudonyms: ['PA1'], seed: -3 }), 400, 'INVALID_BODY', 'seed');
    expectProblem(await post('/api/v1/analyses', { class: 'panel', pseudonyms: ['PA1'], lab: 'north' }), 400, 'INVALID_BODY', 'lab');
    expectProblem(await post('/api/v1/analyses', { class: 'panel', pseudonyms: ['PA1'], account: 'nowhere' }), 422, 'UNKNOWN_ACCOUNT');
    expectProblem(await post('/api/v1/analyses', { class: 'panel' }), 400, 'INVALID_BODY', 'pseudonyms');
  });
});

describe('POST /api/v1/runs', () => {
  const run = {
    run: 'RUN-2026-001',
    lab: 'east',
    samples: [
      { pseudonym: 'PR1', class: 'panel' },
      { pseudonym: 'PR2', class: 'panel', seed: 7 },
      { pseudonym: 'PR-NONE', class: 'panel' },
    ],
  };

  it('creates one analysis per sample, refusing samples the consent gate stops', async () => {
    for (const p of ['PR1', 'PR2']) await post('/api/v1/consent', { pseudonym: p, status: 'granted' });
    const r = await post('/api/v1/runs', run);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ run: 'RUN-2026-001', lab: 'east', created: true, submitted: 2, refused: 1 });
    const analyses = r.body.analyses as { sample: number; jobId?: number; error?: { code: string } }[];
    expect(analyses[2]?.error?.code).toBe('CONSENT_REQUIRED');
    const j = await job(analyses[0]?.jobId as number);
    expect(j).toMatchObject({ name: 'RUN-2026-001:1', class: 'panel', owner: 'pipeline-east' });
  });

  it('is idempotent per run id, also across a restart; a different run under the same id is a conflict', async () => {
    const first = await post('/api/v1/runs', run);
    expect(first.status).toBe(200);
    expect(first.body.created).toBe(false);
    const before = (await post('/api/v1/runs', run)).body.analyses;
    await close();
    await open();
    const again = await post('/api/v1/runs', run);
    expect(again.status).toBe(200);
    expect(again.body.analyses).toEqual(before);
    expectProblem(await post('/api/v1/runs', { ...run, samples: [{ pseudonym: 'PR1', class: 'exome' }] }), 409, 'RUN_CONFLICT', 'run');
  });

  it('takes a run in once when the same run arrives twice at once', async () => {
    await post('/api/v1/consent', { pseudonym: 'PC1', status: 'granted' });
    const body = { run: 'RUN-TWICE', lab: 'west', samples: [{ pseudonym: 'PC1', class: 'panel' }] };
    const [a, b] = await Promise.all([post('/api/v1/runs', body), post('/api/v1/runs', body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.analyses).toEqual(b.body.analyses);
  });

  it('submits nothing from a malformed run, naming the sample', async () => {
    const jobsBefore = driver.core.cluster().pendingJobs + driver.core.cluster().runningJobs;
    const bad = { run: 'RUN-BAD', lab: 'east', samples: [{ pseudonym: 'PR1', class: 'panel' }, { pseudonym: 'PR2', class: 'wgs-quad' }] };
    expectProblem(await post('/api/v1/runs', bad), 422, 'UNKNOWN_CLASS', 'samples[1].class');
    expectProblem(await post('/api/v1/runs', { ...bad, samples: [{ class: 'panel' }] }), 400, 'INVALID_BODY', 'samples[0]');
    expectProblem(await post('/api/v1/runs', { ...bad, samples: [] }), 400, 'INVALID_BODY', 'samples');
    expectProblem(await post('/api/v1/runs', { ...bad, run: 'has spaces' }), 400, 'INVALID_BODY', 'run');
    expectProblem(await post('/api/v1/runs', { ...bad, lab: 'north' }), 400, 'INVALID_BODY', 'lab');
    expect(driver.core.cluster().pendingJobs + driver.core.cluster().runningJobs).toBe(jobsBefore);
    // Not recorded: the corrected run may use the same id.
    const fixed = await post('/api/v1/runs', { ...bad, samples: [{ pseudonym: 'PR1', class: 'panel' }] });
    expect(fixed.status).toBe(201);
  });
});
