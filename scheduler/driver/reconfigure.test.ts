// gsched reconfigure in the live driver: a config that fits is applied and journalled (a
// restart, from the journal or from a snapshot, comes back under it); one that does not is
// refused with its conflicts and changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import type { ClusterConfig, JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { LiveDriver } from './driver.js';
import { makeCore } from './make-core.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const config = loadClusterConfig(SMALL_CLUSTER());

function open(dir: string, cfg: ClusterConfig): LiveDriver {
  const driver = new LiveDriver({ core: makeCore(cfg), coreFor: makeCore, store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0 });
  driver.setDispatcher({ assign: () => true, cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  return driver;
}

async function restart(d: LiveDriver, dir: string, cfg: ClusterConfig): Promise<LiveDriver> {
  await d.close();
  await d.store.close();
  return open(dir, cfg);
}

describe('LiveDriver reconfigure', () => {
  it('applies a config that fits, and a restart (journal, then snapshot) comes back under it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-reconf-'));
    dirs.push(dir);
    let d = open(dir, config);
    await d.agentHello(config.nodes.map((n) => n.name), [], []);
    const sub = await d.submit(testJob([{ cores: 2, durationMs: 3_600_000 }], { qos: 'normal' }) as unknown as JobSpec);
    expect(sub.ok).toBe(true);
    const capped: ClusterConfig = { ...config, qos: [...config.qos.map((q) => (q.name === 'normal' ? { ...q, limits: { maxSubmitJobs: 1 } } : q)), { name: 'bulk', priorityFactor: 0, canPreempt: false }] };
    expect(await d.reconfigure(capped)).toEqual({ ok: true, value: { changed: true, cluster: config.name } });
    expect(await d.reconfigure(capped)).toEqual({ ok: true, value: { changed: false, cluster: config.name } });
    const over = await d.submit(testJob([{ cores: 1 }], { qos: 'normal' }) as unknown as JobSpec);
    expect(over).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    // Removing the QoS a job uses is refused, and nothing changes.
    const bad: ClusterConfig = { ...capped, qos: capped.qos.filter((q) => q.name !== 'normal') };
    const refused = await d.reconfigure(bad);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIG_CONFLICT', message: expect.stringContaining('QoS normal: removed, but job 1 uses it') } });
    expect(d.core.config.qos.map((q) => q.name)).toEqual(['urgent', 'normal', 'bulk']);

    // Restart from the journal (no snapshot yet), with the new file.
    d = await restart(d, dir, capped);
    expect(d.configRefusal).toBeNull();
    expect(d.core.config.qos.map((q) => q.name)).toEqual(['urgent', 'normal', 'bulk']);
    expect((await d.submit(testJob([{ cores: 1 }], { qos: 'normal' }) as unknown as JobSpec)).ok).toBe(false);
    expect((await d.submit(testJob([{ cores: 1 }], { qos: 'bulk' }) as unknown as JobSpec)).ok).toBe(true);
    // And from a snapshot taken under the new config.
    await d.snapshot();
    d = await restart(d, dir, capped);
    expect(d.core.config.qos.map((q) => q.name)).toEqual(['urgent', 'normal', 'bulk']);
    expect(d.core.jobs()).toHaveLength(2);
    expect(d.core.limitUsage()).toEqual([{ name: 'normal', qos: true, limits: { maxSubmitJobs: 1 }, cores: expect.any(Number), running: expect.any(Object), submitted: { tester: 1 } }]);
    // A restart with a file that no longer fits keeps the state's config and says why.
    d = await restart(d, dir, bad);
    expect(d.configRefusal).toContain('QoS normal: removed, but job 1 uses it');
    expect(d.core.config.qos.map((q) => q.name)).toEqual(['urgent', 'normal', 'bulk']);
    await d.close();
    await d.store.close();
  });
});
