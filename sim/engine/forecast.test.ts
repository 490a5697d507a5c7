import { describe, expect, it } from 'vitest';
import { flatClusterConfig, SchedulerCore, type ClusterConfig } from '../../scheduler/core/index.js';
import { createRng } from './prng.js';
import { flatJob } from './testing.js';
import { SimEngine, type EndedJob, type Submission } from './engine.js';
import { forecast } from './forecast.js';

const S = 1000;

/** Jobs of 1-4 tasks (a chain or a fan-out), 1-3 cores each, all submitted in the first minute. */
function workload(seed: number, n: number): Submission[] {
  const rng = createRng(seed, 0);
  const out: Submission[] = [];
  for (let i = 0; i < n; i++) {
    const tasks = Array.from({ length: 1 + Math.floor(rng.next() * 4) }, (_, k) => ({
      cores: 1 + Math.floor(rng.next() * 3),
      durationMs: (5 + Math.floor(rng.next() * 60)) * S,
      timeLimitMs: 200 * S,
      ...(k > 0 ? { after: [rng.next() < 0.5 ? k - 1 : 0] } : {}),
    }));
    out.push({ submitAt: i * 2 * S, job: flatJob(`j${i}`, tasks) });
  }
  return out;
}

/** Runs the workload to time `at` and stops: the core is then mid-run, as a live core would be. */
function runTo(config: ClusterConfig, items: Submission[], at: number) {
  const core = new SchedulerCore(config);
  const ids = new Map<string, number>();
  new SimEngine(core, { progressEvery: 1, stopWhen: (p) => p.now >= at, observer: { onSubmitted: (js, item) => ids.set(item.job.name, js[0] as number) } }).run(items);
  return { core, ids };
}

function truth(config: ClusterConfig, items: Submission[]): Map<string, EndedJob> {
  const ended = new Map<string, EndedJob>();
  new SimEngine(new SchedulerCore(config), { observer: { onJobEnded: (j) => ended.set(j.spec.name, j) } }).run(items);
  return ended;
}

describe('forecast: the simulator forked off a core', () => {
  for (const policy of ['easy', 'conservative', 'fcfs'] as const) {
    it(`foresees exactly when each open job starts and ends when nothing new arrives (${policy})`, () => {
      const config = flatClusterConfig(8, policy);
      const items = workload(7, 40);
      const whole = truth(config, items);
      const { core, ids } = runTo(config, items, 200 * S);
      const f = forecast(config, core.snapshot(), 200 * S);
      expect(f.complete).toBe(true);
      const open = f.jobs;
      // The cut is mid-run: some jobs run, some wait.
      expect(open.some((j) => j.state === 'RUNNING')).toBe(true);
      expect(open.some((j) => j.state === 'PENDING')).toBe(true);
      for (const j of open) {
        const name = [...ids].find(([, id]) => id === j.id)?.[0] as string;
        const t = whole.get(name) as EndedJob;
        expect({ name, start: j.startAt, end: j.endAt, state: j.endState }).toEqual({ name, start: t.startedAt, end: t.endedAt, state: t.state });
      }
    });
  }

  it('stops at a horizon and leaves what lies beyond it unforecast', () => {
    const config = flatClusterConfig(4, 'easy');
    const { core } = runTo(config, workload(3, 30), 50 * S);
    const f = forecast(config, core.snapshot(), 50 * S, { horizonMs: 100 * S, maxEvents: 10_000 });
    expect(f.complete).toBe(false);
    expect(f.jobs.some((j) => j.endAt === null)).toBe(true);
    for (const j of f.jobs) if (j.endAt !== null) expect(j.endAt).toBeLessThanOrEqual(150 * S);
  });

  it('refuses a non-positive event budget by name', () => {
    const config = flatClusterConfig(4, 'easy');
    expect(() => forecast(config, new SchedulerCore(config).snapshot(), 0, { maxEvents: 0 })).toThrow(/maxEvents/);
  });
});

describe('forecast with power saving', () => {
  it('counts a node the core is booting as up after the resume delay', () => {
    const base = flatClusterConfig(8, 'easy');
    const config: ClusterConfig = { ...base, powerSave: { suspendTimeMs: 60 * S, resumeDelayMs: 300 * S, resumeTimeoutMs: 900 * S, suspendExcNodes: [], reserveCores: 0, suspendedWatts: 8 } };
    const core = new SchedulerCore(config);
    core.schedule(0);
    expect(core.schedule(60 * S).power).toEqual([{ type: 'powerDown', node: 'flat-n001' }]);
    const id = (core.apply({ type: 'submit', job: flatJob('j', [{ cores: 4, durationMs: 100 * S, timeLimitMs: 200 * S }]) }, 100 * S) as { jobIds: number[] }).jobIds[0] as number;
    expect(core.schedule(100 * S).power).toEqual([{ type: 'powerUp', node: 'flat-n001' }]);
    // Taken at 150 s, mid-boot: the forecast (an upper bound) has it up 300 s later.
    const f = forecast(config, core.snapshot(), 150 * S);
    expect(f.jobs).toEqual([{ id, state: 'PENDING', submittedAt: 100 * S, startAt: 450 * S, endAt: 550 * S, endState: 'COMPLETED' }]);
  });
});
