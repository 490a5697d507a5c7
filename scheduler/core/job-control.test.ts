// Job control in the core: holds (user and operator), begin times (and the wake-up they need),
// nice, scontrol update's rules, and requeue / requeuehold.
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';

const small = () => new Harness(cluster().container('c1', 1, 4).build());
const startsOf = (h: Harness) => h.log.filter((l) => l.decision.type === 'start').map((l) => ({ at: l.at, jobId: (l.decision as { jobId: number }).jobId }));

describe('holds', () => {
  it('a job submitted held waits with JobHeldUser until its owner releases it', () => {
    const h = small();
    const [id] = h.submit({ ...job().task(1).spec(), hold: true }) as [number];
    h.run(HOUR);
    expect(h.core.job(id)).toMatchObject({ state: 'PENDING', reason: 'JobHeldUser', hold: 'user' });
    expect(h.apply({ type: 'release', jobId: id, by: 'user' })).toEqual({ ok: true });
    h.pass();
    expect(h.core.job(id)).toMatchObject({ state: 'RUNNING', hold: null });
  });

  it('an operator hold is JobHeldAdmin, outranks the owner and only an operator releases it', () => {
    const h = small();
    const [id] = h.submit({ ...job().task(1).spec(), hold: true }) as [number];
    expect(h.apply({ type: 'hold', jobId: id, by: 'admin' })).toEqual({ ok: true });
    expect(h.apply({ type: 'hold', jobId: id, by: 'user' })).toEqual({ ok: true }); // stays admin
    h.pass();
    expect(h.core.job(id)).toMatchObject({ reason: 'JobHeldAdmin', hold: 'admin' });
    const refused = h.apply({ type: 'release', jobId: id, by: 'user' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: `job ${id} was held by an operator; only an operator can release it` } });
    expect(h.apply({ type: 'release', jobId: id, by: 'admin' })).toEqual({ ok: true });
    expect(h.apply({ type: 'release', jobId: id, by: 'admin' })).toMatchObject({ ok: false, error: { message: `job ${id} is not held` } });
  });

  it('refuses to hold a running or ended job, naming its state', () => {
    const h = small();
    const [id] = h.submit(job().task(1, HOUR).spec()) as [number];
    h.pass();
    expect(h.apply({ type: 'hold', jobId: id, by: 'user' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', field: 'jobId' } });
    h.run();
    expect(h.apply({ type: 'hold', jobId: id, by: 'user' })).toMatchObject({ ok: false, error: { message: `job ${id} already ended (COMPLETED)` } });
    expect(h.apply({ type: 'hold', jobId: 999, by: 'user' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } });
  });
});

describe('begin time', () => {
  it('waits with BeginTime, asks to be woken then, and starts at that time with nothing else happening', () => {
    const h = small();
    const [id] = h.submit({ ...job().task(1).spec(), beginAt: 2 * HOUR }) as [number];
    const step = h.core.schedule(0);
    expect(step.wakeAt).toBe(2 * HOUR);
    h.run(3 * HOUR);
    expect(startsOf(h)).toEqual([{ at: 2 * HOUR, jobId: id }]);
  });

  it('update beginAt moves it, and null clears it', () => {
    const h = small();
    const [id] = h.submit({ ...job().task(1).spec(), beginAt: 5 * HOUR }) as [number];
    expect(h.apply({ type: 'update', jobId: id, changes: { beginAt: HOUR } })).toEqual({ ok: true });
    expect(h.core.job(id)?.beginAt).toBe(HOUR);
    h.run(HOUR + 1);
    expect(startsOf(h)).toEqual([{ at: HOUR, jobId: id }]);
    const [other] = h.submit({ ...job().task(1).spec(), beginAt: 9 * HOUR }) as [number];
    expect(h.apply({ type: 'update', jobId: other, changes: { beginAt: null } })).toEqual({ ok: true });
    h.pass();
    expect(h.core.job(other)).toMatchObject({ state: 'RUNNING', beginAt: null });
  });
});

describe('nice and update', () => {
  it('nice lowers a job in the queue and update nice moves it back up', () => {
    const h = new Harness(cluster().container('c1', 1, 1).build());
    h.submit(job().task(1, HOUR).spec()); // takes the only core
    const [a] = h.submit({ ...job().task(1).spec(), nice: 500 }) as [number];
    const [b] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    expect(h.core.queue().map((j) => j.id)).toEqual([b, a]);
    expect(h.core.job(a)?.nice).toBe(500);
    expect(h.apply({ type: 'update', jobId: a, changes: { nice: -500 } })).toEqual({ ok: true });
    expect(h.core.queue().map((j) => j.id)).toEqual([a, b]);
    expect(h.core.job(a)?.priority.total).toBeGreaterThan(h.core.job(b)?.priority.total as number);
  });

  it('applies a time limit to waiting tasks, a QoS only while pending, and all or nothing', () => {
    const h = small();
    const [id] = h.submit(job().task(4, HOUR).task(1, HOUR).spec()) as [number];
    h.pass(); // task 0 runs, task 1 waits for cores
    expect(h.apply({ type: 'update', jobId: id, changes: { timeLimitMs: 30 * 60_000 } })).toEqual({ ok: true });
    expect(h.core.job(id)?.tasks.map((t) => t.timeLimitMs)).toEqual([HOUR, 30 * 60_000]);
    expect(h.apply({ type: 'update', jobId: id, changes: { qos: 'urgent' } })).toMatchObject({ ok: false, error: { field: 'changes.qos', message: `job ${id} is RUNNING: qos can only be changed while it is pending` } });

    const [p] = h.submit(job().task(1).spec()) as [number];
    const bad = h.apply({ type: 'update', jobId: p, changes: { nice: 10, qos: 'nope' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'UNKNOWN_QOS', field: 'changes.qos' } });
    expect(h.core.job(p)?.nice).toBe(0); // nothing applied
    expect(h.apply({ type: 'update', jobId: p, changes: { timeLimitMs: 10 ** 12 } })).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    expect(h.apply({ type: 'update', jobId: p, changes: {} })).toMatchObject({ ok: false, error: { field: 'changes' } });
    expect(h.apply({ type: 'update', jobId: p, changes: { partition: 'x' } as never })).toMatchObject({ ok: false, error: { field: 'changes.partition' } });
  });

  it('keeps an update to the QoS its account may use, as at submission', () => {
    const h = new Harness(cluster().container('c1', 1, 4).accounts([{ name: 'a', shares: 1, qos: ['normal', 'low'] }, { name: 'b', shares: 1 }]).build());
    const [id] = h.submit({ ...job().account('a').task(1).spec(), hold: true }) as [number];
    expect(h.apply({ type: 'update', jobId: id, changes: { qos: 'urgent' } })).toMatchObject({ ok: false, error: { code: 'QOS_NOT_ALLOWED', field: 'changes.qos', message: 'account "a" may not use QoS "urgent" (it may use normal, low)' } });
    expect(h.apply({ type: 'update', jobId: id, changes: { qos: 'low' } })).toEqual({ ok: true });
    const [other] = h.submit({ ...job().account('b').task(1).spec(), hold: true }) as [number];
    expect(h.apply({ type: 'update', jobId: other, changes: { qos: 'urgent' } })).toEqual({ ok: true });
  });

  it('changes dependencies of a pending job and an array\'s throttle', () => {
    const h = small();
    const [a] = h.submit(job().task(1, 2 * HOUR).spec()) as [number];
    const [b] = h.submit(job().task(1).spec()) as [number];
    expect(h.apply({ type: 'update', jobId: b, changes: { dependencies: [{ kind: 'afterok', jobId: a }] } })).toEqual({ ok: true });
    h.pass();
    expect(h.core.job(b)?.reason).toBe('Dependency');
    expect(h.apply({ type: 'update', jobId: b, changes: { dependencies: [{ kind: 'afterok', jobId: 777 }] } })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_DEPENDENCY' } });

    const ids = h.submit({ ...job().task(1).spec(), array: '0-3%1' });
    h.pass();
    expect(h.core.job(ids[1] as number)?.reason).toBe('JobArrayTaskLimit');
    expect(h.apply({ type: 'update', jobId: ids[0] as number, changes: { throttle: 0 } })).toEqual({ ok: true });
    h.pass();
    expect(h.core.jobs({ states: ['RUNNING'] }).filter((j) => j.arrayJobId === ids[0]).length).toBe(3); // the three free cores
    expect(h.apply({ type: 'update', jobId: a, changes: { throttle: 2 } })).toMatchObject({ ok: false, error: { field: 'changes.throttle' } });
  });
});

describe('requeue', () => {
  it('stops a running job, puts it back in the queue, and requeuehold also holds it', () => {
    const h = small();
    const [id] = h.submit(job().task(2, HOUR).spec()) as [number];
    h.pass();
    const taskId = h.core.job(id)?.tasks[0]?.id as number;
    expect(h.apply({ type: 'requeueJob', jobId: id, hold: true })).toEqual({ ok: true });
    const ds = h.pass();
    expect(h.log.map((l) => l.decision)).toContainEqual({ type: 'preempt', taskId, jobId: id, node: 'c1-n001' });
    expect(ds.some((d) => d.type === 'start')).toBe(false);
    expect(h.core.job(id)).toMatchObject({ state: 'PENDING', reason: 'JobHeldAdmin', tasks: [{ state: 'PENDING', requeues: 1 }] });
    h.apply({ type: 'release', jobId: id, by: 'admin' });
    h.pass();
    expect(h.core.job(id)?.state).toBe('RUNNING');
  });
});

describe('update partition', () => {
  it('moves a pending job to another partition, checked as a submit there would be', () => {
    const config = cluster().container('c1', 1, 4).container('c2', 1, 16).partitionOn('clinical', ['c1']).partitionOn('research', ['c2']).consent().partitionRules('research', { allowQos: ['low', 'normal'] }).build();
    const h = new Harness(config);
    h.submit(job().task(4, 5 * HOUR).spec());
    const [id] = h.submit(job().purpose('research').task(2).spec()) as [number];
    const [treat] = h.submit(job().task(2).spec()) as [number];
    h.pass();
    expect(h.core.job(id)).toMatchObject({ state: 'PENDING', partition: 'clinical' });
    expect(h.apply({ type: 'update', jobId: treat, changes: { partition: 'research' } })).toMatchObject({ ok: false, error: { code: 'PURPOSE_MISMATCH', field: 'changes.partition' } });
    expect(h.apply({ type: 'update', jobId: id, changes: { partition: 'gpu' } })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_PARTITION' } });
    expect(h.apply({ type: 'update', jobId: id, changes: { partition: 'research', qos: 'urgent' } })).toMatchObject({ ok: false, error: { code: 'QOS_NOT_ALLOWED', field: 'changes.qos' } });
    expect(h.apply({ type: 'update', jobId: id, changes: { partition: 'research' } })).toEqual({ ok: true });
    h.pass();
    expect(h.core.job(id)).toMatchObject({ state: 'RUNNING', partition: 'research', nodes: ['c2-n001'] });
    // A running job keeps its partition.
    expect(h.apply({ type: 'update', jobId: id, changes: { partition: 'clinical' } })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', field: 'changes.partition' } });
  });

  it('refuses a partition whose nodes are too small for a waiting task', () => {
    const config = cluster().container('c1', 1, 4).container('c2', 1, 16).partitionOn('clinical', ['c2']).partitionOn('research', ['c1']).build();
    const h = new Harness(config);
    h.submit(job().task(16, 5 * HOUR).spec());
    const [id] = h.submit(job().purpose('research').task(8).spec()) as [number];
    expect(h.apply({ type: 'update', jobId: id, changes: { partition: 'research' } })).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', field: 'changes.partition' } });
  });
});
