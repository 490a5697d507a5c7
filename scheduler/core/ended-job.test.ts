// core.endedJob (what the live driver's observers read of each ended job) against the job's
// full view: the same class, state, end reason, times and core-ms, for jobs that completed,
// were cancelled before or while running, or never started.
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { JobView } from './types.js';

function fromView(v: JobView) {
  let coreMs = 0;
  for (const t of v.tasks) if (t.startedAt !== null && t.endedAt !== null) coreMs += t.cores * (t.endedAt - t.startedAt);
  return { class: v.class, state: v.state, endReason: v.endReason, submittedAt: v.submittedAt, endedAt: v.endedAt, coreMs };
}

describe('endedJob', () => {
  it('says what the full view says of class, state, times and core-ms', () => {
    const h = new Harness(cluster().container('c1', 1, 8, 32_000).build());
    const done = h.submit(job().task(2, HOUR, { durationMs: 60_000 }).task(3, HOUR, { durationMs: 90_000, after: [0] }).spec());
    const blocked = h.submit(job().task(8, HOUR, { durationMs: 600_000 }).spec());
    const waiting = h.submit(job().task(8, HOUR, { durationMs: 600_000 }).spec());
    h.run(30_000);
    h.apply({ type: 'cancel', jobId: waiting[0] as number });
    h.run();
    const ids = [...done, ...blocked, ...waiting] as number[];
    for (const id of ids) {
      const v = h.core.job(id);
      expect(v).toBeDefined();
      expect(h.core.endedJob(id)).toEqual(fromView(v as JobView));
    }
    expect(h.core.endedJob(ids[0] as number)?.coreMs).toBe(2 * 60_000 + 3 * 90_000);
    expect(h.core.endedJob(9_999)).toBeUndefined();
  });

  it('names a job cancelled for withdrawn consent (the driver audits it as consent.cancel)', () => {
    const h = new Harness(cluster().container('c1', 1, 8).consent({ holdLimitMs: HOUR }).build());
    h.apply({ type: 'consent', pseudonym: 'p2', status: 'granted' });
    const [id] = h.submit(job().patient('p2').task(1, 200 * HOUR).spec()) as [number];
    h.pass();
    h.now = HOUR;
    h.apply({ type: 'consent', pseudonym: 'p2', status: 'withdrawn' });
    h.core.schedule(h.now);
    h.core.schedule(3 * HOUR);
    expect(h.core.endedJob(id)).toMatchObject({ state: 'CANCELLED', endReason: 'ConsentWithdrawn' });
    expect(h.core.endedJob(id)).toEqual(fromView(h.core.job(id) as JobView));
  });
});
