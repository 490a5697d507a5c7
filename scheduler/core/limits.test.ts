// QoS and account limits (GrpTRES cores, MaxJobsPerUser, MaxSubmitJobs, MaxWall) and the
// partitions' AllowAccounts / AllowQos: refusals at submit, reasons while pending, and a
// property that no policy ever runs past a limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from './config.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ClusterConfig, Decision } from './types.js';

describe('limits at submit', () => {
  it('MaxSubmitJobs counts pending and running jobs per owner (array elements each), and frees as they end', () => {
    const h = new Harness(cluster().container('c1', 1, 4).qosLimits('normal', { maxSubmitJobs: 3 }).build());
    h.submit(job().array('0-1').task(1).spec());
    const over = h.core.apply({ type: 'submit', job: job().array('0-1').task(1).spec() }, 0);
    expect(over).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', field: 'qos' } });
    expect(over.ok ? '' : over.error.message).toBe('QoS normal allows 3 pending or running jobs per user (MaxSubmitJobs); tester has 2 and this submission adds 2');
    // Another owner has a count of their own.
    expect(h.core.apply({ type: 'submit', job: job().owner('bo').array('0-2').task(1).spec() }, 0).ok).toBe(true);
    h.submit(job().task(1).spec());
    h.run();
    expect(h.core.apply({ type: 'submit', job: job().array('0-2').task(1).spec() }, h.now).ok).toBe(true);
  });

  it('MaxWall refuses a longer time limit; a task naming none gets the partition default capped by MaxWall', () => {
    const h = new Harness(cluster().container('c1', 1, 4).qosLimits('low', { maxWallMs: 4 * HOUR }).accountLimits('b', { maxWallMs: 2 * HOUR }).build());
    const long = h.core.apply({ type: 'submit', job: job().qos('low').task(1, 5 * HOUR).spec() }, 0);
    expect(long).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', field: 'tasks[0].timeLimitMs', message: 'tasks[0] has a time limit of 5:00:00, above the 4:00:00 that QoS low allows (MaxWall)' } });
    const b = h.core.apply({ type: 'submit', job: job().account('b').qos('low').task(1, HOUR, { timeLimitMs: undefined }).spec() }, 0);
    expect(b.ok).toBe(true);
    expect(h.core.job(b.ok ? (b.jobIds?.[0] as number) : 0)?.tasks[0]?.timeLimitMs).toBe(2 * HOUR);
    const longB = h.core.apply({ type: 'submit', job: job().account('b').task(1, 3 * HOUR).spec() }, 0);
    expect(longB).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/3:00:00, above the 2:00:00 that account b allows/) } });
    expect(h.core.apply({ type: 'submit', job: job().qos('low').task(1, 4 * HOUR).spec() }, 0).ok).toBe(true);
  });

  it('a task larger than GrpTRES could never start: refused', () => {
    const h = new Harness(cluster().container('c1', 1, 8).qosLimits('normal', { grpCores: 4 }).build());
    const r = h.core.apply({ type: 'submit', job: job().task(6).spec() }, 0);
    expect(r).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', field: 'tasks[0].cores' } });
  });

  it('AllowAccounts admits the listed accounts and those under them; AllowQos the listed QoS', () => {
    const config = cluster()
      .container('c1', 1, 4)
      .accounts([{ name: 'region', shares: 1 }, { name: 'a', parent: 'region', shares: 1 }, { name: 'b', shares: 1 }])
      .partitionRules('clinical', { allowAccounts: ['region'], allowQos: ['urgent', 'normal'] })
      .build();
    const h = new Harness(config);
    expect(h.core.apply({ type: 'submit', job: job().account('a').task(1).spec() }, 0).ok).toBe(true);
    const b = h.core.apply({ type: 'submit', job: job().account('b').task(1).spec() }, 0);
    expect(b).toMatchObject({ ok: false, error: { code: 'PARTITION_NOT_ALLOWED', field: 'partition', message: 'partition "clinical" admits only accounts region and the accounts under them (AllowAccounts); account "b" is not one of them' } });
    const low = h.core.apply({ type: 'submit', job: job().account('a').qos('low').task(1).spec() }, 0);
    expect(low).toMatchObject({ ok: false, error: { code: 'QOS_NOT_ALLOWED', field: 'qos', message: 'partition "clinical" admits only QoS urgent, normal (AllowQos), not "low"' } });
  });

  it('the config refuses unknown limit keys, bad values and unknown names in allow lists', () => {
    const file = (over: (f: Record<string, unknown>) => void): unknown => {
      const f = JSON.parse(JSON.stringify({
        name: 't', nodeKinds: [{ name: 'k', cores: 4, memMb: 1000, idleWatts: 1, busyWatts: 2 }], containers: [{ name: 'c1', groups: [{ kind: 'k', count: 1, cooling: 'air' }] }],
        partitions: [{ name: 'p', priorityFactor: 0, maxTimeMs: 10, defaultTimeMs: 10, preemptible: false }], qos: [{ name: 'q', priorityFactor: 0, canPreempt: false }],
        accounts: [{ name: 'a', shares: 1 }], scheduler: { policy: 'easy', backfillDepth: 1, preemption: false, weights: { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, maxAgeMs: 1, usageHalfLifeMs: 1 } },
      })) as Record<string, unknown>;
      over(f);
      return f;
    };
    const qos = (f: Record<string, unknown>) => (f.qos as Record<string, unknown>[])[0] as Record<string, unknown>;
    const part = (f: Record<string, unknown>) => (f.partitions as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(() => parseClusterConfig(file((f) => (qos(f).limits = { maxJobs: 2 })))).toThrow(/qos\[0\]\.limits\.maxJobs .*unknown key/);
    expect(() => parseClusterConfig(file((f) => (qos(f).limits = { grpCores: 0 })))).toThrow(/qos\[0\]\.limits\.grpCores is 0, expected an integer from 1/);
    expect(() => parseClusterConfig(file((f) => (part(f).allowAccounts = ['nope'])))).toThrow(/partitions\[0\]\.allowAccounts\[0\] is "nope", expected one of a/);
    expect(() => parseClusterConfig(file((f) => (part(f).allowQos = ['q', 'x'])))).toThrow(/partitions\[0\]\.allowQos\[1\]/);
    const ok = parseClusterConfig(file((f) => ((qos(f).limits = { grpCores: 8, maxWallMs: 5 }), (part(f).allowQos = ['q']))));
    expect(ok.qos[0]?.limits).toEqual({ grpCores: 8, maxWallMs: 5 });
  });
});

describe('limits while pending', () => {
  it('an account limit binds the accounts under it (Slurm association hierarchy)', () => {
    const config = cluster().container('c1', 2, 8).accounts([{ name: 'region', shares: 1, limits: { grpCores: 6 } }, { name: 'a', parent: 'region', shares: 1 }, { name: 'b', parent: 'region', shares: 1 }]).build();
    const h = new Harness(config);
    const [x] = h.submit(job().account('a').task(4, 2 * HOUR).spec()) as [number];
    const [y] = h.submit(job().account('b').task(4).spec()) as [number];
    const [z] = h.submit(job().account('b').task(2).spec()) as [number];
    h.pass();
    expect([h.core.job(x)?.state, h.core.job(y)?.reason, h.core.job(z)?.state]).toEqual(['RUNNING', 'AssocGrpCpuLimit', 'RUNNING']);
    h.run(2 * HOUR);
    expect(h.core.job(y)?.state).toBe('RUNNING');
  });

  it('a DAG job with several ready tasks starts only as many as the limit allows in one pass', () => {
    const h = new Harness(cluster().container('c1', 4, 8).qosLimits('normal', { grpCores: 8 }).build());
    const [id] = h.submit(job().task(4).task(4).task(4).task(4).spec()) as [number];
    h.pass();
    const v = h.core.job(id);
    expect(v?.tasks.filter((t) => t.state === 'RUNNING')).toHaveLength(2);
    h.run();
    expect(h.core.job(id)?.state).toBe('COMPLETED');
  });

  it('MaxJobsPerUser counts jobs, not tasks: a running job may start its later tasks', () => {
    const h = new Harness(cluster().container('c1', 1, 8).qosLimits('normal', { maxJobsPerUser: 1 }).build());
    const [dag] = h.submit(job().task(1).task(1, HOUR, { after: [0] }).spec()) as [number];
    const [other] = h.submit(job().task(1).spec()) as [number];
    h.run(HOUR);
    expect(h.core.job(dag)?.tasks.map((t) => t.state)).toEqual(['COMPLETED', 'RUNNING']);
    expect(h.core.job(other)).toMatchObject({ state: 'PENDING', reason: 'QOSMaxJobsPerUserLimit' });
    h.run();
    expect(h.core.job(other)?.state).toBe('COMPLETED');
  });

  it('a pending job moved to another QoS takes its submitted count with it', () => {
    const h = new Harness(cluster().container('c1', 1, 4).qosLimits('low', { maxSubmitJobs: 1 }).build());
    const [id] = h.submit(job().qos('low').task(4).spec()) as [number];
    expect(h.core.apply({ type: 'submit', job: job().qos('low').task(1).spec() }, 0).ok).toBe(false);
    expect(h.apply({ type: 'update', jobId: id, changes: { qos: 'normal' } }).ok).toBe(true);
    expect(h.core.apply({ type: 'submit', job: job().qos('low').task(1).spec() }, 0).ok).toBe(true);
  });
});

/** Every start and end in the decision stream, kept to check limits against (not the core's own counts). */
function ledger(config: ClusterConfig) {
  const qosCores = new Map<string, number>();
  const running = new Map<number, { qos: string; owner: string; tasks: number; cores: number }>();
  return {
    check(h: Harness, ds: Decision[]): void {
      for (const d of ds) {
        if (d.type === 'start') {
          const j = h.core.job(d.jobId);
          if (!j) continue;
          const r = running.get(d.jobId) ?? { qos: j.qos, owner: j.owner, tasks: 0, cores: 0 };
          r.tasks++;
          r.cores += d.cores;
          running.set(d.jobId, r);
        }
      }
      // Tasks that ended: recount from the views (a task's end is not a decision).
      for (const [id, r] of running) {
        const j = h.core.job(id);
        const tasks = j?.tasks.filter((t) => t.state === 'RUNNING') ?? [];
        r.tasks = tasks.length;
        r.cores = tasks.reduce((s, t) => s + t.cores, 0);
        if (r.tasks === 0) running.delete(id);
      }
      qosCores.clear();
      const jobsPerOwner = new Map<string, number>();
      for (const r of running.values()) {
        qosCores.set(r.qos, (qosCores.get(r.qos) ?? 0) + r.cores);
        if (r.qos === 'normal') jobsPerOwner.set(r.owner, (jobsPerOwner.get(r.owner) ?? 0) + 1);
      }
      const normal = config.qos.find((q) => q.name === 'normal')?.limits ?? {};
      expect(qosCores.get('normal') ?? 0).toBeLessThanOrEqual(normal.grpCores ?? Infinity);
      for (const n of jobsPerOwner.values()) expect(n).toBeLessThanOrEqual(normal.maxJobsPerUser ?? Infinity);
    },
    get peak(): number {
      return qosCores.get('normal') ?? 0;
    },
  };
}

describe('limits: a property over random workloads', () => {
  it('no policy lets a QoS hold more cores, or an owner run more jobs, than its limits allow', () => {
    let reachedLimit = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('fcfs', 'easy', 'conservative' as const),
        fc.integer({ min: 4, max: 16 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 6 }), owner: fc.constantFrom('anna', 'bo'), qos: fc.constantFrom('normal', 'low'), tasks: fc.array(fc.record({ cores: fc.integer({ min: 1, max: 4 }), hours: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 25 }),
        (policy, grpCores, maxJobsPerUser, jobs) => {
          const config = cluster().container('c1', 3, 8).policy(policy).qosLimits('normal', { grpCores, maxJobsPerUser }).build();
          const h = new Harness(config);
          const l = ledger(config);
          let peak = 0;
          h.onPass = (hh, ds) => {
            l.check(hh, ds);
            peak = Math.max(peak, l.peak);
          };
          for (const j of jobs) {
            const b = job().owner(j.owner).qos(j.qos);
            for (const t of j.tasks) b.task(t.cores, t.hours * HOUR);
            h.at(j.at * HOUR, { type: 'submit', job: b.spec() });
          }
          h.run();
          if (peak === grpCores) reachedLimit++;
          // Every job ends: limits only delay.
          for (const v of h.core.jobs()) expect(v.state).toBe('COMPLETED');
        },
      ),
      { numRuns: 120 },
    );
    expect(reachedLimit).toBeGreaterThan(0);
  });

  it('with no limit configured the book is off and counts nothing', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    h.submit(job().task(2).spec());
    h.pass();
    expect(h.core.limitUsage()).toEqual([]);
  });
});
