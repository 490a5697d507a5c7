// Every declared reason is produced by some path, recorded by the pass that met it, and counted.
import { describe, expect, it } from 'vitest';
import type { CoreState } from './core-state.js';
import { consent } from './filters/consent.js';
import { FILTERS, NODE_FILTERS, runFilters, surelyPass } from './filters/index.js';
import { REASON_LIST, REASONS } from './reasons.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { PendingReason, Policy } from './types.js';

type Waiting = Exclude<PendingReason, 'None'>;

/** For each reason, a situation that makes a pending job wait for it: returns the harness and that job. */
const SITUATIONS: { readonly [R in Waiting]: (policy: Policy) => { h: Harness; id: number } } = {
  Priority: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    h.submit(job().task(4).spec());
    h.submit(job().task(4).spec());
    const [id] = h.submit(job().task(4).spec()) as [number];
    h.pass();
    return { h, id };
  },
  Resources: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    h.submit(job().task(4).spec());
    const [id] = h.submit(job().task(4).spec()) as [number];
    h.pass();
    return { h, id };
  },
  Dependency: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    const [a] = h.submit(job().task(1, 2 * HOUR).spec()) as [number];
    const [id] = h.submit(job().task(1).dep('afterok', a).spec()) as [number];
    h.pass();
    return { h, id };
  },
  DependencyNeverSatisfied: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    const [a] = h.submit(job().task(1).spec()) as [number];
    const [id] = h.submit(job().task(1).dep('afternotok', a).spec()) as [number];
    h.run(2 * HOUR);
    return { h, id };
  },
  ConsentHold: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    h.apply({ type: 'consent', pseudonym: 'P1', status: 'granted' });
    const [id] = h.submit(job().research().patient('P1').task(1).spec()) as [number];
    h.apply({ type: 'consent', pseudonym: 'P1', status: 'restricted' });
    h.pass();
    return { h, id };
  },
  JobArrayTaskLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    const ids = h.submit(job().task(1).array('0-2%1').spec());
    h.pass();
    return { h, id: ids[1] as number };
  },
  JobHeldUser: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    const [id] = h.submit({ ...job().task(1).spec(), hold: true }) as [number];
    h.pass();
    return { h, id };
  },
  JobHeldAdmin: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.apply({ type: 'hold', jobId: id, by: 'admin' });
    h.pass();
    return { h, id };
  },
  BeginTime: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    const [id] = h.submit({ ...job().task(1).spec(), beginAt: 3 * HOUR }) as [number];
    h.pass();
    return { h, id };
  },
  QOSGrpCpuLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).qosLimits('normal', { grpCores: 4 }).policy(policy).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
  AssocGrpCpuLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).accountLimits('a', { grpCores: 4 }).policy(policy).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
  QOSMaxJobsPerUserLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).qosLimits('normal', { maxJobsPerUser: 1 }).policy(policy).build());
    h.submit(job().task(1, 2 * HOUR).spec());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
  AssocMaxJobsLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).accountLimits('a', { maxJobsPerUser: 1 }).policy(policy).build());
    h.submit(job().task(1, 2 * HOUR).spec());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
  QOSMaxWallDurationPerJobLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).qosLimits('normal', { maxWallMs: HOUR }).policy(policy).build());
    const [id] = h.submit(job().task(1).spec()) as [number];
    // Allowed when submitted; an update past MaxWall leaves it waiting with the reason.
    h.apply({ type: 'update', jobId: id, changes: { timeLimitMs: 2 * HOUR } });
    h.pass();
    return { h, id };
  },
  AssocMaxWallDurationPerJobLimit: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).accountLimits('a', { maxWallMs: HOUR }).policy(policy).build());
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.apply({ type: 'update', jobId: id, changes: { timeLimitMs: 2 * HOUR } });
    h.pass();
    return { h, id };
  },
  Reservation: (policy) => {
    const h = new Harness(cluster().container('c1', 2, 4).policy(policy).build());
    h.apply({ type: 'reservationCreate', reservation: { name: 'r', nodes: ['c1-n001'], startAt: 2 * HOUR, durationMs: HOUR, accounts: ['a'] } });
    const [id] = h.submit({ ...job().task(1).spec(), reservation: 'r' }) as [number];
    h.pass();
    return { h, id };
  },
  'ReqNodeNotAvail, Reserved for maintenance': (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).policy(policy).build());
    h.apply({ type: 'reservationCreate', reservation: { name: 'm', nodes: ['c1-n001'], startAt: 0, durationMs: 2 * HOUR, maint: true } });
    const [id] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
  PartitionDown: (policy) => {
    const h = new Harness(cluster().container('c1', 1, 4).container('c2', 1, 4).partitionOn('research', ['c2']).policy(policy).build());
    h.apply({ type: 'drain', node: 'c2-n001' });
    const [id] = h.submit(job().research().task(1).spec()) as [number];
    h.pass();
    return { h, id };
  },
};

describe('pending reasons', () => {
  it('describes every reason as wait, never or none', () => {
    expect(REASON_LIST).toContain('PartitionDown');
    for (const r of REASON_LIST) expect(['wait', 'never', 'none']).toContain(REASONS[r].kind);
    expect(REASONS.DependencyNeverSatisfied.kind).toBe('never');
  });

  it('every reason but the planners\' own (Priority, Resources) and None comes from a registered filter', () => {
    const fromFilters = new Set([...FILTERS.flatMap((f) => f.reasons), ...NODE_FILTERS.map((f) => f.reason)]);
    // Resources is the planners' own, and a node filter's too (a reserved node is as good as busy).
    expect(REASON_LIST.filter((r) => !fromFilters.has(r) && r !== 'Resources').sort()).toEqual(['None', 'Priority']);
  });

  for (const policy of ['fcfs', 'easy', 'conservative'] as const) {
    for (const reason of Object.keys(SITUATIONS) as Waiting[]) {
      it(`${policy}: ${reason} is recorded by the pass and counted`, () => {
        const { h, id } = SITUATIONS[reason](policy);
        expect(h.core.job(id)).toMatchObject({ state: 'PENDING', reason });
        const report = h.core.pendingReasons();
        expect(report.reasons[reason]).toBeGreaterThanOrEqual(1);
        // Every pending job is counted once, under the reason its view shows.
        const pending = h.core.jobs({ states: ['PENDING'] });
        expect(report.pendingJobs).toBe(pending.length);
        const byView: Partial<Record<PendingReason, number>> = {};
        for (const j of pending) byView[j.reason] = (byView[j.reason] ?? 0) + 1;
        expect(Object.fromEntries(Object.entries(report.reasons).filter(([, n]) => n > 0))).toEqual(byView);
      });
    }
  }

  it('surelyPass (the backfill walk\'s bulk pass-over) is never true for a job some filter stops', () => {
    for (const reason of Object.keys(SITUATIONS) as Waiting[]) {
      const { h } = SITUATIONS[reason]('easy');
      const s = (h.core as unknown as { s: CoreState }).s;
      let stopped = 0;
      for (const job of s.byId.values()) {
        if (job.state !== 'PENDING') continue;
        // As if an earlier pass had found its consent in order (a cache the consent filter keeps).
        consent.check(job, s);
        const r = runFilters(job, s);
        if (r !== null) stopped++;
        if (surelyPass(job, s)) expect(r, `${reason}: job ${job.id}`).toBeNull();
      }
      // The situation's own job is stopped by a filter unless its reason is the planner's.
      if (!['Priority', 'Resources', 'ReqNodeNotAvail, Reserved for maintenance'].includes(reason)) expect(stopped, reason).toBeGreaterThan(0);
    }
    // A plain job waiting for resources passes surely.
    const { h, id } = SITUATIONS.Resources('easy');
    const s = (h.core as unknown as { s: CoreState }).s;
    expect(surelyPass(s.byId.get(id)!, s)).toBe(true);
  });

  it('a running job has no reason', () => {
    const { h } = SITUATIONS.Resources('easy');
    expect(h.core.job(1)).toMatchObject({ state: 'RUNNING', reason: 'None' });
  });

  it('a partition down does not block FCFS: work in other partitions still starts', () => {
    const h = new Harness(cluster().container('c1', 1, 4).container('c2', 1, 4).partitionOn('research', ['c2']).policy('fcfs').build());
    h.apply({ type: 'nodeDown', node: 'c2-n001' });
    const [r] = h.submit(job().research().task(1).spec()) as [number];
    const [c] = h.submit(job().task(1).spec()) as [number];
    h.pass();
    expect(h.core.job(r)).toMatchObject({ state: 'PENDING', reason: 'PartitionDown' });
    expect(h.core.job(c)?.state).toBe('RUNNING');
    // The node comes back: the research job starts at the next pass.
    h.apply({ type: 'nodeUp', node: 'c2-n001' });
    h.pass();
    expect(h.core.job(r)?.state).toBe('RUNNING');
  });

  it('counts the jobs a pass did not reach as waiting for Priority', () => {
    const h = new Harness(cluster().container('c1', 1, 4).policy('fcfs').build());
    for (let i = 0; i < 5; i++) h.submit(job().task(4).spec());
    h.pass();
    expect(h.core.pendingReasons()).toMatchObject({ pendingJobs: 4, reasons: { Resources: 1, Priority: 3 } });
    expect(h.core.queue().map((j) => j.reason)).toEqual(['Resources', 'Priority', 'Priority', 'Priority']);
  });
});

describe('pending reasons counted as queue shows them', () => {
  it('counts a held job behind a stopped walk as JobHeldUser when asked for exact counts, as Priority in the pass\'s own', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(4, 2 * HOUR).spec());
    h.pass();
    h.submit(job().task(1).spec());
    const [held] = h.submit({ ...job().task(1).spec(), hold: true }) as [number];
    h.pass();
    // The cluster is full: the walk stops after the head (Resources), and the pass counts the
    // held job behind it as Priority.
    expect(h.core.pendingReasons().reasons).toMatchObject({ Resources: 1, Priority: 1, JobHeldUser: 0 });
    expect(h.core.pendingReasons(2).reasons).toMatchObject({ Resources: 1, Priority: 0, JobHeldUser: 1 });
    expect(h.core.pendingReasons(2).pendingJobs).toBe(2);
    expect(h.core.job(held)?.reason).toBe('JobHeldUser');
    // Above the bound: the pass's own counts.
    expect(h.core.pendingReasons(1).reasons).toMatchObject({ Resources: 1, Priority: 1, JobHeldUser: 0 });
  });
});
