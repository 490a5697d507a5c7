import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SchedulerCore, flatClusterConfig, type ClusterConfig, type JobSpec } from '../../scheduler/core/index.js';
import { flatJob } from '../engine/index.js';
import { SimEngine, type Submission } from '../engine/index.js';
import { HEAT_RECOVERY_FRACTION, MetricsCollector } from './collector.js';
import { DownsampledSeries } from './series.js';
import { cdfSample, distribution, percentileSorted } from './stats.js';

const H = 3_600_000;

function spec(name: string, cores: number, durationMs: number, cls?: string): JobSpec {
  return flatJob(name, [{ cores, durationMs, timeLimitMs: 10 * H }], cls ? { class: cls } : {});
}

function twoNodeCluster(): ClusterConfig {
  const base = flatClusterConfig(4, 'easy');
  return {
    ...base,
    nodes: [
      { name: 'w1', container: 'cw', kind: 'k', cores: 4, memMb: 1, cooling: 'warm-water', idleWatts: 100, busyWatts: 300 },
      { name: 'a1', container: 'ca', kind: 'k', cores: 4, memMb: 1, cooling: 'air', idleWatts: 50, busyWatts: 150 },
    ],
  };
}

function simulate(config: ClusterConfig, items: Submission[]): MetricsCollector {
  const m = new MetricsCollector(config);
  new SimEngine(new SchedulerCore(config), { observer: m }).run(items);
  return m;
}

describe('MetricsCollector', () => {
  it('integrates node power into energy and recovers heat from warm-water nodes only', () => {
    // One 4-core hour on the warm node (the core prefers warm-water nodes); the air node idles.
    const m = simulate(twoNodeCluster(), [{ submitAt: 0, job: spec('a', 4, 1 * H) }]).metrics();
    const wh = 300 + 50;
    expect(m.energyMwh).toBeCloseTo(wh / 1e6, 12);
    expect(m.heatRecoveredMwh).toBeCloseTo((300 / 1e6) * HEAT_RECOVERY_FRACTION, 12);
    expect(m.utilization).toBeCloseTo(0.5, 12);
    expect(m.utilizationByContainer).toEqual({ cw: 1, ca: 0 });
    expect(m.makespanS).toBe(3600);
  });

  it("trusts the engine's node index only when it names the same node", () => {
    // Index 0 is w1 here: a collector given another config's index still charges a1 by name.
    const m = new MetricsCollector(twoNodeCluster());
    m.onSubmitted([1], null, 0);
    m.onTaskStart(1, 1, 'a1', 4, 0, 0);
    m.onAdvance(0, H);
    m.onTaskStop(1, 1, 'a1', 4, 'completed', H, 0);
    m.onJobEnded({ id: 1, spec: { name: 'j', owner: 'o', account: 'a', partition: 'p', qos: 'q', purpose: 'treatment' }, state: 'COMPLETED', submittedAt: 0, startedAt: 0, endedAt: H, cores: 4 });
    expect(m.metrics().utilizationByContainer).toEqual({ cw: 0, ca: 1 });
  });

  it('computes wait, flow and bounded slowdown per job and turnaround per class', () => {
    const m = simulate(flatClusterConfig(2, 'fcfs'), [
      { submitAt: 0, job: spec('a', 2, 100_000, 'x') },
      { submitAt: 0, job: spec('b', 2, 5_000, 'y') }, // waits 100 s, runs 5 s (< τ)
    ]).metrics();
    expect(m.wait.mean).toBe(50);
    expect(m.flow.mean).toBe((100 + 105) / 2);
    // a: flow 100 / run 100 = 1; b: flow 105 / max(5, 10) = 10.5
    expect(m.bsld.mean).toBe((1 + 10.5) / 2);
    expect(m.bsld.max).toBe(10.5);
    expect(m.turnaroundByClass.x!.mean).toBe(100);
    expect(m.turnaroundByClass.y!.p95).toBe(105);
    expect(m.states).toEqual({ COMPLETED: 2 });
    expect(m.utilization).toBeCloseTo((2 * 105) / (2 * 105), 12);
  });

  it('keeps series short and reports queue depth and per-class wait samples', () => {
    const items: Submission[] = Array.from({ length: 500 }, (_, i) => ({ submitAt: i * 1000, job: spec(`j${i}`, 1, 60_000, i % 2 ? 'odd' : 'even') }));
    const m = new MetricsCollector(flatClusterConfig(4, 'easy'), { maxPoints: 50, maxCdfSamples: 20 });
    new SimEngine(new SchedulerCore(flatClusterConfig(4, 'easy')), { observer: m }).run(items);
    const s = m.series();
    expect(s.utilization.t.length).toBeLessThanOrEqual(50);
    expect(s.queueDepth.depth.length).toBe(s.queueDepth.t.length);
    expect(Math.max(...s.queueDepth.depth)).toBeGreaterThan(10);
    expect(Math.max(...s.utilization.busyFrac)).toBeCloseTo(1, 6);
    expect(Object.keys(s.waitsByClass)).toEqual(['even', 'odd']);
    expect(s.waitsByClass.odd!.length).toBe(20);
  });
});

describe('DownsampledSeries', () => {
  it('never exceeds its point budget and preserves the time-weighted mean', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 300 }), (steps) => {
        const s = new DownsampledSeries(16, 10);
        let t = 0;
        let integral = 0;
        for (const [dt, v] of steps) {
          s.add(t, t + dt, v);
          integral += dt * v;
          t += dt;
        }
        const p = s.points();
        expect(p.t.length).toBeLessThanOrEqual(16);
        // Rebuild the integral from the bucket means and widths.
        let back = 0;
        p.t.forEach((start, i) => {
          const end = i + 1 < p.t.length ? p.t[i + 1]! : t;
          back += p.v[i]! * (end - start);
        });
        expect(back).toBeCloseTo(integral, 3);
      }),
    );
  });
});

describe('stats', () => {
  it('uses nearest-rank percentiles', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileSorted(sorted, 0.5)).toBe(5);
    expect(percentileSorted(sorted, 0.95)).toBe(10);
    expect(percentileSorted([], 0.5)).toBe(0);
    expect(distribution([3, 1, 2])).toMatchObject({ count: 3, mean: 2, p50: 2, max: 3 });
    expect(cdfSample([5, 4, 3, 2, 1], 3)).toEqual([1, 3, 5]);
  });
});
