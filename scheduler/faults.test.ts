// Exactly once under faults, end to end on loopback: a real scheduler and three real agents
// run 2,000 tasks while the scheduler is SIGKILLed three times at random moments (and
// restarted on the same state folder) and one agent is SIGKILLed once (and restarted). At the
// end every task is completed exactly once in accounting, and none is missing.
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from './core/index.js';
import type { TaskResult } from './store/index.js';
import { LiveCluster, testJob, waitFor } from './testing/index.js';

type Job = JobView & { results?: TaskResult[] };

const JOBS = 100;
const TASKS_PER_JOB = 20;
/** Modelled ms per task: 0.25 s of wall time at time scale 0.001; 48 cores take ~10 s for all. */
const TASK_MS = 250_000;

// Seeded, so a failure can be rerun as it happened; the seed is printed with any failure.
const seed = Number(process.env.GSCHED_FAULT_SEED ?? Date.now() % 1_000_000);
let r = seed;
const rand = (): number => {
  r = (Math.imul(r, 1103515245) + 12345) >>> 0;
  return r / 2 ** 32;
};

const cluster = new LiveCluster({
  timeScale: 0.001,
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMs: 1500,
  forgetAfterMs: 1000,
  schedulerArgs: ['--snapshot-every-records', '300', '--snapshot-every-ms', '500'],
});

afterAll(async () => {
  await cluster.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function killScheduler(): Promise<void> {
  const s = cluster.scheduler;
  if (!s) return;
  s.process.kill('SIGKILL');
  await s.exited;
  cluster.scheduler = null;
  // A start can time out on a loaded machine: try again rather than leave no scheduler.
  for (let tries = 0; ; tries++) {
    try {
      await cluster.startScheduler();
      return;
    } catch (err) {
      if (tries >= 2) throw err;
    }
  }
}

async function killAgent(container: string): Promise<void> {
  const a = cluster.agents.get(container);
  if (!a) return;
  a.process.kill('SIGKILL');
  await a.exited;
  await sleep(300);
  await cluster.startAgent(container);
}

/** The API may be between two schedulers: retry until one answers. */
async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return waitFor(`${method} ${path}`, async () => {
    try {
      return await cluster.api<T>(method, path, body);
    } catch {
      return undefined;
    }
  }, 60_000);
}

/** POSTs a job with an Idempotency-Key, retrying (same key) until a scheduler answers. */
async function submitWithKey(body: unknown, key: string): Promise<number[]> {
  return waitFor(`submit ${key}`, async () => {
    try {
      const res = await fetch(`${cluster.httpUrl}/api/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 201) return undefined;
      return ((await res.json()) as { jobIds: number[] }).jobIds;
    } catch {
      return undefined;
    }
  }, 150_000);
}

describe(`exactly once under faults (seed ${seed})`, () => {
  it('runs 2,000 tasks through three scheduler SIGKILLs and one agent SIGKILL: each completed once, none missing', async () => {
    await cluster.startScheduler();
    await Promise.all(['c1', 'c2', 'c3'].map((c) => cluster.startAgent(c)));
    // Three scheduler kills and one agent kill at random moments over the first ~8 s, some
    // while jobs are still being submitted: a submit cut off by a kill is retried with its
    // Idempotency-Key until a scheduler answers.
    const faults: { at: number; what: 'scheduler' | 'agent' }[] = ['scheduler', 'scheduler', 'scheduler', 'agent'].map((what) => ({ at: 200 + rand() * 7800, what: what as 'scheduler' | 'agent' }));
    faults.sort((a, b) => a.at - b.at);
    const t0 = Date.now();
    const injecting = (async () => {
      for (const f of faults) {
        await sleep(Math.max(0, f.at - (Date.now() - t0)));
        if (f.what === 'scheduler') await killScheduler();
        else await killAgent('c2');
      }
    })();
    const ids: number[] = [];
    for (let j = 0; j < JOBS; j++) {
      const body = testJob(Array.from({ length: TASKS_PER_JOB }, () => ({ cores: 1, durationMs: TASK_MS })), { name: `fault-${j}` });
      const res = await submitWithKey(body, `fault-key-${seed}-${j}`);
      ids.push(...res);
      await sleep(20);
    }
    await injecting;
    expect(new Set(ids).size).toBe(JOBS); // a retried submit made no second job
    await waitFor(
      'every job to end',
      async () => {
        const open = await api<{ total: number }>('GET', '/api/v1/jobs?state=PENDING,RUNNING&limit=1');
        return open.body.total === 0;
      },
      120_000,
    );
    const missing: string[] = [];
    const twice: string[] = [];
    for (const id of ids) {
      const got = await api<Job>('GET', `/api/v1/jobs/${id}`);
      if (got.status !== 200) {
        missing.push(`job ${id} (HTTP ${got.status})`);
        continue;
      }
      const job = got.body;
      if (job.state !== 'COMPLETED') missing.push(`job ${id} ended ${job.state}`);
      for (const t of job.tasks) {
        const completions = (job.results ?? []).filter((res) => res.taskId === t.id && res.outcome === 'completed').length;
        if (completions === 0) missing.push(`task ${t.id} of job ${id}`);
        if (completions > 1) twice.push(`task ${t.id} of job ${id} (${completions}×)`);
      }
    }
    expect(missing.slice(0, 10)).toEqual([]);
    expect(twice.slice(0, 10)).toEqual([]);
    const tasks = ids.length * TASKS_PER_JOB;
    expect(tasks).toBe(2000);
  }, 420_000);
});
