// A forget sweep of many ended jobs is taken on a chunk per event-loop turn (a sweep of 20,000
// in one turn held the scheduler's thread for seconds), and loses none of them: each is found
// in the core or in the accounting records at every turn, and a snapshot taken halfway restarts
// to a state where each still is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
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
const JOBS = 700;
const FORGET_MS = 100;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
// A job is forgotten once its records are on disk: an fsync, whose time no count of turns bounds
// on a loaded host (1,000 turns ran out once in CI). Wait for the condition, with a wall-time cap.
const deadline = (): number => performance.now() + 30_000;

function open(dir: string, clock: FakeClock): LiveDriver {
  return new LiveDriver({ core: makeCore(config), store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: FORGET_MS, minPassGapMs: 0, clock });
}

/** Submits an array of JOBS one-core jobs (pending: no agent registered) and cancels it; their ids. */
async function endedJobs(d: LiveDriver): Promise<number[]> {
  const sub = await d.submit(testJob([{ cores: 1 }], { owner: 'sweep', array: `0-${JOBS - 1}` }) as unknown as JobSpec);
  if (!sub.ok) throw new Error(`refused: ${sub.error.message}`);
  const ids = sub.value.jobIds;
  expect(ids).toHaveLength(JOBS);
  expect((await d.cancelArray(ids[0] as number)).ok).toBe(true);
  return ids;
}

const where = (d: LiveDriver, id: number): 'core' | 'records' | 'nowhere' => (d.core.job(id) ? 'core' : d.store.job(id) ? 'records' : 'nowhere');

describe('the forget sweep', () => {
  it('writes a chunk of ended jobs per turn and forgets every one of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-forget-chunks-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const d = open(dir, clock);
    try {
      const ids = await endedJobs(d);
      clock.advance(FORGET_MS * 2); // the sweep's first chunk runs in this turn
      const written = (): number => ids.filter((id) => d.store.job(id) !== undefined).length;
      const first = written();
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThan(JOBS); // the rest wait for later turns
      const seen = [first];
      for (const until = deadline(); performance.now() < until && ids.some((id) => d.core.job(id) !== undefined); ) {
        await turn();
        seen.push(written());
        expect(ids.filter((id) => where(d, id) === 'nowhere')).toEqual([]);
      }
      // Several turns wrote records, never all at once.
      expect(new Set(seen).size).toBeGreaterThan(2);
      expect(ids.filter((id) => d.core.job(id) !== undefined)).toEqual([]);
      expect(ids.filter((id) => d.isRemembered(id))).toEqual([]);
      expect(ids.map((id) => d.jobView(id)?.state)).toEqual(ids.map(() => 'CANCELLED'));
      const indexed = d.acct.ids({ dims: { user: ['sweep'] }, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER });
      expect([...indexed].sort((a, b) => a - b)).toEqual(ids);
    } finally {
      await d.close();
      await d.store.close();
    }
  });

  it('bounds a turn by the tasks it writes as well (jobs of 100 tasks)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-forget-chunks-tasks-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const d = open(dir, clock);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) {
        const sub = await d.submit(testJob(Array.from({ length: 100 }, () => ({ cores: 1 })), { owner: 'wide' }) as unknown as JobSpec);
        if (!sub.ok) throw new Error(`refused: ${sub.error.message}`);
        ids.push(sub.value.jobIds[0] as number);
        expect((await d.cancel(ids.at(-1) as number)).ok).toBe(true);
      }
      clock.advance(FORGET_MS * 2);
      const first = ids.filter((id) => d.store.job(id) !== undefined).length;
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThan(ids.length); // 3,000 tasks: not all in one turn
      for (const until = deadline(); performance.now() < until && ids.some((id) => d.core.job(id) !== undefined); ) await turn();
      expect(ids.filter((id) => d.core.job(id) !== undefined)).toEqual([]);
      expect(ids.map((id) => d.store.job(id)?.tasks.length)).toEqual(ids.map(() => 100));
    } finally {
      await d.close();
      await d.store.close();
    }
  });

  it('restarts from a snapshot taken halfway through a sweep with every job found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-forget-chunks-snap-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const d = open(dir, clock);
    let ids: number[];
    try {
      ids = await endedJobs(d);
      clock.advance(FORGET_MS * 2);
      // Halfway: the first chunk's records are being written, the other jobs wait their turn.
      const written = ids.filter((id) => d.store.job(id) !== undefined).length;
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(JOBS);
      await d.snapshot();
    } finally {
      await d.close(); // stops the sweep between chunks
      await d.store.close();
    }
    const clock2 = new FakeClock();
    const again = open(dir, clock2);
    try {
      expect(ids.filter((id) => where(again, id) === 'nowhere')).toEqual([]);
      // The jobs the first sweep did not reach are swept by the restarted driver.
      clock2.advance(FORGET_MS * 2);
      for (const until = deadline(); performance.now() < until && ids.some((id) => again.core.job(id) !== undefined); ) await turn();
      expect(ids.filter((id) => again.core.job(id) !== undefined)).toEqual([]);
      expect(ids.map((id) => again.jobView(id)?.state)).toEqual(ids.map(() => 'CANCELLED'));
    } finally {
      await again.close();
      await again.store.close();
    }
  });
});
