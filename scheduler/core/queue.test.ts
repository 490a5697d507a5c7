// The pending queue against a plain sort: whatever was added, removed and added again, a walk
// visits the waiting jobs by priority (static + fair-share + age), then submission, then id.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PendingQueue } from './queue.js';
import type { JobRt } from './state.js';
import type { PriorityWeights } from './types.js';

const W: PriorityWeights = { age: 1000, fairshare: 500, qos: 0, partition: 0, size: 0, maxAgeMs: 100, usageHalfLifeMs: 1000 };
const SHARE: Record<string, number> = { a: 0.2, b: 0.9, c: 0.5 };

interface Fake {
  job: JobRt;
  stat: number;
}

function fake(id: number, account: string, stat: number, submittedAt: number): Fake {
  const job = { id, account: { name: account }, submittedAt, queued: false, laneKey: null, capped: false, laneCapped: null } as unknown as JobRt;
  return { job, stat };
}

function expected(jobs: Fake[], now: number): number[] {
  const prio = (f: Fake): number => f.stat + W.fairshare * (SHARE[f.job.account.name] as number) + W.age * Math.min(1, (now - f.job.submittedAt) / W.maxAgeMs);
  return jobs
    .filter((f) => f.job.queued)
    .sort((x, y) => prio(y) - prio(x) || x.job.submittedAt - y.job.submittedAt || x.job.id - y.job.id)
    .map((f) => f.job.id);
}

function walked(q: PendingQueue): number[] {
  const out: number[] = [];
  q.walk((j) => {
    out.push(j.id);
    return true;
  });
  return out;
}

describe('PendingQueue', () => {
  // Small runs make nearly every out-of-order add start a run of its own and merge; a small
  // sweep threshold makes every pass sweep the stretch it walked.
  it.each([
    [1, 1],
    [4, 2],
    [64, 64],
  ])('walks waiting jobs in priority order through adds, removes, re-adds, passes and ageing (runs under %i take inserts, sweeps from %i)', (smallRun, sweepFrom) => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), account: fc.constantFrom('a', 'b', 'c'), stat: fc.integer({ min: 0, max: 3 }).map((x) => x * 250) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('readd' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 1, max: 60 }) }),
      // A pass: visits the first `take` jobs and starts (removes) every `every`-th it visits.
      fc.record({ kind: fc.constant('pass' as const), take: fc.integer({ min: 1, max: 150 }), every: fc.integer({ min: 1, max: 3 }), readd: fc.option(fc.nat()) }),
      // A walk without new priorities: the cached walk order must give what a fresh merge would.
      fc.record({ kind: fc.constant('walk' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const byJob = new Map<JobRt, number>();
        const q = new PendingQueue(W, (j) => byJob.get(j) as number, (acct) => SHARE[acct] as number, { smallRun, sweepFrom });
        const jobs: Fake[] = [];
        let now = 0;
        /** When priorities were last recalculated: walks order by them until the next time. */
        let clock = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const f = fake(jobs.length + 1, o.account, o.stat, now);
            byJob.set(f.job, f.stat);
            jobs.push(f);
            q.add(f.job, now);
          } else if (o.kind === 'remove' && jobs.length > 0) {
            q.remove((jobs[o.pick % jobs.length] as Fake).job);
          } else if (o.kind === 'readd' && jobs.length > 0) {
            q.add((jobs[o.pick % jobs.length] as Fake).job, now);
          } else if (o.kind === 'pass') {
            // Ranks as of the last priority recalculation, for every job queued or not.
            const rank = new Map(expected(jobs.map((f) => ({ ...f, job: { ...f.job, queued: true } as JobRt })), clock).map((id, i) => [id, i]));
            const order: number[] = [];
            let seen = 0;
            q.walk((j) => {
              order.push(rank.get(j.id) as number);
              if (++seen % o.every === 0) q.remove(j);
              // A job queued again mid-walk (e.g. a preemption's victim) waits for the next walk.
              if (o.readd !== null && seen % 3 === 1 && jobs.length > 0) q.add((jobs[(o.readd + seen) % jobs.length] as Fake).job, now);
              return seen < o.take;
            });
            for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1] as number);
            q.compact();
          } else if (o.kind === 'walk') {
            expect(walked(q)).toEqual(expected(jobs, clock));
          } else if (o.kind === 'tick') {
            now += o.dt;
            clock = now;
            q.reprioritize(now);
            expect(walked(q)).toEqual(expected(jobs, now));
          }
        }
        q.reprioritize(now);
        expect(walked(q)).toEqual(expected(jobs, now));
        expect(q.size).toBe(jobs.filter((f) => f.job.queued).length);
      }),
    );
  });

  it('keeps a logarithmic number of sorted runs when every job arrives out of order', () => {
    const stats = new Map<JobRt, number>();
    const q = new PendingQueue(W, (j) => stats.get(j) as number, (acct) => SHARE[acct] as number, { smallRun: 1 });
    const jobs: Fake[] = [];
    let excess = 0;
    // Static priorities in a scrambled order, all arriving at one instant.
    for (let i = 1; i <= 5000; i++) {
      const f = fake(i, 'a', (i * 7919) % 5003, 0);
      stats.set(f.job, f.stat);
      jobs.push(f);
      q.add(f.job, 0);
      // A run is more than twice the next, so a lane of n entries has at most log2(n) + 1.
      excess = Math.max(excess, q.runs - (Math.floor(Math.log2(i)) + 1));
    }
    expect(excess).toBeLessThanOrEqual(0);
    for (let i = 0; i < jobs.length; i += 3) q.remove((jobs[i] as Fake).job);
    q.compact();
    expect(q.runs).toBe(1);
    expect(walked(q)).toEqual(expected(jobs, 0));
  });

  it('leaves a job queued again mid-walk to the next walk, even when its entry lies ahead', () => {
    const stats = new Map<JobRt, number>();
    const q = new PendingQueue(W, (j) => stats.get(j) as number, (acct) => SHARE[acct] as number);
    // Lane a: 1 (high), 3 (low). Lane b: 2 (middle).
    const [j1, j2, j3] = [fake(1, 'a', 2000, 0), fake(2, 'b', 1000, 0), fake(3, 'a', 0, 0)];
    for (const f of [j1, j2, j3]) {
      stats.set(f.job, f.stat);
      q.add(f.job, 0);
    }
    q.remove(j3.job);
    // Twice: once merging the runs (no cached order yet), once following the cached order.
    for (const run of [1, 2]) {
      const seen: number[] = [];
      q.walk((j) => {
        seen.push(j.id);
        if (j.id === 1) q.add(j3.job, 0); // its entry in lane a lies ahead: not visited now
        return true;
      });
      expect(seen, `walk ${run}`).toEqual([1, 2]);
      expect(walked(q), `after walk ${run}`).toEqual([1, 2, 3]);
      q.remove(j3.job);
    }
  });

  it('skips, in the cached walk order, a job queued again mid-walk whose place the walk has passed', () => {
    const stats = new Map<JobRt, number>();
    const q = new PendingQueue(W, (j) => stats.get(j) as number, (acct) => SHARE[acct] as number, { sweepFrom: 1 });
    // In order a1, b1, a2, b2, a3 (lane a holds a1, a2, a3).
    const [a1, b1, a2, b2, a3] = [fake(1, 'a', 4000, 0), fake(2, 'b', 3000, 0), fake(3, 'a', 2000, 0), fake(4, 'b', 1000, 0), fake(5, 'a', 0, 0)];
    for (const f of [a1, b1, a2, b2, a3]) {
      stats.set(f.job, f.stat);
      q.add(f.job, 0);
    }
    expect(walked(q)).toEqual([1, 2, 3, 4, 5]);
    q.remove(a2.job);
    // This walk follows the cached order and drops a2 from it (its lane keeps its dead entry).
    expect(walked(q)).toEqual([1, 2, 4, 5]);
    const seen: number[] = [];
    q.walk((j) => {
      seen.push(j.id);
      if (j.id === 4) q.add(a2.job, 0); // it comes before b2: this walk has passed it
      return true;
    });
    expect(seen).toEqual([1, 2, 4, 5]);
    expect(walked(q)).toEqual([1, 2, 3, 4, 5]);
  });

  it('goes on past the cached order after the last job it passed, when a job queued mid-walk pushed that one off the end', () => {
    const stats = new Map<JobRt, number>();
    const q = new PendingQueue(W, (j) => stats.get(j) as number, (acct) => SHARE[acct] as number, { orderCap: 1, orderCapMax: 1, orderSlack: 1 });
    const [j1, j2, j3] = [fake(1, 'a', 0, 0), fake(2, 'a', 0, 0), fake(3, 'a', 0, 0)];
    for (const f of [j1, j2, j3]) {
      stats.set(f.job, f.stat);
      q.add(f.job, 0);
    }
    q.remove(j1.job);
    // The cached order holds one job: 2.
    q.walk(() => false);
    const seen: number[] = [];
    q.walk((j) => {
      seen.push(j.id);
      // 1 sorts before 2: it takes 2's place in the one-job order, behind the walk.
      if (j.id === 2) q.add(j1.job, 0);
      return true;
    });
    expect(seen).toEqual([2, 3]);
    expect(walked(q)).toEqual([1, 2, 3]);
  });

  it('records nothing past a floor pushed off the cached order (the order would miss that job)', () => {
    const stats = new Map<JobRt, number>();
    const q = new PendingQueue(W, (j) => stats.get(j) as number, (acct) => SHARE[acct] as number, { orderCap: 2, orderCapMax: 2, orderSlack: 1, sweepFrom: 1 });
    const fakes = [1, 2, 3, 4].map((id) => fake(id, 'a', 0, 0));
    for (const f of fakes) {
      stats.set(f.job, f.stat);
      q.add(f.job, 0);
    }
    const [j1, j2] = fakes.map((f) => f.job) as [JobRt, JobRt];
    q.remove(j1);
    // The cached order: 2, 3.
    q.walk(() => false);
    q.remove(j2);
    const seen: number[] = [];
    q.walk((j) => {
      seen.push(j.id);
      // 1 takes its place at the front and pushes 3, just visited, off the order's end; the
      // walk sweeps 2 out of the order, leaving room to record what follows 3.
      if (j.id === 3) q.add(j1, 0);
      return true;
    });
    expect(seen).toEqual([3, 4]);
    expect(walked(q)).toEqual([1, 3, 4]);
  });

  // A cached order of a few jobs makes walks run past its end, where they go on in the runs
  // from just after its last job and extend it.
  it.each([
    [1, {}],
    [2, {}],
    [64, {}],
    [1, { orderCap: 2, orderCapMax: 4, orderSlack: 1 }],
    [2, { orderCap: 3, orderCapMax: 12, orderSlack: 2 }],
    [64, { orderCap: 1, orderCapMax: 1, orderSlack: 1 }],
  ])('walks its cached order as a fresh merge of the runs would, mid-walk re-adds included (sweeps from %i, cached order %o)', (sweepFrom, sizes) => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), account: fc.constantFrom('a', 'b', 'c'), stat: fc.integer({ min: 0, max: 3 }).map((x) => x * 250) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('readd' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant('pass' as const), take: fc.integer({ min: 1, max: 100 }), every: fc.integer({ min: 1, max: 3 }), readd: fc.array(fc.nat(), { maxLength: 4 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        // Two queues fed the same operations on twin jobs; the second forgets its cached order before every walk.
        const sides = [0, 1].map(() => {
          const byJob = new Map<JobRt, number>();
          return { byJob, q: new PendingQueue(W, (j) => byJob.get(j) as number, (acct) => SHARE[acct] as number, { sweepFrom, ...sizes }), jobs: [] as JobRt[] };
        });
        let now = 0;
        for (const o of ops) {
          const seqs: number[][] = [];
          for (const [k, side] of sides.entries()) {
            const { q, jobs, byJob } = side;
            if (o.kind === 'add') {
              const f = fake(jobs.length + 1, o.account, o.stat, now);
              byJob.set(f.job, f.stat);
              jobs.push(f.job);
              q.add(f.job, now);
            } else if (o.kind === 'remove' && jobs.length > 0) q.remove(jobs[o.pick % jobs.length] as JobRt);
            else if (o.kind === 'readd' && jobs.length > 0) q.add(jobs[o.pick % jobs.length] as JobRt, now);
            else if (o.kind === 'tick') q.reprioritize((now += k === 0 ? o.dt : 0));
            else if (o.kind === 'pass') {
              if (k === 1) q.forgetOrder();
              const seq: number[] = [];
              q.walk((j) => {
                seq.push(j.id);
                if (seq.length % o.every === 0) q.remove(j);
                const r = o.readd[seq.length - 1];
                if (r !== undefined && jobs.length > 0) q.add(jobs[r % jobs.length] as JobRt, now);
                return seq.length < o.take;
              });
              seqs.push(seq);
            }
          }
          if (seqs.length === 2) expect(seqs[0]).toEqual(seqs[1]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
