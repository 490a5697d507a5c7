// Property: for any small workload on a flat machine under any policy, the engine never holds
// more cores than exist, every job ends, each one-task job runs exactly its modelled duration
// (or is cut at its limit), and the same input gives the same run.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { flatClusterConfig, SchedulerCore, type ClusterConfig, type Policy } from '../../scheduler/core/index.js';
import { flatJob } from './testing.js';
import { SimEngine, type EndedJob, type Submission } from './engine.js';

const arbJob = fc.record({
  gap: fc.integer({ min: 0, max: 50 }),
  cores: fc.integer({ min: 1, max: 8 }),
  dur: fc.integer({ min: 1, max: 100 }),
  limit: fc.integer({ min: 1, max: 120 }),
});

describe('SimEngine invariants', () => {
  it('respects capacity, ends every job and holds each task for min(duration, limit)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Policy>('fcfs', 'easy', 'conservative'),
        fc.constantFrom('ends-first', 'submits-first') as fc.Arbitrary<'ends-first' | 'submits-first'>,
        fc.array(arbJob, { minLength: 1, maxLength: 40 }),
        (policy, tieOrder, jobs) => {
          let t = 0;
          const items: Submission[] = jobs.map((j, i) => {
            t += j.gap * 1000;
            return { submitAt: t, job: flatJob(`j${i}`, [{ cores: j.cores, durationMs: j.dur * 1000, timeLimitMs: j.limit * 1000 }]) };
          });
          const runOnce = () => {
            let busy = 0;
            let peak = 0;
            const ended: EndedJob[] = [];
            const outcome = new SimEngine(new SchedulerCore(flatClusterConfig(8, policy)), {
              tieOrder,
              schedulePer: tieOrder === 'submits-first' ? 'event' : 'timestamp',
              observer: {
                onTaskStart: (_t, _j, _n, cores) => {
                  busy += cores;
                  peak = Math.max(peak, busy);
                },
                onTaskStop: (_t, _j, _n, cores) => {
                  busy -= cores;
                },
                onJobEnded: (j) => ended.push(j),
              },
            }).run(items);
            return { outcome, ended, peak, busy };
          };
          const a = runOnce();
          expect(a.peak).toBeLessThanOrEqual(8);
          expect(a.busy).toBe(0);
          expect(a.outcome.jobsEnded).toBe(jobs.length);
          for (const e of a.ended) {
            const j = jobs[Number(e.spec.name.slice(1))]!;
            expect(e.startedAt).not.toBeNull();
            expect(e.startedAt!).toBeGreaterThanOrEqual(e.submittedAt);
            expect(e.endedAt - e.startedAt!).toBe(Math.min(j.dur, j.limit) * 1000);
            // Ending exactly at the limit, it may be completed or timed out, depending on the tie order.
            expect(e.state).toMatch(j.dur > j.limit ? /^TIMEOUT$/ : j.dur === j.limit ? /^(COMPLETED|TIMEOUT)$/ : /^COMPLETED$/);
          }
          const b = runOnce();
          expect(b.ended).toEqual(a.ended);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('with node failures: never places work on a down node or beyond a node’s cores, and still ends every job', () => {
    const config: ClusterConfig = {
      ...flatClusterConfig(4, 'easy'),
      nodes: [0, 1, 2].map((i) => ({ name: `n${i}`, container: 'c', kind: 'k', cores: 4, memMb: 1, cooling: 'air' as const, idleWatts: 0, busyWatts: 0 })),
    };
    fc.assert(
      fc.property(fc.constantFrom<Policy>('fcfs', 'easy', 'conservative'), fc.integer({ min: 0, max: 1000 }), fc.array(arbJob, { minLength: 1, maxLength: 30 }), (policy, seed, jobs) => {
        let t = 0;
        const items: Submission[] = jobs.map((j, i) => {
          t += j.gap * 1000;
          return { submitAt: t, job: flatJob(`j${i}`, [{ cores: Math.min(4, j.cores), durationMs: j.dur * 1000, timeLimitMs: 200_000 }]) };
        });
        const busy = new Map<string, number>();
        const down = new Set<string>();
        let violations = 0;
        const ended: EndedJob[] = [];
        const outcome = new SimEngine(new SchedulerCore({ ...config, scheduler: { ...config.scheduler, policy } }), {
          failures: { mtbfMs: 300_000, mttrMs: 60_000, seed },
          observer: {
            onTaskStart: (_t, _j, node, cores) => {
              const b = (busy.get(node) ?? 0) + cores;
              busy.set(node, b);
              if (down.has(node) || b > 4) violations++;
            },
            onTaskStop: (_t, _j, node, cores) => {
              busy.set(node, (busy.get(node) ?? 0) - cores);
            },
            onNodeDown: (node) => {
              down.add(node);
              if ((busy.get(node) ?? 0) !== 0) violations++;
            },
            onNodeUp: (node) => down.delete(node),
            onJobEnded: (j) => ended.push(j),
          },
        }).run(items);
        expect(violations).toBe(0);
        expect(outcome.jobsEnded).toBe(jobs.length);
        for (const e of ended) expect(e.state).toMatch(/^(COMPLETED|NODE_FAIL)$/);
      }),
      { numRuns: 100 },
    );
  });
});
