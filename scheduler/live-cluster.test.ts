// End to end on loopback: a real scheduler process, three real agent processes, real gRPC,
// lmdb, fastify and worker threads. Time runs 1000× faster than the wall clock.
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledPath } from '../common/index.js';
import type { JobView } from './core/index.js';
import type { TaskResult } from './store/index.js';
import { LiveCluster, SMALL_CLUSTER, testJob, waitFor } from './testing/index.js';

type Job = JobView & { results?: TaskResult[] };

const cluster = new LiveCluster({ timeScale: 0.001, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1500 });

async function job(id: number): Promise<Job> {
  const r = await cluster.api<Job>('GET', `/api/v1/jobs/${id}`);
  expect(r.status).toBe(200);
  return r.body;
}

async function submit(spec: Record<string, unknown>): Promise<number> {
  const r = await cluster.api<{ jobIds: number[]; displayIds: string[] }>('POST', '/api/v1/jobs', spec);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const id = r.body.jobIds[0];
  if (id === undefined) throw new Error('no job id');
  return id;
}

const ended = (id: number) => async () => {
  const j = await job(id);
  return ['PENDING', 'RUNNING'].includes(j.state) ? undefined : j;
};

const nodesOf = (container: string): string[] => [`${container}-n001`, `${container}-n002`];

/** Nothing runs: neither in the scheduler's books nor on any agent (as their heartbeats say). */
const idle = async (): Promise<boolean> => {
  const c = await cluster.api<{ coresUsed: number; agents: { running: number }[] }>('GET', '/api/v1/cluster');
  return c.body.coresUsed === 0 && c.body.agents.every((a) => a.running === 0);
};

beforeAll(async () => {
  await cluster.startScheduler();
  await Promise.all(['c1', 'c2', 'c3'].map((c) => cluster.startAgent(c)));
});

afterAll(async () => {
  await cluster.stop();
});

describe('live cluster', () => {
  it('registers the agents and brings their nodes up', async () => {
    const r = await cluster.api<{ agents: { name: string; connected: boolean; nodes: string[] }[]; coresDown: number }>('GET', '/api/v1/cluster');
    expect(r.body.agents.filter((a) => a.connected).map((a) => a.name).sort()).toEqual(['agent-c1', 'agent-c2', 'agent-c3']);
    const nodes = await cluster.api<{ nodes: { name: string; state: string }[] }>('GET', '/api/v1/nodes');
    expect(nodes.body.nodes).toHaveLength(6);
    expect(nodes.body.nodes.filter((n) => n.state === 'DOWN')).toEqual([]);
  });

  it('keeps its tokens readable by the owner only', () => {
    for (const f of ['api-token', 'join-token']) expect(statSync(join(cluster.state, f)).mode & 0o777).toBe(0o600);
  });

  it('refuses a second scheduler on the same state folder', async () => {
    const proc = spawn(process.execPath, [compiledPath('scheduler/main.ts'), '--http-port', '0', '--grpc-port', '0', '--state', cluster.state, '--cluster', SMALL_CLUSTER()], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/in use by another scheduler/);
  });

  it('turns away an agent with the wrong join token: exit code 2 and a clear message', async () => {
    const bad = join(cluster.state, 'wrong-token');
    writeFileSync(bad, 'not-the-join-token-at-all\n');
    const proc = spawn(process.execPath, [compiledPath('node-agent/main.ts'), '--scheduler', cluster.grpcAddress, '--container', 'c1', '--name', 'intruder', '--cluster', SMALL_CLUSTER(), '--join-token-file', bad], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/join token rejected/);
    const c = await cluster.api<{ agents: { name: string }[] }>('GET', '/api/v1/cluster');
    expect(c.body.agents.map((x) => x.name)).not.toContain('intruder');
  });

  it('runs a submitted job to completion with a result summary per task', async () => {
    const id = await submit(testJob([{ durationMs: 50_000 }, { durationMs: 20_000, cores: 4 }]));
    const j = await waitFor('job to end', ended(id));
    expect(j.state).toBe('COMPLETED');
    expect(j.tasks.every((t) => t.state === 'COMPLETED')).toBe(true);
    expect(j.results?.map((r) => r.taskId).sort()).toEqual(j.tasks.map((t) => t.id).sort());
    for (const r of j.results ?? []) {
      expect(r.outcome).toBe('completed');
      expect(r.attempt).toBe(1);
      expect(r.kernel).toBe('noop');
      expect(r.wallMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('runs genome kernels for qc/align/call tasks and reports their summary', async () => {
    // A kernel that reads patient data needs the patient named, and their consent.
    const consent = await cluster.api('POST', '/api/v1/consent', { pseudonym: 'p_kernels', action: 'grant', documentRef: 'doc-kernels' });
    expect(consent.status).toBe(200);
    const spec = testJob([], { pseudonyms: ['p_kernels'] });
    spec.tasks = [
      { cores: 2, memMb: 1024, durationMs: 10_000, kernel: 'qc' },
      { cores: 2, memMb: 1024, durationMs: 10_000, kernel: 'merge', after: [0] },
    ];
    const id = await submit(spec);
    const j = await waitFor('job to end', ended(id), 30_000);
    expect(j.state).toBe('COMPLETED');
    const byTask = new Map(j.results?.map((r) => [r.taskId, r]));
    const qc = byTask.get(j.tasks[0]?.id ?? -1);
    expect(qc?.kernel).toBe('qc');
    expect(qc?.summary).toMatchObject({ job: 'qc', seed: j.tasks[0]?.id });
    expect((qc?.summary as { reads: number }).reads).toBeGreaterThan(0);
    expect(byTask.get(j.tasks[1]?.id ?? -1)).toMatchObject({ kernel: 'noop', summary: { requested: 'merge' } });
  });

  it('cancels a running task on its agent', async () => {
    const id = await submit(testJob([{ durationMs: 3_600_000_000 }]));
    await waitFor('task to run', async () => (await job(id)).state === 'RUNNING');
    await waitFor('its agent to report it', async () => {
      const c = await cluster.api<{ agents: { running: number }[] }>('GET', '/api/v1/cluster');
      return c.body.agents.some((a) => a.running === 1);
    });
    const r = await cluster.api<{ jobId: number; state: string }>('DELETE', `/api/v1/jobs/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ jobId: id, state: 'CANCELLED' });
    const again = await cluster.api<{ code: string }>('DELETE', `/api/v1/jobs/${id}`);
    expect(again.status).toBe(409);
    await waitFor('the task to stop on its agent', idle);
  });

  it('ends a task that runs past its time limit (TIMEOUT) and stops it on its agent', async () => {
    const spec = testJob([{ durationMs: 3_600_000_000 }]);
    (spec.tasks as Record<string, unknown>[])[0] = { cores: 2, memMb: 1024, durationMs: 3_600_000_000, timeLimitMs: 300_000 };
    const id = await submit(spec);
    const j = await waitFor('job to end', ended(id));
    expect(j.state).toBe('TIMEOUT');
    expect(j.results ?? []).toEqual([]);
    await waitFor('the task to stop on its agent', idle);
  });

  it('places no new work on drained nodes', async () => {
    const others = ['c1-n002', ...nodesOf('c2'), ...nodesOf('c3')];
    for (const n of others) expect((await cluster.api<{ state: string }>('POST', `/api/v1/nodes/${n}/drain`)).status).toBe(200);
    try {
      const id = await submit(testJob([{ cores: 4, durationMs: 20_000 }, { cores: 4, durationMs: 20_000 }, { cores: 4, durationMs: 20_000 }]));
      const j = await waitFor('job to end', ended(id));
      expect(j.state).toBe('COMPLETED');
      expect(new Set(j.results?.map((r) => r.node))).toEqual(new Set(['c1-n001']));
    } finally {
      for (const n of others) await cluster.api('POST', `/api/v1/nodes/${n}/resume`);
    }
  });

  it('requeues the tasks of an agent killed with SIGKILL and completes them elsewhere', async () => {
    // Six 8-core tasks fill all six nodes; the killed agent's two go elsewhere later.
    const id = await submit(testJob(Array.from({ length: 6 }, () => ({ cores: 8, durationMs: 1_500_000 }))));
    const running = await waitFor('all tasks to run', async () => {
      const j = await job(id);
      return j.tasks.every((t) => t.state === 'RUNNING') ? j : undefined;
    });
    const victim = running.tasks.find((t) => t.node?.startsWith('c2-'));
    expect(victim).toBeDefined();
    cluster.agents.get('c2')?.process.kill('SIGKILL');
    await cluster.agents.get('c2')?.exited;
    cluster.agents.delete('c2');
    const j = await waitFor('job to end', ended(id), 30_000);
    expect(j.state).toBe('COMPLETED');
    const moved = j.tasks.find((t) => t.id === victim?.id);
    expect(moved?.requeues).toBeGreaterThanOrEqual(1);
    const movedTo = j.results?.find((r) => r.taskId === victim?.id)?.node;
    expect(movedTo).toMatch(/^c[13]-n00[12]$/);
    // One recorded result per task: nothing completed twice.
    expect(new Set(j.results?.map((r) => r.taskId)).size).toBe(j.results?.length);
    expect(j.results).toHaveLength(6);
    const nodes = await cluster.api<{ nodes: { name: string; state: string }[] }>('GET', '/api/v1/nodes');
    expect(nodes.body.nodes.filter((n) => n.state === 'DOWN').map((n) => n.name).sort()).toEqual(nodesOf('c2'));
    await cluster.startAgent('c2');
  });

  it('ignores stale completions from an agent frozen past the timeout, then reconnects it', async () => {
    const agent = cluster.agents.get('c3');
    // Fill every node so two of the tasks are on the agent about to freeze.
    const id = await submit(testJob(Array.from({ length: 6 }, () => ({ cores: 8, durationMs: 1_000_000 }))));
    const first = await waitFor('all tasks to run', async () => {
      const j = await job(id);
      return j.tasks.every((t) => t.state === 'RUNNING') ? j : undefined;
    });
    const frozen = first.tasks.filter((t) => t.node?.startsWith('c3-')).map((t) => t.id);
    expect(frozen).toHaveLength(2);
    agent?.process.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2_500)); // past the timeout (1.5 s) and past the tasks' 1 s
    agent?.process.kill('SIGCONT');
    const j = await waitFor('job to end', ended(id), 30_000);
    expect(j.state).toBe('COMPLETED');
    expect(j.results).toHaveLength(6);
    for (const t of j.tasks.filter((x) => frozen.includes(x.id))) {
      // The frozen agent's attempt 1 finished too, late: only attempt 2's completion counted.
      expect(t.requeues).toBe(1);
      expect(j.results?.filter((r) => r.taskId === t.id).map((r) => r.attempt)).toEqual([2]);
    }
    await waitFor('c3 to reconnect', async () => {
      const c = await cluster.api<{ agents: { name: string; connected: boolean }[] }>('GET', '/api/v1/cluster');
      return c.body.agents.find((a) => a.name === 'agent-c3')?.connected === true;
    });
  });

  it('recovers its state from the journal after SIGKILL and keeps tasks the agents still run', async () => {
    const done = await submit(testJob([{ durationMs: 10_000 }]));
    await waitFor('job to end', ended(done));
    const long = await submit(testJob([{ cores: 2, durationMs: 2_500_000 }]));
    const before = await waitFor('long job to run', async () => {
      const j = await job(long);
      return j.state === 'RUNNING' ? j : undefined;
    });
    // RUNNING is the scheduler's word once it decided the start; wait until the agent's heartbeat
    // says it runs it, or a kill before the assignment arrived rightly requeues it on restart.
    const agentName = `agent-${before.tasks[0]?.node?.split('-')[0] ?? '?'}`;
    await waitFor(`${agentName} to report the long task running`, async () => {
      const c = await cluster.api<{ agents: { name: string; running: number }[] }>('GET', '/api/v1/cluster');
      return (c.body.agents.find((a) => a.name === agentName)?.running ?? 0) >= 1 ? true : undefined;
    });
    // Waits on the long job: pending across the restart, then runs.
    const pending = await submit(testJob([{ durationMs: 10_000 }], { dependencies: [{ kind: 'afterok', jobId: long }] }));
    cluster.scheduler?.process.kill('SIGKILL');
    await cluster.scheduler?.exited;
    await cluster.startScheduler();
    expect((await job(done)).state).toBe('COMPLETED');
    const p = await job(pending);
    expect(p.dependencies).toEqual([{ kind: 'afterok', jobId: long }]);
    const after = await waitFor('long job to end', ended(long), 30_000);
    expect(after.state).toBe('COMPLETED');
    // The agent kept running attempt 1 through the restart: no requeue, one result.
    expect(after.results?.[0]?.node).toBe(before.tasks[0]?.node);
    expect(after.tasks[0]?.requeues).toBe(0);
    expect(after.results?.map((r) => r.attempt)).toEqual([1]);
    const dependent = await waitFor('dependent job to end', ended(pending));
    expect(dependent.state).toBe('COMPLETED');
    expect(dependent.startedAt).toBeGreaterThanOrEqual(after.endedAt ?? Infinity);
    const listed = await cluster.api<{ jobs: JobView[]; total: number }>('GET', '/api/v1/jobs?state=COMPLETED&limit=1000');
    expect(listed.body.jobs.map((x) => x.id)).toContain(done);
  });
});
