// How a node's cores are counted, the same way in /metrics, the dashboard and `gsched nodes`;
// and what a snapshot of the live state reports, with a wall clock and a scheduler clock in hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_PATH, FakeClock, loadClusterConfig } from '../../common/index.js';
import { AgentHub } from '../agents/index.js';
import type { JobSpec } from '../core/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { LiveState } from '../events/index.js';
import { Store } from '../store/index.js';
import { testJob } from '../testing/index.js';
import { SnapshotTaker, coreStates } from './metrics-snapshot.js';

describe('coreStates', () => {
  it('counts the free cores of a draining or drained node as drained, not idle', () => {
    expect(coreStates('DRAINING', 64, 16)).toEqual({ allocated: 16, idle: 0, drained: 48, down: 0 });
    expect(coreStates('DRAINED', 64, 0)).toEqual({ allocated: 0, idle: 0, drained: 64, down: 0 });
  });

  it('counts a down node as down whatever it held, and splits an up node into allocated and idle', () => {
    expect(coreStates('DOWN', 64, 8)).toEqual({ allocated: 0, idle: 0, drained: 0, down: 64 });
    expect(coreStates('MIXED', 64, 40)).toEqual({ allocated: 40, idle: 24, drained: 0, down: 0 });
    expect(coreStates('IDLE', 64, 0)).toEqual({ allocated: 0, idle: 64, drained: 0, down: 0 });
  });
});

describe('a snapshot of the default cluster', () => {
  it('counts drained and down cores per container, the oldest pending age, and integrates energy and recovered heat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snapshot-'));
    const config = loadClusterConfig(DEFAULT_CLUSTER_PATH());
    const clock = new FakeClock();
    const log = pino({ level: 'silent' });
    const core = makeCore(config);
    const live = new LiveState(() => core, null);
    const driver = new LiveDriver({ core, store: new Store(dir), log, timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock, observer: live });
    const hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log, clock: new FakeClock() });
    driver.setDispatcher({ assign: () => true, cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    try {
      const c1 = config.nodes.filter((n) => n.container === 'c1');
      await driver.agentHello(c1.map((n) => n.name), [], []);
      const drained = c1[0] as (typeof c1)[number];
      expect((await driver.nodeAdmin(drained.name, 'drain')).ok).toBe(true);
      expect((await driver.submit(testJob([{ cores: 4 }]) as unknown as JobSpec)).ok).toBe(true);
      expect((await driver.submit(testJob([{ cores: 1 }], { hold: true }) as unknown as JobSpec)).ok).toBe(true);
      clock.advance(1); // a pass: the first job starts
      clock.advance(5000);
      let wall = 0;
      const taker = new SnapshotTaker(driver, hub, live, () => wall);
      const first = taker.take();
      const sum = (container: string, state: string): number => first.cores.filter((c) => c.container === container && c.state === state).reduce((a, c) => a + c.cores, 0);
      const c1Cores = c1.reduce((a, n) => a + n.cores, 0);
      expect([sum('c1', 'allocated'), sum('c1', 'drained'), sum('c1', 'idle'), sum('c1', 'down')]).toEqual([4, drained.cores, c1Cores - 4 - drained.cores, 0]);
      for (const c of ['c2', 'c3']) expect(sum(c, 'down')).toBe(config.nodes.filter((n) => n.container === c).reduce((a, n) => a + n.cores, 0));
      expect(first.cores.find((c) => c.container === 'c1' && c.kind === drained.kind && c.cooling === drained.cooling && c.state === 'drained')?.cores).toBe(drained.cores);
      // The held job has waited the 5.001 s the clock moved since it was submitted, and is counted as held.
      expect(first.oldestPendingAgeS).toEqual([['clinical', 5.001]]);
      expect(first.pendingByReason.filter(([, n]) => n > 0)).toEqual([['JobHeldUser', 1]]);
      // Power: every c1 node idle but the one running 4 cores; c2 and c3 are down and draw nothing.
      const busy = core.nodes().find((n) => n.coresUsed > 0);
      const busySpec = config.nodes.find((n) => n.name === busy?.name);
      if (!busySpec) throw new Error('the job did not start');
      const watts = c1.reduce((a, n) => a + n.idleWatts, 0) + (4 * (busySpec.busyWatts - busySpec.idleWatts)) / busySpec.cores;
      const warm = c1.filter((n) => n.cooling === 'warm-water');
      const heat = 0.85 * (warm.reduce((a, n) => a + n.idleWatts, 0) + (busySpec.cooling === 'warm-water' ? (4 * (busySpec.busyWatts - busySpec.idleWatts)) / busySpec.cores : 0));
      expect(first.powerWatts.get('c1')).toBeCloseTo(watts, 6);
      expect(first.heatWatts.get('c1')).toBeCloseTo(heat, 6);
      expect([first.powerWatts.get('c2'), first.heatWatts.get('c3')]).toEqual([0, 0]);
      // Energy and heat are counted between snapshots at the power drawn then: 2 s of it.
      wall = 2000;
      taker.take();
      expect(taker.energyJ.get('c1')).toBeCloseTo(2 * watts, 6);
      expect(taker.heatJ.get('c1')).toBeCloseTo(2 * heat, 6);
      expect(taker.energyJ.get('c2')).toBe(0);
    } finally {
      hub.close();
      await driver.close();
      await driver.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
