// Forecasts from the twin, checked against what then happens: a real scheduler and three real
// agents (loopback gRPC), a queue twice the cluster's size, the forecast asked for while the
// first round runs, then nothing more submitted (a quiet cluster) until every job has ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForecastReply, JobDetail, JobForecastReply, Problem, SubmitReply, TokenCreated } from '../contract/index.js';
import { LiveCluster, testJob, waitFor } from './testing/index.js';

/** 1 wall ms = 200 modelled ms: a 600 s task takes 3 s; 20 ms of dispatch lag is 4 modelled s. */
const SCALE = 0.005;
const S = 1000;

describe('forecast: the simulator forked off the live core', () => {
  const c = new LiveCluster({ timeScale: SCALE });

  beforeAll(async () => {
    await c.startScheduler();
    await Promise.all(['c1', 'c2', 'c3'].map((n) => c.startAgent(n, ['--kernels', 'noop'])));
    await waitFor('three agents', async () => (await c.api<{ agents: number }>('GET', '/healthz')).body.agents === 3);
  }, 60_000);
  afterAll(() => c.stop());

  it('foresees when each queued job starts and ends, and whether an urgent analysis meets its 8 h target', async () => {
    // Six 8-core nodes: twelve one-node jobs run in two rounds; the urgent one goes first.
    const ids: number[] = [];
    const durations = [600, 900, 700, 800, 650, 750, 600, 850, 700, 900, 650, 800];
    for (const [i, d] of durations.entries()) {
      const r = await c.api<SubmitReply>('POST', '/api/v1/jobs', testJob([{ cores: 8, durationMs: d * S }], { name: `f${i}`, ...(i === 11 ? { qos: 'urgent' } : {}) }));
      expect(r.status).toBe(201);
      ids.push(r.body.jobIds[0] as number);
    }
    await waitFor('the first round running', async () => (await c.api<{ runningTasks: number }>('GET', '/api/v1/cluster')).body.runningTasks === 6);
    const f = (await c.api<ForecastReply>('GET', '/api/v1/forecast')).body;
    expect(f.complete).toBe(true);
    expect(f.jobs.map((j) => j.id).sort((a, b) => a - b)).toEqual(ids);
    expect(f.jobs.filter((j) => j.state === 'PENDING')).toHaveLength(6);
    const urgent = f.jobs.find((j) => j.id === ids[11]);
    expect(urgent?.target).toEqual({ deadline: (urgent?.submittedAt ?? 0) + 8 * 3600 * S, met: true });
    expect(f.jobs.filter((j) => j.target !== null)).toHaveLength(1);

    // One job's forecast is the same forecast.
    const one = (await c.api<JobForecastReply>('GET', `/api/v1/jobs/${ids[0]}/forecast`)).body;
    expect(one.job).toEqual(f.jobs.find((j) => j.id === ids[0]));

    await waitFor('every job ended', async () => (await c.api<{ pendingJobs: number; runningJobs: number }>('GET', '/api/v1/cluster')).body.runningJobs + (await c.api<{ pendingJobs: number }>('GET', '/api/v1/cluster')).body.pendingJobs === 0, 60_000);
    const reals = new Map<number, JobDetail>();
    for (const j of f.jobs) reals.set(j.id, (await c.api<JobDetail>('GET', `/api/v1/jobs/${j.id}`)).body);
    // Live times lag the model by dispatch and reporting, which the forecast cannot know: a
    // job's run beyond its modelled duration is that lag, measured (wall ms times 1/SCALE, so
    // a loaded host stretches it). A second-round job's start inherits one such overrun and its
    // end adds its own: allow twice the largest seen, plus 20 modelled s and 5% of the time
    // ahead. A job already running when the forecast was taken has its real start as its
    // forecast: no time ahead. Being a round off (600 s or more) still fails.
    let overrun = 0;
    for (const [i, d] of durations.entries()) {
      const real = reals.get(ids[i] as number);
      overrun = Math.max(overrun, (real?.endedAt ?? 0) - (real?.startedAt ?? 0) - d * S);
    }
    const slack = (at: number): number => 2 * overrun + 20 * S + 0.05 * Math.max(0, at - f.now);
    for (const j of f.jobs) {
      const real = reals.get(j.id) as JobDetail;
      expect(real.state).toBe('COMPLETED');
      expect(j.expectedStart).not.toBeNull();
      expect(j.expectedEnd).not.toBeNull();
      expect(Math.abs((real.startedAt as number) - (j.expectedStart as number)), `start of ${j.name} (live overrun up to ${overrun} ms)`).toBeLessThanOrEqual(slack(j.expectedStart as number));
      expect(Math.abs((real.endedAt as number) - (j.expectedEnd as number)), `end of ${j.name} (live overrun up to ${overrun} ms)`).toBeLessThanOrEqual(slack(j.expectedEnd as number));
    }
  }, 90_000);

  it('answers a viewer, keeps a submitter to its accounts, and says why an ended or unknown job has no forecast', async () => {
    const r = await c.api<SubmitReply>('POST', '/api/v1/jobs', testJob([{ cores: 1, durationMs: 1000 }], { name: 'short' }));
    const id = r.body.jobIds[0] as number;
    const viewer = (await c.api<TokenCreated>('POST', '/api/v1/tokens', { role: 'viewer' })).body.token;
    expect((await c.api('GET', '/api/v1/forecast', undefined, viewer)).status).toBe(200);
    const other = (await c.api<TokenCreated>('POST', '/api/v1/tokens', { role: 'submitter', accounts: ['research'] })).body.token;
    await waitFor('the short job ended', async () => (await c.api<JobDetail>('GET', `/api/v1/jobs/${id}`)).body.state === 'COMPLETED');
    const ended = await c.api<Problem>('GET', `/api/v1/jobs/${id}/forecast`, undefined, viewer);
    expect(ended.status).toBe(409);
    expect(ended.body.code).toBe('INVALID_STATE');
    expect(ended.body.detail).toMatch(/has ended \(COMPLETED\)/);
    // Another account's job is no job to this submitter.
    expect((await c.api<Problem>('GET', `/api/v1/jobs/${id}/forecast`, undefined, other)).status).toBe(404);
    const bad = await c.api<Problem>('GET', '/api/v1/jobs/x1/forecast');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_JOB_ID']);
  }, 30_000);
});
