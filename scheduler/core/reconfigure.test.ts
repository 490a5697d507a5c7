// scontrol reconfigure in the core: what may change, what conflicts, and that the state
// carries on (usage, limits, queue) under the new config.
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ClusterConfig } from './types.js';

const base = (): ClusterConfig => cluster().container('c1', 2, 8).container('c2', 1, 8).build();

describe('reconfigure', () => {
  it('applies partition, QoS, account and limit changes; jobs carry on under the new specs', () => {
    const h = new Harness(base());
    const [running] = h.submit(job().task(8, 4 * HOUR).spec()) as [number];
    h.submit(job().task(8, 4 * HOUR).spec());
    h.submit(job().task(8, 4 * HOUR).spec());
    const [pending] = h.submit(job().qos('low').task(8, HOUR).spec()) as [number];
    h.pass();
    const next = base();
    next.qos = next.qos.map((q) => (q.name === 'low' ? { ...q, priorityFactor: 0.1, limits: { grpCores: 4 } } : q));
    next.partitions = next.partitions.map((p) => (p.name === 'clinical' ? { ...p, containers: ['c1'], allowQos: ['urgent', 'normal', 'low'] } : p));
    next.accounts = [...next.accounts, { name: 'c', shares: 2 }];
    expect(h.apply({ type: 'reconfigure', config: next })).toEqual({ ok: true });
    expect(h.core.config).toBe(next);
    h.pass();
    // The new limit holds the pending low job (8 cores > GrpTRES 4 is refused at submit, but it was in before).
    expect(h.core.job(pending)).toMatchObject({ state: 'PENDING', reason: 'QOSGrpCpuLimit' });
    expect(h.core.job(running)?.state).toBe('RUNNING');
    expect(h.core.limitUsage()).toEqual([{ name: 'low', qos: true, limits: { grpCores: 4 }, cores: 0, running: {}, submitted: { tester: 1 } }]);
    // A new account can be used at once.
    expect(h.core.apply({ type: 'submit', job: job().account('c').task(1).spec() }, h.now).ok).toBe(true);
    h.run();
    expect(h.core.job(running)?.state).toBe('COMPLETED');
  });

  it('refuses a config that removes what unended jobs or reservations use, listing every conflict', () => {
    const h = new Harness(base());
    h.submit(job().research().qos('low').task(8, 4 * HOUR).spec());
    h.submit(job().account('b').task(8, HOUR).spec());
    h.apply({ type: 'reservationCreate', reservation: { name: 'r', nodes: ['c2-n001'], startAt: 10 * HOUR, durationMs: HOUR, accounts: ['b'] } });
    h.pass();
    const next = base();
    next.partitions = next.partitions.filter((p) => p.name !== 'research');
    next.qos = next.qos.filter((q) => q.name !== 'low');
    next.accounts = next.accounts.filter((a) => a.name !== 'b');
    next.nodes = next.nodes.slice(0, 2);
    next.scheduler = { ...next.scheduler, policy: 'fcfs' };
    const r = h.apply({ type: 'reconfigure', config: next });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.code).toBe('CONFIG_CONFLICT');
    expect((r.ok ? '' : r.error.message).split('\n')).toEqual([
      "the new config does not fit the scheduler's state (6 conflicts):",
      '- nodes: the node list changed; nodes are fixed for the life of a state folder (start a new one to change them)',
      '- scheduler: the scheduler section (policy, weights, backfill) changed; it is fixed for the life of a state folder',
      '- partition research: removed, but job 1 is in it',
      '- QoS low: removed, but job 1 uses it',
      '- account b: removed, but job 2 is charged to it',
      '- reservation r: its account b is removed',
    ]);
    // Nothing changed.
    expect(h.core.config.partitions.map((p) => p.name)).toEqual(['clinical', 'research']);
  });

  it('lists a waiting task that no node of its partition would hold; ended jobs and lower limits are no conflict', () => {
    const h = new Harness(base());
    const [done] = h.submit(job().research().task(1, HOUR).spec()) as [number];
    h.run();
    expect(h.core.job(done)?.state).toBe('COMPLETED');
    h.submit(job().task(8, HOUR).spec());
    h.submit(job().task(8, HOUR).spec());
    h.submit(job().task(8, HOUR).spec());
    h.submit(job().task(8, HOUR).spec());
    h.pass();
    const smaller = base();
    smaller.partitions = smaller.partitions.filter((p) => p.name !== 'research').map((p) => ({ ...p, containers: ['c2'] }));
    smaller.qos = smaller.qos.map((q) => ({ ...q, limits: { grpCores: 1 } }));
    expect(h.apply({ type: 'reconfigure', config: smaller })).toEqual({ ok: true });
    const nodesTooSmall = { ...smaller, partitions: smaller.partitions.map((p) => ({ ...p, containers: ['nowhere'] })) };
    const r = h.apply({ type: 'reconfigure', config: nodesTooSmall });
    expect(r.ok ? '' : r.error.message).toMatch(/- job 5: task t0 needs 8 cores and 1000 MB on one node, which no node of partition clinical would have/);
  });
});
