// Advance reservations: creating (nodes or a core count, maint, ignore_jobs, accounts),
// refusals, jobs asking for one, and a property that no policy places a job outside a
// reservation on its nodes over its window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ReservationSpec } from './types.js';

const create = (h: Harness, r: ReservationSpec) => h.apply({ type: 'reservationCreate', reservation: r });

describe('creating and deleting reservations', () => {
  it('takes nodes or a core count (whole nodes, free by the start), and lists them', () => {
    const h = new Harness(cluster().container('c1', 4, 8).build());
    h.submit(job().task(8, 3 * HOUR).spec());
    h.pass(); // c1-n001 busy until 3h
    expect(create(h, { name: 'maint', cores: 12, startAt: HOUR, durationMs: HOUR, maint: true })).toEqual({ ok: true });
    const [view] = h.core.advanceReservations();
    expect(view).toMatchObject({ name: 'maint', nodes: ['c1-n002', 'c1-n003'], cores: 16, startAt: HOUR, endAt: 2 * HOUR, maint: true, state: 'INACTIVE', jobs: 0 });
    // With ignore_jobs the busy node may be taken.
    expect(create(h, { name: 'all', nodes: ['c1-n001'], startAt: HOUR, durationMs: HOUR, ignoreJobs: true, accounts: ['a'] })).toEqual({ ok: true });
    expect(h.apply({ type: 'reservationDelete', name: 'all' })).toEqual({ ok: true });
    expect(h.core.advanceReservations().map((r) => r.name)).toEqual(['maint']);
  });

  it('refuses with the field and a reason', () => {
    const h = new Harness(cluster().container('c1', 2, 8).build());
    h.submit(job().task(8, 3 * HOUR).spec());
    h.pass();
    create(h, { name: 'm', nodes: ['c1-n002'], startAt: 0, durationMs: 2 * HOUR, maint: true });
    const cases: [ReservationSpec, string, string, RegExp][] = [
      [{ name: 'x', nodes: ['c1-n001'], startAt: HOUR, durationMs: HOUR, accounts: ['a'] }, 'RESERVATION_CONFLICT', 'nodes', /c1-n001 runs tasks whose time limits reach 2:00:00 past the start; start later, or use ignore_jobs/],
      [{ name: 'x', nodes: ['c1-n002'], startAt: HOUR, durationMs: HOUR, accounts: ['a'] }, 'RESERVATION_CONFLICT', 'nodes', /c1-n002 is in reservation m over that time/],
      [{ name: 'x', cores: 9, startAt: HOUR, durationMs: HOUR, maint: true }, 'RESERVATION_CONFLICT', 'cores', /only 0 cores/],
      [{ name: 'x', nodes: ['c9-n001'], startAt: HOUR, durationMs: HOUR, maint: true }, 'UNKNOWN_NODE', 'nodes', /c9-n001/],
      [{ name: 'x', nodes: ['c1-n001'], startAt: 4 * HOUR, durationMs: HOUR }, 'INVALID_RESERVATION', 'accounts', /name the accounts/],
      [{ name: 'x', nodes: ['c1-n001'], cores: 4, startAt: 4 * HOUR, durationMs: HOUR, maint: true }, 'INVALID_RESERVATION', 'nodes', /either nodes or cores/],
      [{ name: 'x', nodes: ['c1-n001'], startAt: 4 * HOUR, durationMs: 0, maint: true }, 'INVALID_RESERVATION', 'durationMs', /durationMs/],
      [{ name: 'x', nodes: ['c1-n001'], startAt: 4 * HOUR, durationMs: HOUR, accounts: ['nobody'] }, 'UNKNOWN_ACCOUNT', 'accounts', /nobody/],
      [{ name: 'm', nodes: ['c1-n001'], startAt: 4 * HOUR, durationMs: HOUR, maint: true }, 'INVALID_STATE', 'name', /exists/],
    ];
    for (const [spec, code, field, message] of cases) {
      const r = create(h, spec);
      expect(r, JSON.stringify(spec)).toMatchObject({ ok: false, error: { code, field, message: expect.stringMatching(message) } });
    }
    expect(h.apply({ type: 'reservationDelete', name: 'nope' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RESERVATION' } });
  });
});

describe('scheduling with reservations', () => {
  it('a job outside a reservation runs elsewhere, or only where it ends before the window', () => {
    const h = new Harness(cluster().container('c1', 1, 4).build());
    create(h, { name: 'm', nodes: ['c1-n001'], startAt: 2 * HOUR, durationMs: 2 * HOUR, maint: true });
    const [short] = h.submit(job().task(4, HOUR).spec()) as [number];
    const [long] = h.submit(job().task(4, 3 * HOUR).spec()) as [number];
    h.run(HOUR + 1);
    expect(h.core.job(short)?.state).toBe('COMPLETED');
    expect(h.core.job(long)).toMatchObject({ state: 'PENDING', reason: 'ReqNodeNotAvail, Reserved for maintenance' });
    h.run();
    // Woken at the window's end, with nothing else happening.
    expect(h.core.job(long)?.startedAt).toBe(4 * HOUR);
  });

  it('a job in a reservation waits for its window, then runs on its nodes only', () => {
    const h = new Harness(cluster().container('c1', 3, 4).build());
    create(h, { name: 'r', nodes: ['c1-n003'], startAt: HOUR, durationMs: 4 * HOUR, accounts: ['a'] });
    const [inside] = h.submit({ ...job().task(2, HOUR).spec(), reservation: 'r' }) as [number];
    const [other] = h.submit(job().task(4, HOUR).spec()) as [number];
    h.pass();
    expect(h.core.job(inside)).toMatchObject({ state: 'PENDING', reason: 'Reservation', reservation: 'r' });
    expect(h.core.job(other)?.nodes).not.toContain('c1-n003');
    expect(h.core.advanceReservations()[0]).toMatchObject({ jobs: 1, state: 'INACTIVE' });
    h.run(HOUR);
    expect(h.core.job(inside)).toMatchObject({ state: 'RUNNING', startedAt: HOUR, nodes: ['c1-n003'] });
    expect(h.apply({ type: 'reservationDelete', name: 'r' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringMatching(/asked for reservation r/) } });
  });

  it('refuses a job asking for an unknown reservation, one for other accounts, or one without a node that fits', () => {
    const h = new Harness(cluster().container('c1', 1, 4).container('c2', 1, 16).build());
    create(h, { name: 'r', nodes: ['c1-n001'], startAt: HOUR, durationMs: HOUR, accounts: ['b'] });
    expect(h.core.apply({ type: 'submit', job: { ...job().task(1).spec(), reservation: 'nope' } }, 0)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RESERVATION', field: 'reservation' } });
    expect(h.core.apply({ type: 'submit', job: { ...job().task(1).spec(), reservation: 'r' } }, 0)).toMatchObject({ ok: false, error: { code: 'RESERVATION_NOT_ALLOWED' } });
    expect(h.core.apply({ type: 'submit', job: { ...job().account('b').task(8).spec(), reservation: 'r' } }, 0)).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', field: 'tasks[0]' } });
  });
});

describe('reservations: a property over random workloads', () => {
  it('no policy places a job outside a reservation on its nodes over its window; jobs inside run only there and then', () => {
    let inside = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('fcfs', 'easy', 'conservative' as const),
        fc.record({ start: fc.integer({ min: 0, max: 6 }), hours: fc.integer({ min: 1, max: 4 }), nodes: fc.integer({ min: 1, max: 2 }), maint: fc.boolean() }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 8 }), cores: fc.integer({ min: 1, max: 4 }), hours: fc.integer({ min: 1, max: 3 }), tasks: fc.integer({ min: 1, max: 2 }), inside: fc.boolean() }), { minLength: 1, maxLength: 20 }),
        (policy, res, jobs) => {
          const h = new Harness(cluster().container('c1', 3, 4).policy(policy).build());
          const nodes = ['c1-n001', 'c1-n002'].slice(0, res.nodes);
          const startAt = res.start * HOUR;
          const endAt = startAt + res.hours * HOUR;
          expect(create(h, { name: 'r', nodes, startAt, durationMs: res.hours * HOUR, maint: res.maint, ignoreJobs: true, accounts: ['a'] })).toEqual({ ok: true });
          const members = new Set<number>();
          for (const j of jobs) {
            const b = job();
            for (let i = 0; i < j.tasks; i++) b.task(j.cores, j.hours * HOUR);
            const spec = j.inside ? { ...b.spec(), reservation: 'r' } : b.spec();
            h.at(j.at * HOUR, { type: 'submit', job: spec });
          }
          h.onPass = (hh, ds) => {
            for (const d of ds) {
              if (d.type !== 'start') continue;
              const v = hh.core.job(d.jobId);
              if (v?.reservation === 'r') {
                members.add(d.jobId);
                expect(nodes).toContain(d.node);
                expect(hh.now).toBeGreaterThanOrEqual(startAt);
                expect(hh.now).toBeLessThan(endAt);
              } else if (nodes.includes(d.node)) {
                // [now, now + limit) must not overlap [start, end).
                expect(hh.now + d.timeLimitMs <= startAt || hh.now >= endAt).toBe(true);
              }
            }
          };
          h.run(24 * HOUR);
          inside += members.size;
          for (const v of h.core.jobs()) if (v.reservation === null) expect(v.state).toBe('COMPLETED');
        },
      ),
      { numRuns: 120 },
    );
    expect(inside).toBeGreaterThan(0);
  });
});
