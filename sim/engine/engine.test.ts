import { describe, expect, it } from 'vitest';
import { flatClusterConfig, SchedulerCore, type ClusterConfig } from '../../scheduler/core/index.js';
import { flatJob } from './testing.js';
import { SimOptionError } from './errors.js';
import { SimEngine, type EndedJob, type EngineOptions, type SimObserver, type Submission } from './engine.js';

const S = 1000;

const job = flatJob;

function run(config: ClusterConfig, items: Submission[], opts: EngineOptions = {}) {
  const ended: EndedJob[] = [];
  const starts: [string, number][] = [];
  const names = new Map<number, string>();
  const observer: SimObserver = {
    onSubmitted: (ids, item) => ids.forEach((id) => names.set(id, item.job.name)),
    onTaskStart: (_t, jobId, _n, _c, now) => starts.push([names.get(jobId)!, now]),
    onJobEnded: (j) => ended.push(j),
  };
  const core = new SchedulerCore(config);
  const outcome = new SimEngine(core, { observer, ...opts }).run(items);
  const byName = Object.fromEntries(ended.map((j) => [j.spec.name, j]));
  return { outcome, ended, byName, starts, core };
}

describe('SimEngine', () => {
  it('holds cores for each task’s modelled duration and queues what does not fit', () => {
    const { byName, outcome, core } = run(flatClusterConfig(4, 'fcfs'), [
      { submitAt: 0, job: job('a', [{ cores: 3, durationMs: 50 * S }]) },
      { submitAt: 1 * S, job: job('b', [{ cores: 2, durationMs: 20 * S }]) },
      { submitAt: 2 * S, job: job('c', [{ cores: 1, durationMs: 5 * S }]) },
    ]);
    expect(byName.a).toMatchObject({ state: 'COMPLETED', startedAt: 0, endedAt: 50 * S });
    expect(byName.b).toMatchObject({ startedAt: 50 * S, endedAt: 70 * S });
    // FCFS: c would fit beside a but waits behind b.
    expect(byName.c).toMatchObject({ startedAt: 50 * S, endedAt: 55 * S });
    expect(outcome).toMatchObject({ jobsSubmitted: 3, jobsEnded: 3, jobsUnfinished: 0, endTime: 70 * S });
    // Every recorded job was forgotten: the core's memory does not grow with the run.
    expect(core.size).toEqual({ jobs: 0, tasks: 0 });
  });

  it('lets the core cut a task at its time limit and drops the stale end event', () => {
    const { byName, outcome } = run(flatClusterConfig(2, 'easy'), [
      { submitAt: 0, job: job('long', [{ timeLimitMs: 30 * S, durationMs: 90 * S }]) },
    ]);
    expect(byName.long).toMatchObject({ state: 'TIMEOUT', endedAt: 30 * S });
    expect(outcome.timeouts).toBe(1);
    expect(outcome.endsCancelled).toBe(1);
  });

  it('runs a job’s task DAG in dependency order', () => {
    const { byName, starts } = run(flatClusterConfig(8, 'easy'), [
      {
        submitAt: 0,
        job: job('dag', [
          { name: 'qc', durationMs: 5 * S },
          { name: 'x', durationMs: 10 * S, after: [0] },
          { name: 'y', durationMs: 20 * S, after: [0] },
          { name: 'z', durationMs: 1 * S, after: [1, 2] },
        ]),
      },
    ]);
    expect(starts.map(([, t]) => t)).toEqual([0, 5 * S, 5 * S, 25 * S]);
    expect(byName.dag).toMatchObject({ state: 'COMPLETED', startedAt: 0, endedAt: 26 * S, cores: 4 });
  });

  it('orders equal-time submissions and terminations as asked', () => {
    // a ends at 10 s exactly when c arrives; b (older, 4 cores) waits for a.
    const items: Submission[] = [
      { submitAt: 0, job: job('a', [{ cores: 4, durationMs: 10 * S, timeLimitMs: 20 * S }]) },
      { submitAt: 1 * S, job: job('b', [{ cores: 4, durationMs: 10 * S }]) },
      { submitAt: 10 * S, job: job('c', [{ cores: 1, durationMs: 10 * S, timeLimitMs: 10 * S }]) },
    ];
    const endsFirst = run(flatClusterConfig(4, 'easy'), items, { tieOrder: 'ends-first' }).byName;
    expect(endsFirst.b!.startedAt).toBe(10 * S);
    expect(endsFirst.c!.startedAt).toBe(20 * S);
    const submitsFirst = run(flatClusterConfig(4, 'easy'), items, { tieOrder: 'submits-first', schedulePer: 'event' }).byName;
    // c is scheduled while a still holds the machine, then b takes it when a ends: same result,
    // but the passes differ.
    expect(submitsFirst.b!.startedAt).toBe(10 * S);
    expect(submitsFirst.c!.startedAt).toBe(20 * S);
  });

  it('calls the core back at wakeAt with nothing else happening', () => {
    // The only thing that ends the task is its time limit, known only to the core.
    const { byName, outcome } = run(flatClusterConfig(1, 'fcfs'), [{ submitAt: 0, job: job('t', [{ timeLimitMs: 7 * S, durationMs: 1e9 }]) }]);
    expect(byName.t).toMatchObject({ state: 'TIMEOUT', endedAt: 7 * S });
    expect(outcome.endTime).toBe(7 * S);
  });

  it('passes no more often than passIntervalMs, a live driver\'s cadence, but runs the rest of a capped pass at once', () => {
    const items = (): Submission[] => [
      { submitAt: 0, job: job('a', [{ cores: 4, durationMs: 5 * S }]) },
      { submitAt: 0, job: job('b', [{ cores: 4, durationMs: 5 * S }]) },
      { submitAt: 12 * S, job: job('c', [{ cores: 1, durationMs: 1 * S }]) },
    ];
    // Every instant: b takes a's cores when they free, c starts when it comes.
    const each = run(flatClusterConfig(4, 'fcfs'), items());
    expect([each.byName.b?.startedAt, each.byName.c?.startedAt]).toEqual([5 * S, 12 * S]);
    // A pass at most every 10 s: a's end at 5 s waits for the pass due at 10 s; c, at 12 s, for the one at 20 s.
    const paced = run(flatClusterConfig(4, 'fcfs'), items(), { passIntervalMs: 10 * S });
    expect([paced.byName.b?.startedAt, paced.byName.c?.startedAt]).toEqual([10 * S, 20 * S]);
    expect(paced.outcome.schedulePasses).toBeLessThan(each.outcome.schedulePasses);
    // One start per pass: the second job's start is the capped pass's rest, due at the same instant.
    const capped: ClusterConfig = { ...flatClusterConfig(4, 'fcfs'), scheduler: { ...flatClusterConfig(4, 'fcfs').scheduler, maxStartsPerPass: 1 } };
    const both = run(capped, [
      { submitAt: 0, job: job('x', [{ cores: 1, durationMs: 5 * S }]) },
      { submitAt: 0, job: job('y', [{ cores: 1, durationMs: 5 * S }]) },
    ], { passIntervalMs: 10 * S });
    expect([both.byName.x?.startedAt, both.byName.y?.startedAt]).toEqual([0, 0]);
  });

  it('refuses a pass interval it cannot keep', () => {
    const core = new SchedulerCore(flatClusterConfig(1, 'fcfs'));
    expect(() => new SimEngine(core, { passIntervalMs: -1 })).toThrow(/passIntervalMs/);
    expect(() => new SimEngine(core, { passIntervalMs: Number.NaN })).toThrow(SimOptionError);
    expect(() => new SimEngine(core, { passIntervalMs: 1000, schedulePer: 'event' })).toThrow(/schedulePer 'event'/);
  });

  it('counts rejected submissions without stopping', () => {
    const { outcome } = run(flatClusterConfig(2, 'easy'), [
      { submitAt: 0, job: job('big', [{ cores: 3 }]) },
      { submitAt: 0, job: job('ok', [{ cores: 2 }]) },
    ]);
    expect(outcome).toMatchObject({ jobsRejected: 1, jobsEnded: 1 });
  });

  it('takes each submission from the workload as it applies it, not every one due at once', () => {
    // A burst submits everything at t = 0: holding every job spec of the instant until the core
    // had taken them all held millions of task specs beside the core's own records.
    let taken = 0;
    const workload: Iterable<Submission> = {
      *[Symbol.iterator]() {
        for (let i = 0; i < 5; i++) {
          taken++;
          yield { submitAt: 0, job: job(`j${i}`, [{}]) };
        }
      },
    };
    const takenAtSubmit: number[] = [];
    const core = new SchedulerCore(flatClusterConfig(2, 'easy'));
    const outcome = new SimEngine(core, { observer: { onSubmitted: () => takenAtSubmit.push(taken) } }).run(workload);
    // The engine looks one item ahead (to know when the next submission is due).
    expect(takenAtSubmit).toEqual([2, 3, 4, 5, 5]);
    expect(outcome).toMatchObject({ jobsSubmitted: 5, jobsEnded: 5 });
  });

  it('refuses a workload that is not sorted by time', () => {
    expect(() =>
      run(flatClusterConfig(2, 'easy'), [
        { submitAt: 5 * S, job: job('a', [{}]) },
        { submitAt: 1 * S, job: job('b', [{}]) },
      ]),
    ).toThrow(SimOptionError);
  });

  it('fails nodes at seeded random times, requeues their tasks and still finishes the work', () => {
    const config: ClusterConfig = {
      ...flatClusterConfig(4, 'easy'),
      nodes: [0, 1, 2].map((i) => ({ name: `n${i}`, container: 'c', kind: 'k', cores: 4, memMb: 1, cooling: 'air' as const, idleWatts: 0, busyWatts: 0 })),
    };
    const items: Submission[] = Array.from({ length: 60 }, (_, i) => ({ submitAt: i * 60 * S, job: job(`j${i}`, [{ cores: 4, durationMs: 600 * S, timeLimitMs: 1000 * S }]) }));
    const failures = { mtbfMs: 3000 * S, mttrMs: 300 * S, seed: 3 };
    const a = run(config, items, { failures });
    const b = run(config, items, { failures });
    expect(a.outcome.nodeFailures).toBeGreaterThan(0);
    expect(a.outcome.tasksLostToFailures).toBeGreaterThan(0);
    expect(a.outcome.jobsEnded).toBe(60);
    expect(a.ended.every((j) => j.state === 'COMPLETED' || j.state === 'NODE_FAIL')).toBe(true);
    // Same seed, same run.
    expect(b.outcome).toEqual(a.outcome);
    expect(b.starts).toEqual(a.starts);
    const c = run(config, items, { failures: { ...failures, seed: 4 } });
    expect(c.starts).not.toEqual(a.starts);
  });
});
