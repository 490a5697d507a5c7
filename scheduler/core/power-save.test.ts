// Power saving's decisions (power-save.ts): idle nodes are suspended after SuspendTime beyond
// the reserve, air-cooled first; waiting work resumes warm-water nodes first; a resumed node
// takes work only once it reported itself up, and is marked DOWN past ResumeTimeout.
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { NodeState } from './types.js';

const MIN = 60_000;
const PS = { suspendTimeMs: 10 * MIN, resumeDelayMs: 5 * MIN, resumeTimeoutMs: 15 * MIN, reserveCores: 0 };

/** Two warm-water and two air-cooled nodes of 8 cores. */
const mixed = () => cluster().container('c1', 2, 8, 32_000, 'warm-water').container('c1', 2, 8, 32_000, 'air');

const state = (h: Harness, node: string): NodeState | undefined => h.core.nodes().find((n) => n.name === node)?.state;

/** Checks after every pass that no task started on a node that is not on (suspended or booting). */
function guardStarts(h: Harness): void {
  const power = new Map<string, 'on' | 'off' | 'booting'>();
  let i = 0;
  h.onPass = (hh, decisions) => {
    for (; i < hh.powerLog.length; i++) {
      const p = hh.powerLog[i] as (typeof hh.powerLog)[number];
      if (p.what === 'poweredUp') power.set(p.node, 'on');
      // A decision of this very pass comes after its starts.
      else if (p.at < hh.now) power.set(p.node, p.what === 'powerDown' ? 'off' : 'booting');
    }
    for (const d of decisions) if (d.type === 'start') expect(power.get(d.node) ?? 'on', `task ${d.taskId} started on ${d.node}`).toBe('on');
    for (; i < hh.powerLog.length; i++) {
      const p = hh.powerLog[i] as (typeof hh.powerLog)[number];
      if (p.what !== 'poweredUp') power.set(p.node, p.what === 'powerDown' ? 'off' : 'booting');
    }
  };
}

describe('power saving', () => {
  it('is off without a powerSave section: no power decisions, no wake-ups for idle nodes', () => {
    const h = new Harness(mixed().build());
    h.submit(job().task(8, HOUR).spec());
    h.run();
    expect(h.powerLog).toEqual([]);
    expect(h.core.schedule(h.now + 100 * HOUR)).toEqual({ decisions: [], wakeAt: null });
    expect(h.core.nodes().map((n) => n.state)).toEqual(['IDLE', 'IDLE', 'IDLE', 'IDLE']);
  });

  it('suspends nodes idle for SuspendTime, and a busy node only once its work ended that long ago', () => {
    const h = new Harness(mixed().powerSave(PS).build());
    h.submit(job().task(8, HOUR).spec());
    h.run();
    const downs = h.powerLog.filter((p) => p.what === 'powerDown');
    // The task went to the first warm-water node; the other three idled from t = 0.
    expect(downs.map((p) => [p.node, p.at / MIN])).toEqual([
      ['c1-n004', 10],
      ['c1-n003', 10],
      ['c1-n002', 10],
      ['c1-n001', 70],
    ]);
    expect(h.core.nodes().map((n) => n.state)).toEqual(['SUSPENDED', 'SUSPENDED', 'SUSPENDED', 'SUSPENDED']);
    expect(h.powerLog.filter((p) => p.what !== 'powerDown')).toEqual([]);
  });

  it('never suspends SuspendExcNodes', () => {
    const h = new Harness(mixed().powerSave({ ...PS, suspendExcNodes: ['c1-n003'] }).build());
    h.run(HOUR);
    expect(state(h, 'c1-n003')).toBe('IDLE');
    expect(h.powerLog.filter((p) => p.what === 'powerDown').map((p) => p.node).sort()).toEqual(['c1-n001', 'c1-n002', 'c1-n004']);
  });

  it('keeps the reserve awake on warm-water nodes and suspends air-cooled nodes first', () => {
    const h = new Harness(mixed().powerSave({ ...PS, reserveCores: 16 }).build());
    h.run(HOUR);
    expect(h.core.nodes().map((n) => [n.name, n.cooling, n.state])).toEqual([
      ['c1-n001', 'warm-water', 'IDLE'],
      ['c1-n002', 'warm-water', 'IDLE'],
      ['c1-n003', 'air', 'SUSPENDED'],
      ['c1-n004', 'air', 'SUSPENDED'],
    ]);
  });

  it('resumes a warm-water node first for waiting work, and starts nothing on it until it is up', () => {
    const h = new Harness(mixed().powerSave(PS).build());
    guardStarts(h);
    h.run(HOUR);
    expect(h.core.nodes().every((n) => n.state === 'SUSPENDED')).toBe(true);
    const [id] = h.submit(job().task(8, HOUR).spec());
    h.pass();
    expect(h.powerLog.at(-1)).toEqual({ at: HOUR, what: 'powerUp', node: 'c1-n001' });
    expect(state(h, 'c1-n001')).toBe('POWERING_UP');
    expect(h.core.job(id as number)?.state).toBe('PENDING');
    h.run(HOUR + 5 * MIN - 1);
    expect(h.core.job(id as number)?.state).toBe('PENDING');
    h.run(HOUR + 5 * MIN);
    expect(h.core.job(id as number)).toMatchObject({ state: 'RUNNING', startedAt: HOUR + 5 * MIN, nodes: ['c1-n001'] });
  });

  it('resumes as many nodes as the waiting tasks need, counting the capacity of nodes already booting', () => {
    const h = new Harness(mixed().powerSave(PS).build());
    guardStarts(h);
    h.run(HOUR);
    // Three tasks of 4 cores fit on two 8-core nodes; a later one of 4 more cores fits the second's rest.
    h.submit(job().task(4, HOUR).task(4, HOUR).task(4, HOUR).spec());
    h.pass();
    h.now += MIN;
    h.submit(job().task(4, HOUR).spec());
    h.pass();
    const ups = h.powerLog.filter((p) => p.what === 'powerUp');
    expect(ups.map((p) => p.node)).toEqual(['c1-n001', 'c1-n002']);
    h.run(3 * HOUR);
    expect(h.core.jobs({ states: ['COMPLETED'] })).toHaveLength(2);
  });

  it('resumes nodes to restore the reserve when work takes it', () => {
    const h = new Harness(mixed().powerSave({ ...PS, reserveCores: 8 }).build());
    guardStarts(h);
    h.run(HOUR);
    expect(h.core.nodes().map((n) => n.state)).toEqual(['IDLE', 'SUSPENDED', 'SUSPENDED', 'SUSPENDED']);
    h.submit(job().urgent().task(8, HOUR).spec());
    h.pass();
    // The urgent task started at once on the reserve; the next warm-water node boots to replace it.
    expect(h.decisions('start').map((d) => d.node)).toEqual(['c1-n001']);
    expect(h.powerLog.at(-1)).toEqual({ at: HOUR, what: 'powerUp', node: 'c1-n002' });
  });

  it('marks a node DOWN when it is not up within ResumeTimeout, and resumes another for the work', () => {
    const h = new Harness(mixed().powerSave(PS).build());
    guardStarts(h);
    h.run(HOUR);
    h.autoBoot = false;
    const [id] = h.submit(job().task(8, HOUR).spec());
    h.run(HOUR + 15 * MIN);
    expect(state(h, 'c1-n001')).toBe('DOWN');
    expect(h.powerLog.filter((p) => p.what === 'powerUp').map((p) => p.node)).toEqual(['c1-n001', 'c1-n002']);
    h.apply({ type: 'poweredUp', node: 'c1-n002' });
    h.pass();
    expect(h.core.job(id as number)).toMatchObject({ state: 'RUNNING', nodes: ['c1-n002'] });
  });

  it('refuses a poweredUp for a node that is not powering up, naming it', () => {
    const h = new Harness(mixed().powerSave(PS).build());
    expect(h.apply({ type: 'poweredUp', node: 'c1-n001' })).toEqual({ ok: false, error: { code: 'INVALID_STATE', field: 'node', message: 'node c1-n001 is not powering up' } });
    expect(h.apply({ type: 'poweredUp', node: 'nope' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_NODE', field: 'node' } });
  });

  it('refuses a bad powerSave section with the field at fault', () => {
    const bad = (p: Record<string, unknown>): unknown => {
      try {
        mixed().powerSave(p).build();
        return null;
      } catch (err) {
        return err instanceof ConfigError ? err.message : err;
      }
    };
    expect(bad({ suspendTimeMs: -1 })).toMatch(/powerSave\.suspendTimeMs/);
    expect(bad({ suspendExcNodes: ['c9-n001'] })).toMatch(/powerSave\.suspendExcNodes\[0\].*a node of the cluster/);
    expect(bad({ resumeDelayMs: 20 * MIN, resumeTimeoutMs: 10 * MIN })).toMatch(/powerSave\.resumeTimeoutMs.*more than resumeDelayMs/);
    expect(bad({ suspendtime: 5 })).toMatch(/powerSave\.suspendtime.*a known key/);
  });

  it('carries its state through a snapshot: the restored core suspends and resumes as the original', () => {
    const cfg = mixed().powerSave(PS).build();
    const a = new Harness(cfg);
    a.submit(job().task(8, HOUR).spec());
    a.run(20 * MIN);
    const b = new Harness(cfg);
    b.core.restore(a.core.snapshot());
    b.now = a.now;
    for (const h of [a, b]) {
      h.submit(job().task(8, HOUR).task(8, HOUR).spec());
    }
    const ra = a.core.schedule(30 * MIN);
    const rb = b.core.schedule(30 * MIN);
    expect(rb).toEqual(ra);
    // Two tasks of a whole node each, n001 busy: the other warm-water node, then an air-cooled one.
    expect(ra.power).toEqual([
      { type: 'powerUp', node: 'c1-n002' },
      { type: 'powerUp', node: 'c1-n003' },
    ]);
  });
});
