// Retention on a live scheduler process, through real HTTP: a job record older than
// --retention-ms leaves `acct` and lands in <state>/archive/jobs.jsonl, while younger ones stay.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCluster, testJob, waitFor } from './testing/index.js';

// 1,000 modelled ms per wall ms: a retention age of one modelled hour is 3.6 s of wall time.
const cluster = new LiveCluster({ timeScale: 0.001, forgetAfterMs: 100, schedulerArgs: ['--retention-ms', '3600000'] });

beforeAll(async () => {
  await cluster.startScheduler();
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

interface Acct {
  jobs: { id: number; state: string }[];
}

async function cancelledJob(name: string): Promise<number> {
  // No agent is connected, so the job waits; cancelling it ends it at once.
  const sub = await cluster.api<{ jobIds: number[] }>('POST', '/api/v1/jobs', testJob([{ cores: 1 }], { name }));
  expect(sub.status).toBe(201);
  const id = sub.body.jobIds[0] as number;
  expect((await cluster.api('DELETE', `/api/v1/jobs/${id}`)).status).toBe(200);
  return id;
}

describe('retention on a live scheduler', () => {
  it('exports and removes records past the age; acct still finds the younger ones', async () => {
    const old = await cancelledJob('old');
    const inAcct = async (id: number): Promise<boolean> => (await cluster.api<Acct>('GET', `/api/v1/accounting?job=${id}`)).body.jobs.some((j) => j.id === id);
    expect(await inAcct(old)).toBe(true);
    const file = join(cluster.state, 'archive', 'jobs.jsonl');
    await waitFor('the old record to be exported', async () => existsSync(file) && readFileSync(file, 'utf8').includes(`"id":${old},`), 20_000);
    const young = await cancelledJob('young');
    await waitFor('the old record to leave acct', async () => !(await inAcct(old)), 10_000);
    expect(await inAcct(young)).toBe(true);
    const all = await cluster.api<Acct>('GET', '/api/v1/accounting?state=CANCELLED');
    expect(all.body.jobs.map((j) => j.id)).toContain(young);
    expect(all.body.jobs.map((j) => j.id)).not.toContain(old);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; state: string; name: string });
    expect(lines.find((l) => l.id === old)).toMatchObject({ state: 'CANCELLED', name: 'old' });
  }, 60_000);
});
