// Advance reservations in the live driver: journalled, so a restart (journal replay, or a
// snapshot plus its tail) brings them back with the jobs that asked for them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import type { JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { LiveDriver } from './driver.js';
import { makeCore } from './make-core.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const config = loadClusterConfig(SMALL_CLUSTER());

function open(dir: string): LiveDriver {
  const driver = new LiveDriver({ core: makeCore(config), coreFor: makeCore, store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0 });
  driver.setDispatcher({ assign: () => true, cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  return driver;
}

async function reopen(d: LiveDriver, dir: string): Promise<LiveDriver> {
  await d.close();
  await d.store.close();
  return open(dir);
}

describe('reservations survive a restart', () => {
  it('from the journal, and from a snapshot plus the journal tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-resv-'));
    dirs.push(dir);
    let d = open(dir);
    await d.agentHello(config.nodes.map((n) => n.name), [], []);
    const now = d.clock.now();
    const made = await d.createReservation({ name: 'maint-c1', cores: 16, startAt: now + 3_600_000, durationMs: 7_200_000, maint: true });
    expect(made).toMatchObject({ ok: true, value: { name: 'maint-c1', cores: 16, maint: true, state: 'INACTIVE' } });
    const r2 = await d.createReservation({ name: 'genomics', nodes: ['c3-n001'], startAt: now, durationMs: 86_400_000, accounts: ['region-h'] });
    expect(r2, JSON.stringify(r2)).toMatchObject({ ok: true });
    const sub = await d.submit(testJob([{ cores: 2 }], { reservation: 'genomics' }) as unknown as JobSpec);
    expect(sub.ok).toBe(true);
    const refused = await d.createReservation({ name: 'again', nodes: ['c3-n001'], startAt: now, durationMs: 1000, maint: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RESERVATION_CONFLICT' } });
    const before = d.core.advanceReservations();
    expect(before.map((r) => r.name)).toEqual(['genomics', 'maint-c1']);

    d = await reopen(d, dir);
    expect(d.core.advanceReservations().map(({ state: _s, ...r }) => r)).toEqual(before.map(({ state: _s, ...r }) => r));
    expect(d.core.job(sub.ok ? (sub.value.jobIds[0] as number) : 0)?.reservation).toBe('genomics');

    await d.snapshot();
    expect((await d.deleteReservation('maint-c1')).ok).toBe(true);
    d = await reopen(d, dir);
    expect(d.core.advanceReservations().map((r) => r.name)).toEqual(['genomics']);
    expect((await d.deleteReservation('genomics'))).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await d.close();
    await d.store.close();
  });
});
