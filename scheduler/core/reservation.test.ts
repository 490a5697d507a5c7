// EASY's head reservation against a plain computation: whatever ran and ended on which node,
// and however often the same task shape was planned before (reserveEarliest remembers each
// node's last planning while its tasks stay the same), it names the node, instant and spare
// resources of the earliest start, the first such node in partition order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EndOrder } from './end-order.js';
import { SlotList } from './lists.js';
import { reserveEarliest } from './reservation.js';
import type { NodeRt, PartitionRt, TaskRt } from './state.js';

interface Plain {
  node: string;
  at: number;
  extraCores: number;
  extraMem: number;
}

/** Every node's tasks by expected end (never before now), instant by instant; the earliest wins. */
function plainEarliest(nodes: NodeRt[], running: Map<NodeRt, TaskRt[]>, cores: number, memMb: number, now: number): Plain | null {
  let best: Plain | null = null;
  for (const n of nodes) {
    if (n.spec.cores < cores || n.spec.memMb < memMb) continue;
    const ends = (running.get(n) ?? []).map((t) => ({ end: Math.max(now, t.startedAt + t.timeLimitMs), t })).sort((a, b) => a.end - b.end);
    let c = n.freeCores;
    let m = n.freeMem;
    let at: number | null = c >= cores && m >= memMb ? now : null;
    for (let i = 0; at === null && i < ends.length; ) {
      const instant = (ends[i] as { end: number }).end;
      for (; i < ends.length && (ends[i] as { end: number }).end === instant; i++) {
        c += (ends[i] as { t: TaskRt }).t.cores;
        m += (ends[i] as { t: TaskRt }).t.memMb;
      }
      if (c >= cores && m >= memMb) at = instant;
    }
    if (at !== null && (best === null || at < best.at)) best = { node: n.spec.name, at, extraCores: c - cores, extraMem: m - memMb };
  }
  return best;
}

describe('reserveEarliest', () => {
  it('plans as a plain computation does, the same shape again and again as tasks start, end and overrun', () => {
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), node: fc.nat(), cores: fc.integer({ min: 1, max: 8 }), limit: fc.integer({ min: 1, max: 6 }).map((x) => x * 10) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }) },
      // Now and then past some task's limit: its end estimate is now, whatever was remembered.
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 1, max: 25 }) }) },
      // Few shapes, so that the same one is planned again with most nodes unchanged.
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('plan' as const), shape: fc.integer({ min: 0, max: 2 }) }) },
    );
    const shapes = [
      [6, 6_000],
      [8, 3_000],
      [3, 7_500],
    ] as const;
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 200 }), (ops) => {
        // Nodes 0 and 1 drop their end order at the first change unread and rebuild it when read.
        const nodes = [0, 1, 2, 3].map(
          (i) =>
            ({ spec: { name: `n${i}`, cores: 8, memMb: 8_000 }, up: true, drain: false, power: 'on', freeCores: 8, freeMem: 8_000, running: new SlotList<TaskRt>(), ends: new EndOrder(i < 2 ? 0 : undefined) }) as unknown as NodeRt,
        );
        const part = { nodes } as unknown as PartitionRt;
        const running = new Map<NodeRt, TaskRt[]>(nodes.map((n) => [n, []]));
        let now = 0;
        let id = 1;
        for (const o of ops) {
          if (o.kind === 'start') {
            const n = nodes[o.node % nodes.length] as NodeRt;
            if (n.freeCores < o.cores) continue;
            const t = { id: id++, startedAt: now, timeLimitMs: o.limit, cores: o.cores, memMb: o.cores * 900, slot: -1 } as unknown as TaskRt;
            n.freeCores -= t.cores;
            n.freeMem -= t.memMb;
            n.running.add(t);
            n.ends.add(t);
            (running.get(n) as TaskRt[]).push(t);
          } else if (o.kind === 'end') {
            const all = nodes.flatMap((n) => (running.get(n) as TaskRt[]).map((t) => [n, t] as const));
            if (all.length === 0) continue;
            const [n, t] = all[o.pick % all.length] as readonly [NodeRt, TaskRt];
            n.freeCores += t.cores;
            n.freeMem += t.memMb;
            n.running.delete(t);
            n.ends.delete(t);
            running.set(n, (running.get(n) as TaskRt[]).filter((x) => x !== t));
          } else if (o.kind === 'tick') now += o.dt;
          else {
            const [cores, memMb] = shapes[o.shape] as readonly [number, number];
            const r = reserveEarliest(part, cores, memMb, now);
            const got = r === null ? null : { node: r.node.spec.name, at: r.at, extraCores: r.extraCores, extraMem: r.extraMem };
            expect(got).toEqual(plainEarliest(nodes, running, cores, memMb, now));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
