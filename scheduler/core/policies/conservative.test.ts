// Conservative backfill's own schedules: every blocked job's reservation is protected, not
// only the head's (which is all EASY protects).
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from '../testing.js';
import type { Policy } from '../types.js';

// Two 4-core nodes. A1 (2 cores, 6 h) runs on n001, A2 (4 cores, 4 h) fills n002. B and C (whole
// nodes, 2 h) must wait: B for n002 at 4 h, C for n001 at 6 h. E (2 cores, 10 h) fits beside A1
// now but would still run at 6 h, where C needs all of n001. F (2 cores, 3 h) ends in time.
function scenario(policy: Policy, depth = 1000) {
  const h = new Harness(cluster().container('c1', 2, 4).policy(policy).backfillDepth(depth).build());
  const [a1, a2, b, c, e, f] = [
    job().task(2, 6 * HOUR),
    job().task(4, 4 * HOUR),
    job().task(4, 2 * HOUR),
    job().task(4, 2 * HOUR),
    job().task(2, 10 * HOUR),
    job().task(2, 3 * HOUR),
  ].map((j) => h.submit(j.spec())[0] as number) as [number, number, number, number, number, number];
  h.pass();
  const atZero = { reservations: h.core.reservations(), reasons: [b, c, e, f].map((id) => h.core.job(id)?.reason) };
  h.run();
  const start = (id: number) => h.core.job(id)?.startedAt;
  const node = (id: number) => h.core.job(id)?.nodes;
  return { atZero, starts: [a1, a2, b, c, e, f].map(start), nodes: { b: node(b), c: node(c), e: node(e) } };
}

describe('conservative backfill', () => {
  it('reserves for every blocked job and starts none that would delay any of them', () => {
    const r = scenario('conservative');
    expect(r.atZero.reservations).toEqual([
      { taskId: 3, jobId: 3, node: 'c1-n002', at: 4 * HOUR },
      { taskId: 4, jobId: 4, node: 'c1-n001', at: 6 * HOUR },
      { taskId: 5, jobId: 5, node: 'c1-n002', at: 6 * HOUR },
    ]);
    expect(r.atZero.reasons).toEqual(['Resources', 'Priority', 'Priority', 'None']); // F runs
    // F fits before every reservation and starts now; E waits for its own reservation.
    expect(r.starts).toEqual([0, 0, 4 * HOUR, 6 * HOUR, 6 * HOUR, 0]);
    expect(r.nodes).toEqual({ b: ['c1-n002'], c: ['c1-n001'], e: ['c1-n002'] });
  });

  it('where EASY, protecting the head only, lets E start at once', () => {
    const r = scenario('easy');
    expect(r.atZero.reservations).toEqual([{ taskId: 3, jobId: 3, node: 'c1-n002', at: 4 * HOUR }]);
    expect(r.starts[4]).toBe(0);
  });

  it('makes at most backfillDepth reservations; jobs past them wait for Priority and do not start', () => {
    const r = scenario('conservative', 1);
    expect(r.atZero.reservations).toEqual([{ taskId: 3, jobId: 3, node: 'c1-n002', at: 4 * HOUR }]);
    expect(r.atZero.reasons).toEqual(['Resources', 'Priority', 'Priority', 'Priority']);
    // F would fit now, but the pass stopped at the depth: it starts once B has.
    expect(r.starts[5]).toBeGreaterThan(0);
  });

  it('a whole node free now: starts in queue order, best fit, without reservations', () => {
    const h = new Harness(cluster().container('c1', 2, 4).policy('conservative').build());
    h.submit(job().task(3).spec());
    h.submit(job().task(1).spec());
    h.submit(job().task(4).spec());
    const starts = h.pass().filter((d) => d.type === 'start');
    expect(starts.map((d) => [d.jobId, d.type === 'start' ? d.node : ''])).toEqual([
      [1, 'c1-n001'],
      [2, 'c1-n001'],
      [3, 'c1-n002'],
    ]);
    expect(h.core.reservations()).toEqual([]);
  });
});
