// The EASY pass-over memo decides nothing: a core that uses it and one that never can (an event
// the core refuses still counts as a change, so a refused one before every pass ends any kept
// stretch) must decide the same, through holds, releases, updates, cancels, drains and
// preemption on a congested queue with a shallow backfill depth. (No priority weights: their
// recalculation every 5 minutes would end every kept stretch before a later pass met it.)
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from '../testing.js';
import type { CoreEvent, Decision } from '../types.js';

interface Memo {
  hits: number;
}

function memoOf(h: Harness): Memo {
  return (h.core as unknown as { passes: { planner: { passedOver: Memo } } }).passes.planner.passedOver;
}

function scenario(withMemo: boolean, seed: number): { log: { at: number; decision: Decision }[]; hits: number } {
  const config = cluster()
    .container('c1', 3, 16, 64_000)
    .container('c2', 2, 8, 32_000)
    .backfillDepth(4)
    .build();
  const h = new Harness(config);
  if (!withMemo) {
    const pass = h.pass.bind(h);
    const refused: CoreEvent = { type: 'hold', jobId: -1, by: 'user' };
    h.pass = () => {
      expect(h.apply(refused).ok).toBe(false);
      return pass();
    };
  }
  let x = seed;
  const rand = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const ids: number[] = [];
  for (let i = 0; i < 300; i++) {
    const b = job().account(pick(['a', 'b']));
    if (rand() < 0.2) b.research().qos('low');
    else if (rand() < 0.05) b.urgent();
    const tasks = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < tasks; k++) b.task(pick([4, 12, 16, 16, 16]), (1 + Math.floor(rand() * 6)) * HOUR, { timeLimitMs: 8 * HOUR, after: k > 0 && rand() < 0.5 ? [k - 1] : [] });
    ids.push(...h.submit(b.spec()));
  }
  for (let i = 0; i < 60; i++) {
    const at = Math.floor(rand() * 150 * HOUR);
    const id = pick(ids);
    const r = rand();
    const event: CoreEvent =
      r < 0.25
        ? { type: 'hold', jobId: id, by: 'user' }
        : r < 0.5
          ? { type: 'release', jobId: id, by: 'user' }
          : r < 0.65
            ? { type: 'update', jobId: id, changes: { nice: Math.floor(rand() * 500) } }
            : r < 0.75
              ? { type: 'cancel', jobId: id }
              : r < 0.88
                ? { type: 'drain', node: pick(config.nodes).name }
                : { type: 'resume', node: pick(config.nodes).name };
    h.at(at, event);
  }
  h.run();
  return { log: h.log, hits: memoOf(h).hits };
}

describe('EASY pass-over memo', () => {
  for (const seed of [1, 2, 3]) {
    it(`decides as a core without it (seed ${seed})`, () => {
      const a = scenario(true, seed);
      const b = scenario(false, seed);
      expect(a.hits).toBeGreaterThan(0);
      expect(b.hits).toBe(0);
      expect(a.log.length).toBeGreaterThan(300);
      expect(a.log).toEqual(b.log);
    });
  }
});
