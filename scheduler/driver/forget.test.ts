// Forgetting an ended job: the core lets go of it only once its accounting record is on disk, so
// at every moment the job is found, in the core or in the records (GET /jobs/{id} and sacct
// missed it for the few ms between the two, more under load).
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

const dir = mkdtempSync(join(tmpdir(), 'gsched-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forgetting an ended job', () => {
  it('keeps it in the core until its record and index entries are written', async () => {
    const clock = new FakeClock();
    const driver = new LiveDriver({ core: makeCore(loadClusterConfig(SMALL_CLUSTER())), store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 100, minPassGapMs: 0, clock });
    try {
      const sub = await driver.submit(testJob([{ cores: 1 }], { owner: 'forget-me' }) as unknown as JobSpec);
      if (!sub.ok) throw new Error('refused');
      const id = sub.value.jobIds[0] as number;
      expect((await driver.cancel(id)).ok).toBe(true);
      clock.advance(1000); // the forget sweep runs, and issues the record's writes
      const seen = (): string => {
        const inCore = driver.core.job(id) !== undefined;
        const indexed = driver.acct.ids({ dims: { user: ['forget-me'] }, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER }).includes(id);
        return inCore ? 'core' : indexed && driver.store.job(id) ? 'records' : 'nowhere';
      };
      const where: string[] = [seen()];
      for (let turn = 0; turn < 1000 && where.at(-1) === 'core'; turn++) {
        await new Promise((r) => setImmediate(r));
        where.push(seen());
      }
      expect(where[0]).toBe('core');
      expect(where.at(-1)).toBe('records');
      expect(where).not.toContain('nowhere');
      expect(driver.isRemembered(id)).toBe(false);
      expect(driver.jobView(id)).toMatchObject({ id, state: 'CANCELLED', owner: 'forget-me' });
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});
