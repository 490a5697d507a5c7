// FreeIndex against a plain scan of every node: after any changes of free cores, memory, up
// and drain, pick() names the node a sort of all feasible nodes by (home container, cooling,
// cores left over, preference rank) puts first, and maxFree/maxFreeExcept match a scan.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FreeIndex } from './free-index.js';
import { EndOrder } from './end-order.js';
import { SlotList } from './lists.js';
import type { Reservation } from './placement.js';
import type { NodeRt, PartitionRt, TaskRt } from './state.js';
import type { NodeSpec } from './types.js';

function node(idx: number, pref: number, containerIdx: number, warm: boolean, cores: number, memMb: number): NodeRt {
  const spec: NodeSpec = { name: `n${idx}`, container: `c${containerIdx}`, kind: 'k', cores, memMb, cooling: warm ? 'warm-water' : 'air', idleWatts: 0, busyWatts: 0 };
  return { spec, idx, pref, containerIdx, warm, freeCores: cores, freeMem: memMb, up: true, drain: false, power: 'on', idleAt: -1, bootAt: -1, running: new SlotList<TaskRt>(), preemptibleTasks: 0, preemptibleCores: 0, preemptibleMem: 0, ends: new EndOrder(), resv: null };
}

function reference(nodes: NodeRt[], part: PartitionRt, cores: number, memMb: number, container: number, r: Reservation | null): NodeRt | null {
  const ok = nodes.filter(
    (n) =>
      n.up &&
      !n.drain &&
      n.freeCores >= cores &&
      n.freeMem >= memMb &&
      part.member[n.idx] === 1 &&
      !(r !== null && n === r.node && (cores > r.extraCores || memMb > r.extraMem)),
  );
  const rank = (n: NodeRt): number[] => [container >= 0 && n.containerIdx !== container ? 1 : 0, n.warm ? 0 : 1, n.freeCores - cores, n.pref];
  ok.sort((a, b) => {
    const x = rank(a);
    const y = rank(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return 0;
  });
  return ok[0] ?? null;
}

function open(n: NodeRt): boolean {
  return n.up && !n.drain && n.freeCores > 0;
}

describe('FreeIndex', () => {
  it('picks and reports free cores like a scan of every node', () => {
    const shape = fc.record({
      containers: fc.integer({ min: 1, max: 3 }),
      // Up to 70 nodes: bit sets of three words per bucket.
      nodes: fc.array(fc.record({ container: fc.nat(), warm: fc.boolean(), cores: fc.integer({ min: 1, max: 40 }), memMb: fc.integer({ min: 1, max: 64 }) }), { minLength: 1, maxLength: 70 }),
      order: fc.array(fc.nat(), { minLength: 70, maxLength: 70 }),
      member: fc.array(fc.boolean(), { minLength: 70, maxLength: 70 }),
    });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), node: fc.nat(), cores: fc.nat(), memMb: fc.nat(), up: fc.boolean(), drain: fc.boolean() }),
      fc.record({
        kind: fc.constant('pick' as const),
        cores: fc.integer({ min: 1, max: 40 }),
        memMb: fc.integer({ min: 0, max: 64 }),
        container: fc.integer({ min: -1, max: 2 }),
        reserved: fc.option(fc.record({ node: fc.nat(), extraCores: fc.integer({ min: 0, max: 40 }), extraMem: fc.integer({ min: 0, max: 64 }) })),
      }),
    );
    fc.assert(
      fc.property(shape, fc.array(op, { maxLength: 80 }), (s, ops) => {
        // Preference ranks: an arbitrary permutation (the index must not rely on their layout).
        const ranks = s.nodes.map((_, i) => i).sort((a, b) => (s.order[a] as number) - (s.order[b] as number) || a - b);
        const prefOf = new Array<number>(s.nodes.length);
        ranks.forEach((idx, rank) => (prefOf[idx] = rank));
        const nodes = s.nodes.map((d, i) => node(i, prefOf[i] as number, d.container % s.containers, d.warm, d.cores, d.memMb));
        const member = new Uint8Array(nodes.length);
        nodes.forEach((n) => (member[n.idx] = s.member[n.idx] ? 1 : 0));
        const part = { member } as unknown as PartitionRt;
        const index = new FreeIndex(nodes, s.containers);
        for (const o of ops) {
          if (o.kind === 'set') {
            const n = nodes[o.node % nodes.length] as NodeRt;
            n.freeCores = o.cores % (n.spec.cores + 1);
            n.freeMem = o.memMb % (n.spec.memMb + 1);
            n.up = o.up;
            n.drain = o.drain;
            index.update(n);
          } else {
            const container = o.container < s.containers ? o.container : -1;
            const r: Reservation | null = o.reserved === null ? null : { node: nodes[o.reserved.node % nodes.length] as NodeRt, at: 0, extraCores: o.reserved.extraCores, extraMem: o.reserved.extraMem };
            expect(index.pick(part, o.cores, o.memMb, container, r)?.idx ?? null).toBe(reference(nodes, part, o.cores, o.memMb, container, r)?.idx ?? null);
          }
          const free = nodes.filter(open).map((n) => n.freeCores);
          expect(index.maxFree()).toBe(Math.max(0, ...free));
          const skip = nodes[0] as NodeRt;
          expect(index.maxFreeExcept(skip)).toBe(Math.max(0, ...nodes.filter((n) => n !== skip && open(n)).map((n) => n.freeCores)));
        }
      }),
    );
  });

  it('serves a node of 100,000 cores without a scan per core', () => {
    const big = node(0, 0, 0, false, 100_000, 1 << 30);
    const part = { member: new Uint8Array([1]) } as unknown as PartitionRt;
    const index = new FreeIndex([big], 1);
    expect(index.maxFree()).toBe(100_000);
    big.freeCores = 3;
    index.update(big);
    expect(index.maxFree()).toBe(3);
    expect(index.maxFreeExcept(big)).toBe(0);
    expect(index.pick(part, 4, 1, -1, null)).toBeNull();
    expect(index.pick(part, 3, 1, 0, null)).toBe(big);
  });
});
