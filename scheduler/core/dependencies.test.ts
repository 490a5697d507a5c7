// Slurm's after, aftercorr and `?` (any-of) dependencies, beside afterok/afterany/afternotok.
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';

describe('dependencies: after, aftercorr and any-of', () => {
  it('after: starts once the other job has started, not when it ends', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    const [blocker] = h.submit(job().task(3, HOUR).spec()) as [number];
    const [a] = h.submit(job().task(2, 3 * HOUR).spec()) as [number];
    const [b] = h.submit(job().task(1, HOUR).dep('after', a).spec()) as [number];
    h.run(HOUR / 2);
    expect(h.core.job(b)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    h.run(HOUR);
    // a started at 1h; b starts with it (a still runs for hours).
    expect(h.core.job(blocker)?.state).toBe('COMPLETED');
    expect(h.core.job(a)).toMatchObject({ state: 'RUNNING', startedAt: HOUR });
    expect(h.core.job(b)).toMatchObject({ state: 'RUNNING', startedAt: HOUR });
  });

  it('a pending job the pass did not reach still shows its unmet dependency, as in Slurm', () => {
    const h = new Harness(cluster().container('c1', 1, 2).build());
    const arr = h.submit(job().array('0-2').task(2, HOUR).spec());
    const [dep] = h.submit(job().task(1, HOUR).dep('after', arr[0] as number).spec()) as [number];
    const [plain] = h.submit(job().task(1, HOUR).spec()) as [number];
    h.pass();
    expect(h.core.job(arr[0] as number)?.state).toBe('RUNNING');
    expect(h.core.job(dep)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    expect(h.core.job(plain)?.reason).not.toBe('Dependency');
  });

  it('after is met by a cancelled job too (Slurm: started or cancelled)', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(3, 5 * HOUR).spec());
    const [a] = h.submit(job().task(4).spec()) as [number];
    const [b] = h.submit(job().task(1).dep('after', a).spec()) as [number];
    h.pass();
    expect(h.core.job(b)?.reason).toBe('Dependency');
    h.apply({ type: 'cancel', jobId: a });
    h.pass();
    expect(h.core.job(b)?.state).toBe('RUNNING');
  });

  it('aftercorr: element i waits for element i of the other array only', () => {
    const h = new Harness(cluster().container('c1', 4, 8).build());
    const first = h.submit(job().array('0-2').task(1, HOUR).spec());
    const base = first[0] as number;
    // Element 1 of the first array takes 3 hours; elements 0 and 2 one hour.
    h.run(0);
    h.apply({ type: 'cancel', jobId: first[2] as number });
    const second = h.submit(job().array('0-3').task(1, HOUR).dep('aftercorr', base).spec());
    h.pass();
    expect(second.map((id) => h.core.job(id)?.reason)).toEqual(['Dependency', 'Dependency', 'DependencyNeverSatisfied', 'None']);
    // Index 3 has no partner in the first array: nothing to wait for, it runs at once.
    expect(h.core.job(second[3] as number)?.state).toBe('RUNNING');
    h.run(HOUR);
    expect(second.map((id) => h.core.job(id)?.state)).toEqual(['RUNNING', 'RUNNING', 'PENDING', 'COMPLETED']);
    expect(h.core.job(second[0] as number)?.dependencies).toEqual([{ kind: 'aftercorr', jobId: base }]);
  });

  it('aftercorr is refused for a single job or a target that is no array', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    const [plain] = h.submit(job().task(1).spec()) as [number];
    const arr = h.submit(job().array('0-1').task(1).spec());
    const single = h.core.apply({ type: 'submit', job: job().task(1).dep('aftercorr', arr[0] as number).spec() }, 0);
    expect(single).toMatchObject({ ok: false, error: { code: 'INVALID_JOB', field: 'dependencies[0].kind' } });
    const notArray = h.core.apply({ type: 'submit', job: job().array('0-1').task(1).dep('aftercorr', plain).spec() }, 0);
    expect(notArray).toMatchObject({ ok: false, error: { code: 'INVALID_JOB', field: 'dependencies[0].jobId' } });
    expect(notArray.ok ? '' : notArray.error.message).toMatch(/must name a job array/);
  });

  it('any-of (?): one dependency met is enough; never only when every one is never', () => {
    const h = new Harness(cluster().container('c1', 2, 4).build());
    const [slow] = h.submit(job().task(1, 5 * HOUR).spec()) as [number];
    const [fast] = h.submit(job().task(1, HOUR).spec()) as [number];
    const [either] = h.submit({ ...job().task(1).dep('afterok', slow).dep('afterok', fast).spec(), dependencyAny: true }) as [number];
    const [both] = h.submit(job().task(1).dep('afterok', slow).dep('afterok', fast).spec()) as [number];
    const [neither] = h.submit({ ...job().task(1).dep('afternotok', slow).dep('afternotok', fast).spec(), dependencyAny: true }) as [number];
    h.run(HOUR);
    expect(h.core.job(either)).toMatchObject({ state: 'RUNNING', startedAt: HOUR, dependencyAny: true });
    expect(h.core.job(both)).toMatchObject({ state: 'PENDING', reason: 'Dependency', dependencyAny: false });
    // fast completed (afternotok never), slow still runs: neither may still be met.
    expect(h.core.job(neither)?.reason).toBe('Dependency');
    h.run();
    expect(h.core.job(both)?.state).toBe('COMPLETED');
    expect(h.core.job(neither)).toMatchObject({ state: 'PENDING', reason: 'DependencyNeverSatisfied' });
  });

  it('update: new kinds and any-of on a pending job; aftercorr on itself is a cycle', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    const [a] = h.submit(job().task(4).spec()) as [number];
    const [b] = h.submit(job().task(1).spec()) as [number];
    expect(h.apply({ type: 'update', jobId: b, changes: { dependencies: [{ kind: 'after', jobId: a }, { kind: 'afterok', jobId: 1 }], dependencyAny: true } }).ok).toBe(true);
    expect(h.core.job(b)).toMatchObject({ dependencyAny: true, dependencies: [{ kind: 'after', jobId: a }, { kind: 'afterok', jobId: 1 }] });
    const arr = h.submit(job().array('0-1').task(1).spec());
    const self = h.apply({ type: 'update', jobId: arr[1] as number, changes: { dependencies: [{ kind: 'aftercorr', jobId: arr[0] as number }] } });
    expect(self).toMatchObject({ ok: false, error: { code: 'DAG_CYCLE' } });
    const badKind = h.apply({ type: 'update', jobId: b, changes: { dependencies: [{ kind: 'before' as 'after', jobId: a }] } });
    expect(badKind).toMatchObject({ ok: false, error: { field: 'changes.dependencies[0].kind' } });
  });

  it("an array's id stands for the whole array: afterok waits for every element, afternotok and afterany for all to end", () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    // One element at a time (%1): 0 in [0, 1h), 1 in [1h, 2h) and fails, 2 in [2h, 3h).
    const els = h.submit(job().array('0-2%1').task(2, HOUR).spec());
    const base = els[0] as number;
    h.failing.add(h.core.job(els[1] as number)?.tasks[0]?.id as number);
    const [ok] = h.submit(job().task(1).dep('afterok', base).spec()) as [number];
    const [notok] = h.submit(job().task(1).dep('afternotok', base).spec()) as [number];
    const [any] = h.submit(job().task(1).dep('afterany', base).spec()) as [number];
    const [after] = h.submit(job().task(1).dep('after', base).spec()) as [number];
    h.run(HOUR / 2);
    // Element 0 runs, with room beside it; no one element stands for the array.
    expect(h.core.job(after)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    expect(h.core.job(ok)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    expect(h.core.job(any)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    h.run(2.5 * HOUR);
    expect(h.core.job(after)?.startedAt).toBe(2 * HOUR);
    expect(h.core.job(ok)).toMatchObject({ state: 'PENDING', reason: 'DependencyNeverSatisfied' });
    expect(h.core.job(notok)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    expect(h.core.job(any)).toMatchObject({ state: 'PENDING', reason: 'Dependency' });
    h.run();
    expect(h.core.job(notok)?.startedAt).toBe(3 * HOUR);
    expect(h.core.job(any)?.startedAt).toBe(3 * HOUR);
  });
});
