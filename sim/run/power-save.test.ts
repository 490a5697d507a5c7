// Power saving in the simulator: on a small steady NGC scenario (the machine mostly idle) it
// cuts energy by far more than the 60% target while urgent analyses still finish within 8 h,
// and no task ever starts on a node that is suspended or still booting.
import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import { withPowerSave } from '../../scheduler/core/index.js';
import type { SimObserver } from '../engine/index.js';
import { comparePowerSave, powerFigures } from './power-save.js';
import { runNgc } from './ngc.js';

describe('power saving in the simulator', () => {
  it('cuts the steady scenario energy by at least 60% with urgent p95 within 8 h', () => {
    const c = comparePowerSave({ analyses: 200, seed: 3, scenario: 'steady', cluster: loadClusterConfig() });
    const off = powerFigures(c.off);
    const on = powerFigures(c.on);
    expect(c.off.metrics.states.COMPLETED).toBe(200);
    expect(c.on.metrics.states.COMPLETED).toBe(200);
    expect(off.resumes + off.suspends).toBe(0);
    expect(on.resumes).toBeGreaterThan(0);
    expect(c.energySaved).toBeGreaterThanOrEqual(0.6);
    expect(on.energy_kwh).toBeLessThan(off.energy_kwh * 0.4);
    expect(on.heat_recovered_kwh).toBeGreaterThan(0);
    expect(on.urgent_p95_turnaround_h).not.toBeNull();
    expect(on.urgent_p95_turnaround_h as number).toBeLessThanOrEqual(8);
  });

  it('starts no task on a node that is not on', () => {
    const power = new Map<string, string>();
    const bad: string[] = [];
    let starts = 0;
    const observer: SimObserver = {
      onPower: (node, state) => void power.set(node, state),
      onTaskStart: (taskId, _jobId, node, _cores, now) => {
        starts++;
        if ((power.get(node) ?? 'on') !== 'on') bad.push(`task ${taskId} on ${node} (${power.get(node)}) at ${now}`);
      },
    };
    const r = runNgc({ analyses: 60, seed: 5, scenario: 'steady', cluster: withPowerSave(loadClusterConfig()), observer });
    expect(r.outcome.powerUps).toBeGreaterThan(0);
    expect(starts).toBe(r.outcome.tasksStarted);
    expect(bad).toEqual([]);
  });
});
