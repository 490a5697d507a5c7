// Operator features against a live cluster (`gsched up`: the scheduler and its agents on
// loopback, real HTTP): dependencies (after, aftercorr, any-of), QoS/account/partition limits,
// advance reservations, reconfigure. HTTP for most checks (cheap); the CLI where its parsing
// and output are what is tested.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/index.js';
import { requestJson } from '../scheduler/testing/index.js';
import { runCli, startGschedUp, type CliRun, type GschedUp } from './testing/index.js';

// 100 modelled seconds per wall second.
const TIME_SCALE = 0.01;
const dir = mkdtempSync(join(tmpdir(), 'gsched-operator-'));
const CLUSTER = join(dir, 'cluster.json');

/** The small test cluster, with the limits and partition rules these tests exercise. */
function clusterFile(): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json'), 'utf8')) as Record<string, unknown>;
  (base.qos as unknown[]).push({ name: 'capped', priorityFactor: 0.5, canPreempt: false, limits: { grpCores: 4, maxSubmitJobs: 3, maxWallMs: 7_200_000 } });
  (base.partitions as unknown[]).push({ name: 'restricted', containers: ['c3'], priorityFactor: 0.5, maxTimeMs: 86_400_000, defaultTimeMs: 3_600_000, preemptible: false, allowAccounts: ['region-h'], allowQos: ['normal'] });
  return base;
}

let live: GschedUp;
let env: NodeJS.ProcessEnv;
const gsched = (...args: string[]): Promise<CliRun> => runCli(args, env);

interface Job {
  id: number;
  displayId: string;
  state: string;
  reason: string;
  startedAt: number | null;
  endedAt: number | null;
  dependencies: { kind: string; jobId: number }[];
  dependencyAny: boolean;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return requestJson<T>(`${live.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${live.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function submit(spec: Record<string, unknown>): Promise<number[]> {
  const r = await api<{ jobIds: number[] }>('POST', '/api/v1/jobs', { name: 'op', account: 'rh-genetics', partition: 'clinical', qos: 'normal', tasks: [{ cores: 1, memMb: 512, durationMs: 100_000 }], ...spec });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.jobIds;
}

const jobOf = async (id: number): Promise<Job> => (await api<Job>('GET', `/api/v1/jobs/${id}`)).body;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  writeFileSync(CLUSTER, JSON.stringify(clusterFile(), null, 2));
  live = await startGschedUp({ cluster: CLUSTER, timeScale: TIME_SCALE, args: ['--kernels', 'noop'] });
  env = { PATH: process.env.PATH, HOME: process.env.HOME, GSCHED_URL: live.httpUrl, GSCHED_TOKEN: live.token };
}, 60_000);

afterAll(async () => {
  await live?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dependencies on a live cluster', () => {
  it('aftercorr pairs array elements by index; a cancelled partner is never satisfied', async () => {
    const a = await submit({ name: 'align', array: '0-2', tasks: [{ cores: 1, memMb: 512, durationMs: 200_000 }] });
    const b = await submit({ name: 'call', array: '0-2', dependencies: [{ kind: 'aftercorr', jobId: a[0] }] });
    expect((await api('DELETE', `/api/v1/jobs/${a[2]}`)).status).toBe(200);
    const done = await until('the pairs to complete', async () => {
      const js = await Promise.all([...a, ...b].map(jobOf));
      return js[3]?.state === 'COMPLETED' && js[4]?.state === 'COMPLETED' ? js : undefined;
    });
    for (const i of [0, 1]) expect((done[3 + i] as Job).startedAt).toBeGreaterThanOrEqual((done[i] as Job).endedAt as number);
    const third = await until('element 2 to be judged', async () => {
      const j = await jobOf(b[2] as number);
      return j.reason === 'DependencyNeverSatisfied' ? j : undefined;
    });
    expect(third).toMatchObject({ state: 'PENDING', dependencies: [{ kind: 'aftercorr', jobId: a[0] }] });
  }, 60_000);

  it('any-of (?) from the CLI: the job starts when the first of its dependencies is met', async () => {
    const [slow] = await submit({ name: 'slow', tasks: [{ cores: 1, memMb: 512, durationMs: 100_000_000 }] });
    const [fast] = await submit({ name: 'fast', tasks: [{ cores: 1, memMb: 512, durationMs: 100_000 }] });
    const sub = await gsched('submit', '-A', 'rh-genetics', '-J', 'either', '--duration', '10', '-d', `afterok:${slow}?afterok:${fast}`, '--parsable');
    expect(sub.code, sub.stderr).toBe(0);
    const id = Number(sub.stdout.trim());
    const j = await until('the any-of job to run', async () => {
      const v = await jobOf(id);
      return v.startedAt !== null ? v : undefined;
    });
    expect(j.startedAt).toBeGreaterThanOrEqual((await jobOf(fast as number)).endedAt as number);
    expect((await jobOf(slow as number)).state).toBe('RUNNING');
    const show = await gsched('show', 'job', String(id));
    expect(show.stdout).toContain(`Dependency=afterok:${slow}?afterok:${fast}`);
    const bad = await gsched('submit', '-A', 'rh-genetics', '-d', `afterok:${slow}?afterok:${fast},after:${fast}`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"," and "?" cannot be mixed');
    await api('DELETE', `/api/v1/jobs/${slow}`);
  }, 60_000);
});

describe('limits on a live cluster', () => {
  it('GrpTRES holds the second job with QOSGrpCpuLimit; MaxWall, MaxSubmitJobs and AllowAccounts refuse at submit', async () => {
    const long = [{ cores: 3, memMb: 512, durationMs: 100_000_000 }];
    const [a] = await submit({ name: 'capped-a', qos: 'capped', tasks: long });
    const [b] = await submit({ name: 'capped-b', qos: 'capped', tasks: long });
    const waiting = await until('the second capped job to wait for its limit', async () => {
      const j = await jobOf(b as number);
      return j.reason === 'QOSGrpCpuLimit' ? j : undefined;
    });
    expect(waiting.state).toBe('PENDING');
    expect((await jobOf(a as number)).state).toBe('RUNNING');

    const wall = await gsched('submit', '-A', 'rh-genetics', '-q', 'capped', '-t', '3:00:00', '--duration', '10');
    expect(wall.code).toBe(2);
    expect(wall.stderr).toBe('gsched: tasks[0].timeLimitMs: tasks[0] has a time limit of 3:00:00, above the 2:00:00 that QoS capped allows (MaxWall)\n');
    const many = await api<{ code: string; detail: string }>('POST', '/api/v1/jobs', { name: 'many', account: 'rh-genetics', partition: 'clinical', qos: 'capped', tasks: [{ cores: 1, memMb: 1 }], array: '0-1' });
    expect(many.status).toBe(422);
    expect(many.body).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const part = await gsched('submit', '-A', 'research', '-p', 'restricted', '--duration', '10');
    expect(part.code).toBe(2);
    expect(part.stderr).toContain('partition "restricted" admits only accounts region-h and the accounts under them (AllowAccounts)');

    // The first one cancelled, the second starts.
    await api('DELETE', `/api/v1/jobs/${a}`);
    await until('the second capped job to start', async () => ((await jobOf(b as number)).state === 'RUNNING' ? true : undefined));
    await api('DELETE', `/api/v1/jobs/${b}`);
  }, 60_000);
});
