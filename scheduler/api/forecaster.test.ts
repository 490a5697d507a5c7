// A forecast is reused for a short while, but never lists a job that has ended since it was
// taken (GET /jobs/{id}/forecast answered 200 for a job gsched show job already had COMPLETED).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import type { JobSpec } from '../core/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { Forecaster } from './forecast.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-forecaster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Forecaster', () => {
  it('drops a job that ended since the reused forecast was taken', async () => {
    const clock = new FakeClock();
    const driver = new LiveDriver({ core: makeCore(loadClusterConfig(SMALL_CLUSTER())), store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 60_000, minPassGapMs: 0, clock });
    try {
      const ids: number[] = [];
      for (const name of ['stays', 'goes']) {
        const sub = await driver.submit(testJob([{ cores: 1, durationMs: 60_000 }], { name, hold: true }) as unknown as JobSpec);
        if (!sub.ok) throw new Error(`refused: ${sub.error.message}`);
        ids.push(sub.value.jobIds[0] as number);
      }
      const [stays, goes] = ids as [number, number];
      const forecaster = new Forecaster(driver, 10_000, 3_600_000); // reuse for an hour: the second call is a reuse
      const first = forecaster.all();
      expect(first.jobs.map((j) => j.id).sort()).toEqual([stays, goes]);
      expect((await driver.cancel(goes)).ok).toBe(true);
      const second = forecaster.all();
      expect(second.now).toBe(first.now); // the same forecast, reused
      expect(second.jobs.map((j) => j.id)).toEqual([stays]);
      expect(second.jobs[0]).toMatchObject({ id: stays, state: 'PENDING' });
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});
