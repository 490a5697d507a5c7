// scheduler.maxStartsPerPass (Slurm's sched_max_job_start): a pass stops its walk once it has
// started that many tasks and asks for another pass at once, so a large burst goes out in
// chunks. On these queues the chunks together decide what one uncapped pass would have (not on
// every workload: see the core README's "Start cap").
import { describe, expect, it } from 'vitest';
import { SchedulerCore } from './core.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { Decision, Policy } from './types.js';

type Start = Extract<Decision, { type: 'start' }>;
const starts = (ds: Decision[]): Start[] => ds.filter((d): d is Start => d.type === 'start');

describe('start cap per pass', () => {
  it('starts an array of 25 in passes of 10, 10 and 5, in queue order, each asking for the next at once', () => {
    const core = new SchedulerCore(cluster().container('c1', 4, 16).maxStartsPerPass(10).build());
    const ids = core.apply({ type: 'submit', job: job().array('0-24').task(1).spec() }, 0);
    if (!ids.ok) throw new Error(ids.error.message);
    const sizes: number[] = [];
    const order: number[] = [];
    for (let pass = 0; pass < 5; pass++) {
      const step = core.schedule(0);
      const s = starts(step.decisions);
      if (s.length === 0) break;
      sizes.push(s.length);
      order.push(...s.map((d) => d.jobId));
      // A capped pass wants the next one now; the last (not capped) wants none for this array.
      expect(step.wakeAt === 0).toBe(s.length === 10);
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(order).toEqual(ids.jobIds);
    // The elements not reached yet waited for Priority, as Slurm shows them.
    const late = new SchedulerCore(cluster().container('c1', 4, 16).maxStartsPerPass(10).build());
    late.apply({ type: 'submit', job: job().array('0-24').task(1).spec() }, 0);
    late.schedule(0);
    expect(late.pendingReasons().reasons.Priority).toBe(15);
  });

  it("starts a job's tasks together even past the cap: the cap is checked before each job", () => {
    const core = new SchedulerCore(cluster().container('c1', 2, 16).maxStartsPerPass(3).build());
    core.apply({ type: 'submit', job: job().task(1).task(1).task(1).task(1).task(1).spec() }, 0);
    core.apply({ type: 'submit', job: job().task(1).spec() }, 0);
    const first = core.schedule(0);
    expect(starts(first.decisions)).toHaveLength(5);
    expect(first.wakeAt).toBe(0);
    expect(starts(core.schedule(0).decisions)).toHaveLength(1);
  });

  // A mixed queue on a small cluster, run to the end: big jobs that block, small ones that
  // backfill, arrays. The capped run takes more passes at the same instants and must make
  // the same starts (task, node, time) as the uncapped one.
  const mixed = (h: Harness): void => {
    h.submit(job().array('0-11').task(2, 3 * HOUR).spec());
    h.submit(job().task(16, 2 * HOUR).spec());
    h.submit(job().task(8, 5 * HOUR).task(8, 1 * HOUR).spec());
    h.submit(job().array('0-29').task(1, HOUR / 2).spec());
    h.submit(job().account('b').array('0-7').task(4, HOUR).spec());
    h.at(HOUR, { type: 'submit', job: job().array('0-19').task(1, 2 * HOUR).spec() });
    h.at(90 * 60_000, { type: 'submit', job: job().task(12, HOUR).spec() });
  };
  const run = (policy: Policy, backfillEveryMs: number, depth: number, cap: number | null): { starts: string[]; passes: number } => {
    const b = cluster().container('c1', 3, 16).policy(policy).backfillInterval(backfillEveryMs).backfillDepth(depth);
    if (cap !== null) b.maxStartsPerPass(cap);
    const h = new Harness(b.build());
    let passes = 0;
    h.onPass = () => passes++;
    mixed(h);
    h.run();
    const list = h.log.filter((l): l is { at: number; decision: Start } => l.decision.type === 'start');
    return { starts: list.map((l) => `${l.at}:${l.decision.taskId}@${l.decision.node}`), passes };
  };

  // EASY with a backfill interval: a backfill pass cut short by the cap is taken up by the next.
  // A depth of 2 too: the passes after a cut test again the jobs the cut pass tested.
  for (const [policy, backfillEveryMs, depth] of [['fcfs', 0, 1000], ['easy', 0, 1000], ['easy', HOUR / 2, 1000], ['easy', 0, 2], ['conservative', 0, 1000], ['conservative', 0, 2]] as const) {
    it(`decides the same starts as an uncapped pass, in more passes (${policy}, backfill every ${backfillEveryMs / 60_000} min, depth ${depth})`, () => {
      const free = run(policy, backfillEveryMs, depth, null);
      const capped = run(policy, backfillEveryMs, depth, 4);
      expect(free.starts.length).toBe(12 + 1 + 2 + 30 + 8 + 20 + 1);
      expect(capped.starts).toEqual(free.starts);
      expect(capped.passes).toBeGreaterThan(free.passes);
    });
  }
});
