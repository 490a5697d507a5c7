// A retried submit (same Idempotency-Key, same body) gets the first answer, not a second job,
// also when the retry races the first, and after the scheduler restarted from its journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentHub } from '../agents/index.js';
import { loadClusterConfig } from '../../common/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { SchedulerMetrics, buildApi } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'gsched-idem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(): Promise<{ app: FastifyInstance; driver: LiveDriver; stop(): Promise<void> }> {
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  const metrics = new SchedulerMetrics();
  const driver = new LiveDriver({ core: makeCore(config), store: new Store(dir), log, timeScale: 1, forgetAfterMs: 60_000, observer: metrics.observer() });
  const hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log });
  metrics.watch(driver, hub);
  const app = buildApi({ driver, hub, metrics, apiToken: TOKEN });
  await app.ready();
  return {
    app,
    driver,
    stop: async () => {
      await app.close();
      hub.close();
      await driver.close();
      await driver.store.close();
    },
  };
}

async function post(app: FastifyInstance, body: object, key?: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/jobs',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() as { jobIds?: number[]; displayIds?: string[]; code?: string; field?: string }, replayed: res.headers['idempotent-replayed'] };
}

describe('Idempotency-Key on POST /api/v1/jobs', () => {
  it('answers a retry with the first answer, across a restart; another body under the same key is refused', async () => {
    const spec = testJob([{ cores: 1 }], { name: 'retried', array: '0-2' });
    let s = await serve();
    const [first, racing] = await Promise.all([post(s.app, spec, 'key-1'), post(s.app, spec, 'key-1')]);
    expect(first.status).toBe(201);
    expect(racing).toMatchObject({ status: 201, body: first.body, replayed: 'true' });
    const jobsBefore = s.driver.core.jobs().length;
    expect(jobsBefore).toBe(3);

    const other = await post(s.app, testJob([{ cores: 2 }]), 'key-1');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.body.field).toBe('Idempotency-Key');

    const noKey = await post(s.app, spec);
    expect(noKey.status).toBe(201);
    expect(noKey.body.jobIds).not.toEqual(first.body.jobIds);

    const bad = await post(s.app, spec, 'with space');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_HEADER');

    await s.stop();
    s = await serve();
    const afterRestart = await post(s.app, spec, 'key-1');
    expect(afterRestart).toMatchObject({ status: 201, body: first.body, replayed: 'true' });
    expect(s.driver.core.jobs().length).toBe(6); // the three of `first` and the three of `noKey`
    await s.stop();
  });
});
