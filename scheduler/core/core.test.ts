import { describe, expect, it } from 'vitest';
import { SchedulerCore } from './core.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { Decision } from './types.js';

const starts = (ds: Decision[]) => ds.filter((d): d is Extract<Decision, { type: 'start' }> => d.type === 'start');

describe('submission checks', () => {
  const core = new SchedulerCore(cluster().container('c1', 2, 8, 32_000).build());
  const refuse = (spec: unknown) => {
    const r = core.apply({ type: 'submit', job: spec as never }, 0);
    if (r.ok) throw new Error('expected a refusal');
    return r.error;
  };

  it('refuses a task larger than any node, naming the field and the limit', () => {
    const e = refuse(job().task(9).spec());
    expect(e).toMatchObject({ code: 'TOO_LARGE', field: 'tasks[0].cores' });
    expect(e.message).toContain('8 cores');
    expect(refuse(job().task(1, HOUR, { memMb: 64_000 }).spec())).toMatchObject({ code: 'TOO_LARGE', field: 'tasks[0].memMb' });
  });

  it('refuses unknown partition, QoS and account', () => {
    expect(refuse(job().partition('gpu').task(1).spec()).code).toBe('UNKNOWN_PARTITION');
    expect(refuse(job().qos('turbo').task(1).spec()).code).toBe('UNKNOWN_QOS');
    expect(refuse(job().account('nobody').task(1).spec()).code).toBe('UNKNOWN_ACCOUNT');
  });

  it('refuses a dependency on a missing job and a cycle in the DAG', () => {
    expect(refuse(job().task(1).dep('afterok', 999).spec())).toMatchObject({ code: 'UNKNOWN_DEPENDENCY', field: 'dependencies[0].jobId' });
    const cyc = job().task(1, HOUR, { after: [1] }).task(1, HOUR, { after: [0] }).spec();
    expect(refuse(cyc).code).toBe('DAG_CYCLE');
    expect(refuse(job().task(1, HOUR, { after: [0] }).spec()).code).toBe('DAG_CYCLE');
  });

  it('takes a task list that waits for later tasks, and repeated or unsorted "after" entries', () => {
    const h = new Harness(cluster().container('c1', 1, 8, 32_000).build());
    // Task 0 waits for 2 (listed twice), 2 waits for 1: they run 1, 2, 0.
    const spec = job().task(1, HOUR, { after: [2, 2], durationMs: 60_000 }).task(1, HOUR, { durationMs: 60_000 }).task(1, HOUR, { after: [1], durationMs: 60_000 }).spec();
    const [id] = h.submit(spec);
    // A task keeps no list of its own: its view reads what it waits for from the job's
    // successor table, each task once, ascending.
    expect(h.core.job(id as number)?.tasks.map((t) => t.after)).toEqual([[2], [], [1]]);
    // One task's view reads the same from the table as the job's view of all its tasks at once.
    expect(h.core.job(id as number)?.tasks.map((t) => h.core.task(t.id)?.after)).toEqual([[2], [], [1]]);
    h.run();
    expect(h.decisions('start').map((d) => h.core.task(d.taskId)?.name)).toEqual(['t1', 't2', 't0']);
    expect(h.decisions('jobEnded')).toEqual([{ type: 'jobEnded', jobId: id, state: 'COMPLETED' }]);
  });

  it('refuses negative, fractional, absurd and missing values', () => {
    expect(refuse(job().task(-1).spec()).field).toBe('tasks[0].cores');
    expect(refuse(job().task(1.5).spec()).field).toBe('tasks[0].cores');
    expect(refuse(job().task(1, -5).spec()).field).toBe('tasks[0].timeLimitMs');
    expect(refuse(job().task(1, 400 * 24 * HOUR).spec()).field).toBe('tasks[0].timeLimitMs');
    expect(refuse({ ...job().spec(), tasks: [] }).field).toBe('tasks');
    expect(refuse(null).code).toBe('INVALID_JOB');
    expect(refuse({ name: 'x' }).field).toBe('owner');
    expect(refuse(job().task(1).array('5-2').spec()).field).toBe('array');
  });

  it('refuses a CPR number where a pseudonym belongs, without echoing it', () => {
    const e = refuse(job().patient('010203-1234').task(1).spec());
    expect(e.field).toBe('pseudonyms[0]');
    expect(e.message).toContain('CPR');
    expect(e.message).not.toContain('010203');
  });

  it('survives garbage events', () => {
    expect(core.apply({ type: 'bogus' } as never, 0).ok).toBe(false);
    expect(core.apply({ type: 'taskEnded', taskId: 12345, outcome: 'completed' }, 0).ok).toBe(false);
    expect(core.apply({ type: 'cancel', jobId: 'x' } as never, 0).ok).toBe(false);
    expect(core.apply({ type: 'drain', node: 'nope' }, 0)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_NODE' } });
  });
});

describe('lifecycle', () => {
  it('runs a DAG in order and completes the job', () => {
    const h = new Harness(cluster().container('c1', 2).build());
    const [id] = h.submit(job().task(2, HOUR).task(4, HOUR, { after: [0] }).task(4, HOUR, { after: [0] }).task(1, HOUR, { after: [1, 2] }).spec());
    h.run();
    const s = h.log.filter((l) => l.decision.type === 'start').map((l) => [l.at, (l.decision as { taskId: number }).taskId]);
    expect(s).toEqual([
      [0, 1],
      [HOUR, 2],
      [HOUR, 3],
      [2 * HOUR, 4],
    ]);
    expect(h.core.job(id as number)).toMatchObject({ state: 'COMPLETED', endedAt: 3 * HOUR });
  });

  it('ignores a duplicate completion: a task is completed once', () => {
    const h = new Harness(cluster().container('c1', 1).build());
    h.submit(job().task(1).spec());
    h.pass();
    expect(h.apply({ type: 'taskEnded', taskId: 1, outcome: 'completed' }).ok).toBe(true);
    expect(h.apply({ type: 'taskEnded', taskId: 1, outcome: 'completed' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });

  it('kills a task at its time limit as TIMEOUT and asks to be woken for it', () => {
    const h = new Harness(cluster().container('c1', 1).build());
    const [id] = h.submit(job().task(1, 5 * HOUR, { timeLimitMs: HOUR }).spec());
    expect(h.pass()).toHaveLength(1);
    expect(h.core.schedule(0).wakeAt).toBe(HOUR);
    h.run();
    expect(h.decisions('kill')).toEqual([{ type: 'kill', taskId: 1, jobId: id, node: 'c1-n001', reason: 'timeout' }]);
    expect(h.core.job(id as number)?.state).toBe('TIMEOUT');
  });

  it('with an OverTimeLimit grace kills only past the limit plus the grace', () => {
    const config = cluster().container('c1', 1).build();
    config.scheduler.overTimeLimitMs = HOUR / 2;
    const late = new Harness(config);
    const [id] = late.submit(job().task(1, 5 * HOUR, { timeLimitMs: HOUR }).spec());
    late.pass();
    expect(late.core.schedule(0).wakeAt).toBe(HOUR + HOUR / 2);
    late.run();
    expect(late.core.job(id as number)?.state).toBe('TIMEOUT');
    expect(late.core.job(id as number)?.endedAt).toBe(HOUR + HOUR / 2);
    // A task that ends within the grace completes.
    const inTime = new Harness(config);
    const [ok] = inTime.submit(job().task(1, HOUR + HOUR / 4, { timeLimitMs: HOUR }).spec());
    inTime.run();
    expect(inTime.core.job(ok as number)?.state).toBe('COMPLETED');
  });

  it('retries a failed task with doubled memory, then fails the job', () => {
    const h = new Harness(cluster().container('c1', 1, 8, 32_000).build());
    const [id] = h.submit(job().task(1, HOUR, { memMb: 10_000, retries: 1 }).spec());
    h.failing.add(1);
    h.run();
    const mems = starts(h.log.map((l) => l.decision)).map((d) => d.memMb);
    expect(mems).toEqual([10_000, 20_000]);
    expect(h.core.job(id as number)?.state).toBe('FAILED');
  });

  it('cancels pending and running work', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    const [a] = h.submit(job().task(4).spec());
    const [b] = h.submit(job().task(4).spec());
    h.pass();
    expect(h.apply({ type: 'cancel', jobId: a as number }).ok).toBe(true);
    expect(h.apply({ type: 'cancel', jobId: b as number }).ok).toBe(true);
    expect(h.apply({ type: 'cancel', jobId: b as number })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    const ds = h.pass();
    expect(ds).toContainEqual({ type: 'kill', taskId: 1, jobId: a, node: 'c1-n001', reason: 'cancelled' });
    expect(ds.filter((d) => d.type === 'jobEnded')).toHaveLength(2);
    expect(h.core.nodes()[0]?.coresUsed).toBe(0);
  });

  it('passes over the time-limit entry of a forgotten job and kills the next task at its own limit', () => {
    const h = new Harness(cluster().container('c1', 1).build());
    const [a] = h.submit(job().task(1, HOUR / 6, { timeLimitMs: HOUR }).spec());
    h.run();
    expect(h.core.job(a as number)?.state).toBe('COMPLETED');
    // Its entry (due at HOUR) outlives it: the heap drops it when it comes up, by id, the job gone.
    expect(h.apply({ type: 'forget', jobId: a as number }).ok).toBe(true);
    const from = h.now;
    const [b] = h.submit(job().task(1, 5 * HOUR, { timeLimitMs: 3 * HOUR }).spec());
    expect(h.pass()).toHaveLength(1);
    expect(h.core.schedule(h.now).wakeAt).toBe(from + 3 * HOUR);
    h.run();
    expect(h.core.job(b as number)?.state).toBe('TIMEOUT');
    expect(h.core.job(b as number)?.endedAt).toBe(from + 3 * HOUR);
  });

  it('forgets ended jobs but still honours dependencies on them', () => {
    const h = new Harness(cluster().container('c1', 1).build());
    const [a] = h.submit(job().task(1).spec());
    h.run();
    expect(h.apply({ type: 'forget', jobId: a as number }).ok).toBe(true);
    expect(h.core.job(a as number)).toBeUndefined();
    const [b] = h.submit(job().task(1).dep('afterok', a as number).spec());
    h.run();
    expect(h.core.job(b as number)?.state).toBe('COMPLETED');
  });
});

describe('dependencies and arrays', () => {
  it('afterok waits for success; afternotok on success never runs; afterany waits for the end', () => {
    const h = new Harness(cluster().container('c1', 4).build());
    const [a] = h.submit(job().task(1, 2 * HOUR).spec()) as [number];
    const [ok] = h.submit(job().task(1).dep('afterok', a).spec()) as [number];
    const [notok] = h.submit(job().task(1).dep('afternotok', a).spec()) as [number];
    const [any] = h.submit(job().task(1).dep('afterany', a).spec()) as [number];
    h.run(HOUR);
    expect(h.core.job(ok)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    h.run();
    expect(h.core.job(ok)?.startedAt).toBe(2 * HOUR);
    expect(h.core.job(any)?.startedAt).toBe(2 * HOUR);
    expect(h.core.job(notok)).toMatchObject({ state: 'PENDING', reason: 'DependencyNeverSatisfied' });
  });

  it('singleton: one job of a name and owner at a time', () => {
    const h = new Harness(cluster().container('c1', 4).build());
    const ids = [1, 2, 3].map(() => h.submit(job().name('nightly').singleton().task(1).spec())[0] as number);
    h.run();
    const startsAt = ids.map((id) => h.core.job(id)?.startedAt);
    expect(startsAt).toEqual([0, HOUR, 2 * HOUR]);
  });

  it('expands arrays and honours the %N limit', () => {
    const h = new Harness(cluster().container('c1', 4).build());
    const ids = h.submit(job().task(1).array('0-5%2').spec());
    expect(ids).toHaveLength(6);
    expect(h.core.job(ids[5] as number)?.displayId).toBe(`${ids[0]}_5`);
    h.pass();
    expect(h.core.cluster().runningJobs).toBe(2);
    expect(h.core.job(ids[2] as number)?.reason).toBe('JobArrayTaskLimit');
    h.run();
    expect(ids.map((id) => h.core.job(id)?.state)).toEqual(Array(6).fill('COMPLETED'));
  });
});

describe('consent', () => {
  it('refuses treatment without consent and research on restricted data', () => {
    const h = new Harness(cluster().container('c1', 1).build());
    expect(h.apply({ type: 'submit', job: job().patient('P1').task(1).spec() })).toMatchObject({ ok: false, error: { code: 'CONSENT_REQUIRED' } });
    h.apply({ type: 'consent', pseudonym: 'P1', status: 'restricted' });
    expect(h.apply({ type: 'submit', job: job().patient('P1').task(1).spec() }).ok).toBe(true);
    expect(h.apply({ type: 'submit', job: job().research().patient('P1').task(1).spec() })).toMatchObject({ ok: false, error: { code: 'CONSENT_RESTRICTED' } });
  });

  it('holds a waiting research job whose patient restricts consent meanwhile', () => {
    const h = new Harness(cluster().container('c1', 1, 1).build());
    h.apply({ type: 'consent', pseudonym: 'P2', status: 'granted' });
    h.submit(job().task(1).spec()); // occupies the only core
    const [r] = h.submit(job().research().patient('P2').task(1).spec()) as [number];
    h.pass();
    h.apply({ type: 'consent', pseudonym: 'P2', status: 'restricted' });
    h.run(10 * HOUR);
    expect(h.core.job(r)).toMatchObject({ state: 'PENDING', reason: 'ConsentHold' });
    expect(starts(h.log.map((l) => l.decision)).some((d) => d.jobId === r)).toBe(false);
  });
});

describe('placement', () => {
  it('prefers warm-water nodes, best fit, and the container of the job’s earlier tasks', () => {
    const cfg = cluster().container('c1', 1, 8, 32_000, 'air').container('c1', 1, 8, 32_000, 'warm-water').container('c2', 2, 8).build();
    const h = new Harness(cfg);
    h.submit(job().task(6).spec());
    expect(starts(h.pass())[0]?.node).toBe('c1-n002'); // warm before air
    h.submit(job().task(2).spec());
    expect(starts(h.pass())[0]?.node).toBe('c1-n002'); // best fit: exactly 2 left there
    const j = job().task(8, HOUR).task(4, HOUR, { after: [0] }).spec();
    h.submit(j);
    const first = starts(h.pass())[0]?.node as string;
    h.run(HOUR);
    const second = h.decisions('start').at(-1)?.node as string;
    expect(second.slice(0, 2)).toBe(first.slice(0, 2));
  });

  it('respects memory', () => {
    const h = new Harness(cluster().container('c1', 1, 8, 10_000).build());
    h.submit(job().task(1, HOUR, { memMb: 6_000 }).spec());
    h.submit(job().task(1, HOUR, { memMb: 6_000 }).spec());
    expect(starts(h.pass())).toHaveLength(1);
  });

  it('drained nodes take no new work but finish what runs; a down node requeues its tasks', () => {
    const h = new Harness(cluster().container('c1', 2, 4).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    h.pass();
    h.apply({ type: 'drain', node: 'c1-n001' });
    h.submit(job().task(4).spec());
    expect(starts(h.pass())[0]?.node).toBe('c1-n002');
    expect(h.core.nodes()[0]?.state).toBe('DRAINING');
    h.apply({ type: 'nodeDown', node: 'c1-n002' });
    expect(h.core.task(2)?.state).toBe('PENDING');
    expect(h.core.task(2)?.requeues).toBe(1);
    h.apply({ type: 'resume', node: 'c1-n001' });
    h.run();
    expect(h.core.job(2)?.state).toBe('COMPLETED');
    expect(h.core.nodes().map((n) => n.state)).toEqual(['IDLE', 'DOWN']);
  });
});

describe('policies', () => {
  // One 10-core node. A runs 6 cores for 10 h; B (8 cores) must wait for it; C (4 cores, 2 h)
  // fits beside A and ends before B's reservation; D (4 cores, 20 h) would delay B.
  const scenario = (policy: 'fcfs' | 'easy' | 'conservative') => {
    const h = new Harness(cluster().container('c1', 1, 10).policy(policy).build());
    h.submit(job().task(6, 10 * HOUR).spec());
    h.submit(job().task(8, 5 * HOUR).spec());
    h.submit(job().task(4, 2 * HOUR).spec());
    h.submit(job().task(4, 20 * HOUR).spec());
    h.run();
    return [1, 2, 3, 4].map((id) => h.core.job(id)?.startedAt);
  };

  it('FCFS never lets a later job pass a blocked one', () => {
    expect(scenario('fcfs')).toEqual([0, 10 * HOUR, 15 * HOUR, 15 * HOUR]);
  });

  it('EASY backfills what does not delay the head job', () => {
    expect(scenario('easy')).toEqual([0, 10 * HOUR, 0, 15 * HOUR]);
  });

  it('conservative backfill reserves for every blocked job', () => {
    expect(scenario('conservative')).toEqual([0, 10 * HOUR, 0, 15 * HOUR]);
  });

  it('EASY backfills at most every backfill interval, and asks to be woken for the next one', () => {
    const h = new Harness(cluster().container('c1', 1, 10).backfillInterval(30 * 60_000).build());
    h.submit(job().task(6, 10 * HOUR).spec());
    h.submit(job().task(8, 5 * HOUR).spec());
    h.pass(); // t = 0: a backfill pass, nothing behind B yet
    h.at(5 * 60_000, { type: 'submit', job: job().task(4, 2 * HOUR).spec() });
    h.run(HOUR);
    expect(h.core.job(3)?.startedAt).toBe(30 * 60_000);
  });

  it('reports Resources for the head, Priority behind it, and queue positions', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(4).spec());
    h.submit(job().task(4).spec());
    h.submit(job().task(4).spec());
    h.pass();
    expect(h.core.queue().map((j) => [j.id, j.reason, j.queuePosition])).toEqual([
      [2, 'Resources', 1],
      [3, 'Priority', 2],
    ]);
    expect(h.core.reservation()).toMatchObject({ jobId: 2, at: HOUR });
  });
});

describe('queue lanes', () => {
  it('keeps a DAG job that reached the age cap while none of its tasks waited', () => {
    // Regression: the job was capped while not queued; its next ready task must still be walked.
    const MIN = 60_000;
    const h = new Harness(cluster().container('c1', 1, 4).preemption(false).weights({ age: 1, qos: 1000, maxAgeMs: 60 * MIN }).build());
    h.submit(job().task(3, 15 * MIN).spec()); // D
    h.submit(job().task(1, 300 * MIN).spec()); // E
    const [a] = h.submit(job().task(1, 57 * MIN, { timeLimitMs: 60 * MIN }).task(1, 10 * MIN, { after: [0] }).spec()) as [number];
    h.at(15 * MIN, { type: 'submit', job: job().urgent().task(4, 60 * MIN).spec() }); // C, blocked until E ends
    h.at(70 * MIN, { type: 'consent', pseudonym: 'P9', status: 'granted' }); // any event: a pass at t = 70
    h.run();
    expect(h.core.job(a)?.state).toBe('COMPLETED');
  });
});

describe('preemption', () => {
  it('urgent clinical work requeues the fewest, youngest research tasks', () => {
    const h = new Harness(cluster().container('c1', 1, 8).build());
    h.submit(job().research().task(2, 10 * HOUR).spec()); // oldest
    h.run(HOUR);
    h.submit(job().research().task(2, 10 * HOUR).spec());
    h.submit(job().research().task(4, 10 * HOUR).spec());
    h.run(2 * HOUR);
    const [u] = h.submit(job().urgent().task(4).spec()) as [number];
    const ds = h.pass();
    expect(ds.filter((d) => d.type === 'preempt').map((d) => (d as { jobId: number }).jobId)).toEqual([3]);
    expect(starts(ds).map((d) => d.jobId)).toEqual([u]);
    expect(h.core.job(3)).toMatchObject({ state: 'PENDING' });
    expect(h.core.job(3)?.tasks[0]?.preemptions).toBe(1);
  });

  it('never preempts clinical work, and normal QoS never preempts', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(4, 10 * HOUR).spec());
    h.submit(job().urgent().task(4).spec());
    expect(h.pass().filter((d) => d.type === 'preempt')).toEqual([]);
    const h2 = new Harness(cluster().container('c1', 1, 4).build());
    h2.submit(job().research().task(4, 10 * HOUR).spec());
    h2.submit(job().task(4).spec());
    expect(h2.pass().filter((d) => d.type === 'preempt')).toEqual([]);
  });
});

describe('priority', () => {
  it('gives an sprio-like breakdown whose parts add up to the total', () => {
    const cfg = cluster().container('c1', 1, 4).weights({ age: 100, qos: 1000, partition: 500, fairshare: 200, size: 10 }).build();
    const h = new Harness(cfg);
    h.submit(job().task(4, 100 * HOUR).spec());
    h.submit(job().urgent().task(2).spec());
    h.run(24 * HOUR);
    const p = h.core.job(2)?.priority;
    expect(p?.qos).toBe(1000);
    expect(p?.partition).toBe(500);
    expect(p?.age).toBeCloseTo(100 * (24 / (7 * 24)), 5);
    expect(p?.total).toBeCloseTo((p?.age ?? 0) + (p?.fairshare ?? 0) + (p?.qos ?? 0) + (p?.partition ?? 0) + (p?.size ?? 0), 9);
  });

  it('urgent work goes ahead of normal work submitted earlier', () => {
    const h = new Harness(cluster().container('c1', 1, 4).weights({ qos: 1000 }).build());
    h.submit(job().task(4).spec());
    h.submit(job().task(4).spec());
    h.submit(job().urgent().task(4).spec());
    h.run();
    expect(h.core.job(3)?.startedAt).toBeLessThan(h.core.job(2)?.startedAt as number);
  });
});
