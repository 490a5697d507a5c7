import { describe, expect, it } from 'vitest';
import { fakeNode } from '../testing/index.js';
import { cpuCounts, groupNodes, longRows, summaryRows } from './nodes.js';

const nodes = [
  fakeNode('c1-n001', 'c1', { state: 'MIXED', coresUsed: 10, tasks: 3, memUsedMb: 2048 }),
  fakeNode('c1-n002', 'c1'),
  fakeNode('c1-n003', 'c1', { state: 'DRAINING', coresUsed: 4, tasks: 1 }),
  fakeNode('c1-n004', 'c1', { state: 'DOWN' }),
  fakeNode('c2-n001', 'c2', { kind: 'highmem', memMb: 1572864 }),
  fakeNode('c1-n005', 'c1'),
];

describe('cpuCounts', () => {
  it('counts allocated, idle, other (unusable) and total cores like sinfo', () => {
    expect(cpuCounts(nodes)).toEqual({ allocated: 14, idle: 64 * 4 - 10, other: 60 + 64, total: 64 * 6 });
  });
});

describe('node tables', () => {
  it('groups by container, kind and state, with compressed node lists', () => {
    expect(groupNodes(nodes).map((g) => [g.container, g.kind, g.state, g.nodes.length])).toEqual([
      ['c1', 'std', 'DOWN', 1],
      ['c1', 'std', 'DRAINING', 1],
      ['c1', 'std', 'IDLE', 2],
      ['c1', 'std', 'MIXED', 1],
      ['c2', 'highmem', 'IDLE', 1],
    ]);
    expect(summaryRows(nodes)).toContainEqual(['c1', 'std', 'idle', '2', '0/128/0/128', '256G', 'c1-n[002,005]']);
    expect(summaryRows(nodes)).toContainEqual(['c1', 'std', 'draining', '1', '4/0/60/64', '256G', 'c1-n003']);
  });

  it('lists one node per line in name order', () => {
    const rows = longRows(nodes);
    expect(rows.map((r) => r[0])).toEqual(['c1-n001', 'c1-n002', 'c1-n003', 'c1-n004', 'c1-n005', 'c2-n001']);
    expect(rows[0]).toEqual(['c1-n001', 'c1', 'std', 'air', 'mixed', '10/54/0/64', '2G/256G', '3']);
  });
});

describe('power saving in node tables', () => {
  it("shows suspended and powering-up nodes as sinfo does (idle~, idle#), their cores idle", () => {
    const ps = [fakeNode('c3-n001', 'c3', { state: 'SUSPENDED' }), fakeNode('c3-n002', 'c3', { state: 'SUSPENDED' }), fakeNode('c3-n003', 'c3', { state: 'POWERING_UP' })];
    expect(summaryRows(ps)).toEqual([
      ['c3', 'std', 'idle#', '1', '0/64/0/64', '256G', 'c3-n003'],
      ['c3', 'std', 'idle~', '2', '0/128/0/128', '256G', 'c3-n[001-002]'],
    ]);
    expect(longRows(ps).map((r) => r[4])).toEqual(['idle~', 'idle~', 'idle#']);
  });
});
