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

describe('advance reservations on a live cluster', () => {
  it('a maint reservation keeps jobs off its nodes; a job in a reservation runs only on its nodes; both audited', async () => {
    const made = await gsched('reservation', 'create', '--name', 'maint-all', '--cores', '48', '--start', 'now', '--duration', '10:00:00', '--flags', 'maint,ignore_jobs', '--json');
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ name: 'maint-all', cores: 48, maint: true, ignoreJobs: true, state: 'ACTIVE' });
    const [blocked] = await submit({ name: 'blocked' });
    const waiting = await until('the job to wait for maintenance', async () => {
      const j = await jobOf(blocked as number);
      return j.reason === 'ReqNodeNotAvail, Reserved for maintenance' ? j : undefined;
    });
    expect(waiting.state).toBe('PENDING');
    const list = await gsched('reservation', 'list');
    expect(list.stdout).toMatch(/maint-all\s+ACTIVE\s.*\s48\s+c1-n\[001-002\],c2-n\[001-002\],c3-n\[001-002\]\s+MAINT,IGNORE_JOBS\s+-\s+0/);
    expect((await gsched('reservation', 'delete', 'maint-all')).stdout).toBe('Reservation maint-all deleted\n');
    // Deleting it again fails like scancel of an unknown job (exit 1), not as bad usage.
    expect(await gsched('reservation', 'delete', 'maint-all')).toMatchObject({ code: 1, stderr: 'gsched: name: no reservation maint-all\n' });
    // A partition the cluster does not have is a typo, not an empty queue.
    expect(await gsched('queue', '-p', 'nope')).toMatchObject({ code: 2, stderr: expect.stringContaining('partition "nope" is not one of the cluster\'s:') });
    await until('the blocked job to start', async () => ((await jobOf(blocked as number)).startedAt !== null ? true : undefined));

    const genomics = await gsched('scontrol', 'reservation', 'create', '--name', 'genomics', '--nodes', 'c3-n[001-002]', '--start', 'now', '--duration', '10:00:00', '--accounts', 'region-h');
    expect(genomics.code, genomics.stderr).toBe(0);
    expect(genomics.stdout).toMatch(/^Reservation created: ReservationName=genomics .*Nodes=c3-n\[001-002\] CoreCnt=16 Flags=\(null\) Accounts=region-h State=ACTIVE\n$/);
    // Slurm's word order lists it too, as scontrol's record; an unknown name is exit 1.
    const shown = await gsched('scontrol', 'show', 'reservation', 'genomics');
    expect(shown.stdout).toBe(genomics.stdout.replace('Reservation created: ', ''));
    expect(await gsched('scontrol', 'show', 'reservation', 'nope')).toMatchObject({ code: 1, stderr: 'gsched: no reservation nope (gsched reservation list shows them)\n' });
    const sub = await gsched('submit', '-A', 'rh-genetics', '--reservation', 'genomics', '-n', '3', '-c', '4', '--duration', '1:00:00', '--parsable');
    expect(sub.code, sub.stderr).toBe(0);
    const id = Number(sub.stdout.trim());
    const ran = await until('the reservation job to run', async () => {
      const j = (await api<Job & { tasks: { node: string | null }[] }>('GET', `/api/v1/jobs/${id}`)).body;
      return j.tasks.every((t) => t.node !== null) ? j : undefined;
    });
    for (const t of ran.tasks) expect(t.node).toMatch(/^c3-n00[12]$/);
    const other = await gsched('submit', '-A', 'research', '-p', 'research', '--reservation', 'genomics', '--duration', '10');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('reservation genomics is for accounts region-h (and the accounts under them), not research');
    const busy = await gsched('reservation', 'create', '--name', 'overlap', '--nodes', 'c3-n001', '--start', 'now+1hour', '--duration', '1:00:00', '--flags', 'maint');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('node c3-n001 is in reservation genomics over that time');

    const audit = await api<{ entries: { action: string; object: string; outcome: string }[] }>('GET', '/api/v1/audit?limit=10000');
    const acts = audit.body.entries.filter((e) => e.action.startsWith('reservation.')).map((e) => `${e.action} ${e.object} ${e.outcome}`);
    expect(acts).toEqual(['reservation.create reservation maint-all ok', 'reservation.delete reservation maint-all ok', 'reservation.delete reservation maint-all refused', 'reservation.create reservation genomics ok', 'reservation.create reservation overlap refused']);
    await api('DELETE', `/api/v1/jobs/${id}`);
    await api('DELETE', `/api/v1/jobs/${blocked}`);
  }, 90_000);
});

describe('reconfigure on a live cluster', () => {
  it('applies a config file that fits, refuses one that does not with every conflict, and names a broken file', async () => {
    const original = readFileSync(CLUSTER, 'utf8');
    try {
      const withBulk = clusterFile();
      (withBulk.qos as unknown[]).push({ name: 'bulk', priorityFactor: 0, canPreempt: false, limits: { maxJobsPerUser: 1 } });
      writeFileSync(CLUSTER, JSON.stringify(withBulk));
      const ok = await gsched('reconfigure');
      expect(ok, ok.stderr).toMatchObject({ code: 0, stdout: "Reconfigured: cluster test-small now runs under the config file's content\n" });
      expect((await gsched('scontrol', 'reconfigure')).stdout).toBe('No change: the config file holds the config in force (cluster test-small)\n');
      const [bulk] = await submit({ name: 'bulk', qos: 'bulk', tasks: [{ cores: 1, memMb: 512, durationMs: 100_000_000 }] });
      await until('the bulk job to run', async () => ((await jobOf(bulk as number)).state === 'RUNNING' ? true : undefined));

      // The file without bulk (and without capped, which no job uses any more): refused, nothing changes.
      const without = clusterFile();
      without.qos = (without.qos as { name: string }[]).filter((q) => q.name !== 'capped');
      writeFileSync(CLUSTER, JSON.stringify(without));
      const refused = await gsched('reconfigure');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`gsched: the new config does not fit the scheduler's state (1 conflict):\n- QoS bulk: removed, but job ${bulk} uses it\n`);
      const [still] = await submit({ name: 'still-bulk', qos: 'bulk' });
      expect(still).toBeGreaterThan(0);

      writeFileSync(CLUSTER, '{ "name": "broken", ');
      const broken = await gsched('reconfigure');
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/invalid cluster config: file is ".*cluster.json", expected valid JSON/);
      const audit = await api<{ entries: { action: string; outcome: string }[] }>('GET', '/api/v1/audit?limit=10000');
      expect(audit.body.entries.filter((e) => e.action === 'config.reconfigure').map((e) => e.outcome)).toEqual(['ok', 'ok', 'refused', 'refused']);
      await api('DELETE', `/api/v1/jobs/${bulk}`);
      await api('DELETE', `/api/v1/jobs/${still}`);
    } finally {
      writeFileSync(CLUSTER, original);
    }
  }, 60_000);
});
