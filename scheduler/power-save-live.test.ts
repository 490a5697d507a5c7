// Power saving live, end to end on loopback: a real scheduler process and a real agent
// process over gRPC, time compressed 1000x. Idle nodes are suspended (the agent is told and
// reports it), `gsched nodes`' API and /metrics show them, and a job submitted to a suspended
// cluster resumes a node, which the agent boots for the modelled resume delay before the
// task starts on it.
//
// Nothing here waits on a wall-time window: the agent is stopped (SIGSTOP) while the node it
// must boot is looked at, so the node stays POWERING_UP until the test lets the agent go on
// (a 300 ms boot polled over HTTP was missed whenever the host stalled the test that long).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, NodeView } from './core/index.js';
import { LiveCluster, SMALL_CLUSTER, testJob, waitFor } from './testing/index.js';

const MIN = 60_000;
/**
 * Modelled times; at a time scale of 0.001 a modelled minute is 60 wall ms. The resume timeout
 * (24 h: 86 wall s) stays far beyond any stall of a loaded host, as the heartbeat timeout below.
 */
const POWER = { suspendTimeMs: 2 * MIN, resumeDelayMs: 5 * MIN, resumeTimeoutMs: 24 * 60 * MIN, reserveCores: 0 };

const dir = mkdtempSync(join(tmpdir(), 'gsched-power-'));
const file = join(dir, 'cluster.power.json');
writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(SMALL_CLUSTER(), 'utf8')) as object), powerSave: POWER }));
// The agent is stopped for a moment below: its nodes must not time out meanwhile.
const cluster = new LiveCluster({ timeScale: 0.001, cluster: file, heartbeatTimeoutMs: 30_000 });

beforeAll(async () => {
  await cluster.startScheduler();
  await cluster.startAgent('c1');
});

afterAll(async () => {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

const metrics = async (): Promise<string> => (await fetch(`${cluster.httpUrl}/metrics`)).text();

const nodes = async (): Promise<NodeView[]> => (await cluster.api<{ nodes: NodeView[] }>('GET', '/api/v1/nodes')).body.nodes.filter((n) => n.container === 'c1');

describe('power saving, live', () => {
  it('suspends idle nodes, and /metrics counts them', async () => {
    await waitFor('c1 nodes suspended', async () => (await nodes()).every((n) => n.state === 'SUSPENDED'), 20_000);
    // The metrics snapshot is taken once a second.
    const text = await waitFor('the metrics snapshot', async () => {
      const t = await metrics();
      return /gsched_power_saving_nodes\{container="c1",state="suspended"\} 2\b/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/gsched_power_saving_cores\{container="c1",state="suspended"\} 16\b/);
  });

  it('resumes a node for a submitted job: the agent boots it, then the task starts there', async () => {
    const agent = cluster.agents.get('c1');
    if (agent === undefined) throw new Error('no agent for c1');
    // Until the agent goes on, the node it is told to boot stays booting: the node shows
    // POWERING_UP (Slurm's idle#) and the job waits, however long the host takes to answer.
    agent.process.kill('SIGSTOP');
    let id: number;
    let job: () => Promise<JobView>;
    try {
      const r = await cluster.api<{ jobIds: number[] }>('POST', '/api/v1/jobs', testJob([{ cores: 8, durationMs: MIN }]));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      id = r.body.jobIds[0] as number;
      job = async (): Promise<JobView> => (await cluster.api<JobView>('GET', `/api/v1/jobs/${id}`)).body;
      await waitFor('a node powering up', async () => (await nodes()).some((n) => n.state === 'POWERING_UP'));
      expect((await job()).state).toBe('PENDING');
    } finally {
      agent.process.kill('SIGCONT');
    }
    // Booting then takes 300 wall ms.
    const done = await waitFor('the job to end', async () => {
      const j = await job();
      return j.state === 'COMPLETED' ? j : undefined;
    }, 20_000);
    // It waited for the boot: the modelled resume delay, at least, between submission and start.
    expect((done.startedAt as number) - done.submittedAt).toBeGreaterThanOrEqual(POWER.resumeDelayMs);
    expect(done.nodes).toHaveLength(1);
    // Idle again, the node is suspended again.
    await waitFor('the node suspended again', async () => (await nodes()).find((n) => n.name === done.nodes[0])?.state === 'SUSPENDED', 20_000);
  });
});
