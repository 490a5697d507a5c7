import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import type { ClusterConfig } from '../../scheduler/core/index.js';
import { SimOptionError } from '../errors.js';
import { findCapacity, p95Allowance } from './capacity.js';
import { runNgc } from './ngc.js';

const full = loadClusterConfig();
// A slice of container c1 (two standard nodes and a high-memory one) so that load shows quickly.
const small: ClusterConfig = { ...full, nodes: [full.nodes[0]!, full.nodes[1]!, full.nodes.find((n) => n.kind === 'highmem')!] };

describe('NGC scenarios', () => {
  it('steady: runs every analysis to the end, deterministically for a seed', () => {
    const a = runNgc({ analyses: 120, seed: 11, scenario: 'steady', cluster: full });
    expect(a.outcome.jobsRejected).toBe(0);
    expect(a.outcome.jobsUnfinished).toBe(0);
    expect(a.metrics.states.COMPLETED).toBe(120);
    expect(a.metrics.energyMwh).toBeGreaterThan(0);
    expect(a.metrics.heatRecoveredMwh).toBeGreaterThan(0);
    expect(a.metrics.heatRecoveredMwh).toBeLessThan(a.metrics.energyMwh);
    expect(Object.keys(a.metrics.utilizationByContainer)).toEqual(['c1', 'c2', 'c3']);
    const b = runNgc({ analyses: 120, seed: 11, scenario: 'steady', cluster: full });
    expect(b.metrics).toEqual(a.metrics);
    const c = runNgc({ analyses: 120, seed: 12, scenario: 'steady', cluster: full });
    expect(c.metrics).not.toEqual(a.metrics);
  });

  it('burst: everything arrives at t = 0 and the makespan measures how long the backlog takes', () => {
    const r = runNgc({ analyses: 60, seed: 3, scenario: 'burst', cluster: small });
    expect(r.metrics.firstSubmitMs).toBe(0);
    expect(r.metrics.states.COMPLETED).toBe(60);
    expect(r.metrics.makespanS).toBeGreaterThan(0);
    expect(r.metrics.wait.max).toBeGreaterThan(0); // a small cluster cannot start all at once
  });

  it('capacity: brackets the highest rate that keeps urgent and overall p95 turnaround within bounds', () => {
    // Bounds at twice what a lightly loaded run achieves: only load, not the spread of analysis
    // sizes, can break them. Three nodes (192 cores) run ~13 average analyses a day at best.
    const base = runNgc({ analyses: 150, seed: 5, scenario: 'steady', perDay: 1, cluster: small });
    expect(base.urgentP95H).not.toBeNull();
    const targetHours = 2 * base.urgentP95H!;
    const allTargetHours = (2 * base.metrics.turnaround.p95) / 3600;
    const cap = findCapacity({ analyses: 150, seed: 5, cluster: small, targetHours, allTargetHours, startPerDay: 1, maxRuns: 12 });
    expect(cap.inconclusive).toBe(false);
    expect(cap.perDay).toBeGreaterThanOrEqual(4);
    expect(cap.failedAtPerDay).not.toBeNull();
    expect(cap.failedAtPerDay!).toBeGreaterThan(cap.perDay);
    expect(cap.failedAtPerDay!).toBeLessThanOrEqual(32);
    expect((cap.failedAtPerDay! - cap.perDay) / cap.perDay).toBeLessThanOrEqual(0.02);
    const passing = cap.probes.find((p) => p.perDay === cap.perDay)!;
    expect(passing.ok).toBe(true);
    expect(passing.urgentP95H!).toBeLessThanOrEqual(targetHours);
    expect(passing.allP95H!).toBeLessThanOrEqual(allTargetHours);
    const failing = cap.probes.find((p) => p.perDay === cap.failedAtPerDay)!;
    expect(failing.ok).toBe(false);
    expect(cap.best?.urgentP95H).toBe(passing.urgentP95H);
  });

  it('capacity: stops an overloaded probe as soon as its p95 can no longer pass', () => {
    expect(p95Allowance(100)).toBe(6);
    expect(p95Allowance(20)).toBe(2);
    expect(p95Allowance(1)).toBe(1);
    const cap = findCapacity({ analyses: 400, seed: 5, cluster: small, targetHours: 1e-3, allTargetHours: 1e-3, startPerDay: 500, maxRuns: 1 });
    expect(cap.perDay).toBe(0);
    expect(cap.probes[0]).toMatchObject({ ok: false, stoppedEarly: true });
  });

  it('capacity: a pass over too short a span of arrivals ends the search as inconclusive', () => {
    // 100 analyses at 36.5 a day arrive within 3 days: the full cluster clears any such backlog within a week.
    const cap = findCapacity({ analyses: 100, seed: 1, cluster: full, targetHours: 48 });
    expect(cap.probes).toHaveLength(1);
    expect(cap.probes[0]!.ok).toBe(true);
    expect(cap.inconclusive).toBe(true);
    expect(cap.perDay).toBeCloseTo(60_000 / (4.5 * 365.25), 6);
  });

  it('refuses a non-positive analysis count', () => {
    expect(() => runNgc({ analyses: 0, seed: 1, scenario: 'steady', cluster: small })).toThrow(SimOptionError);
    expect(() => runNgc({ analyses: 2.5, seed: 1, scenario: 'steady', cluster: small })).toThrow(SimOptionError);
  });
});
