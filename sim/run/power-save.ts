// The same NGC scenario with and without power saving, side by side: energy, recovered heat,
// and the turnaround it costs (urgent and all analyses, p95). `gsched sim --power-save` and
// bench:ngc print these.
import { withoutPowerSave, withPowerSave } from '../../scheduler/core/index.js';
import { runNgc, type NgcRunOptions, type NgcRunResult } from './ngc.js';

/** One side of the comparison; what `--json` and ngc.json carry. */
export interface PowerFigures {
  energy_kwh: number;
  heat_recovered_kwh: number;
  /** null when the run had no urgent analyses. */
  urgent_p95_turnaround_h: number | null;
  p95_turnaround_h: number;
  utilization: number;
  /** Mean suspended nodes over the run, resumes and suspends. */
  mean_suspended_nodes: number;
  resumes: number;
  suspends: number;
}

export interface PowerSaveComparison {
  off: NgcRunResult;
  on: NgcRunResult;
  /** Share of the energy power saving saved (0.9: 90% less). */
  energySaved: number;
}

/**
 * Runs the scenario twice: on the cluster without power saving, then with it (its own
 * `powerSave` section, or the defaults). The workload is the same: same seed, same arrivals.
 */
export function comparePowerSave(opts: NgcRunOptions): PowerSaveComparison {
  const off = runNgc({ ...opts, cluster: withoutPowerSave(opts.cluster) });
  const on = runNgc({ ...opts, cluster: withPowerSave(opts.cluster) });
  const e0 = off.metrics.energyMwh;
  return { off, on, energySaved: e0 > 0 ? 1 - on.metrics.energyMwh / e0 : 0 };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function powerFigures(r: NgcRunResult): PowerFigures {
  const m = r.metrics;
  return {
    energy_kwh: round(m.energyMwh * 1000, 1),
    heat_recovered_kwh: round(m.heatRecoveredMwh * 1000, 1),
    urgent_p95_turnaround_h: r.urgentP95H === null ? null : round(r.urgentP95H, 3),
    p95_turnaround_h: round(m.turnaround.p95 / 3600, 3),
    utilization: round(m.utilization, 4),
    mean_suspended_nodes: round(m.meanSuspendedNodes, 1),
    resumes: r.outcome.powerUps,
    suspends: r.outcome.powerDowns,
  };
}

/** The comparison as rows (measure, without, with) for tables and the HTML report. */
export function powerSaveRows(c: PowerSaveComparison): [string, string, string][] {
  const a = powerFigures(c.off);
  const b = powerFigures(c.on);
  const h = (x: number | null): string => (x === null ? '-' : `${x.toFixed(2)} h`);
  const kwh = (x: number): string => `${Math.round(x).toLocaleString('en-US')} kWh`;
  return [
    ['energy', kwh(a.energy_kwh), `${kwh(b.energy_kwh)} (${(-c.energySaved * 100).toFixed(1)}%)`],
    ['heat recovered', kwh(a.heat_recovered_kwh), kwh(b.heat_recovered_kwh)],
    ['urgent p95 turnaround', h(a.urgent_p95_turnaround_h), h(b.urgent_p95_turnaround_h)],
    ['all analyses p95 turnaround', h(a.p95_turnaround_h), h(b.p95_turnaround_h)],
    ['utilization', `${(a.utilization * 100).toFixed(1)}%`, `${(b.utilization * 100).toFixed(1)}%`],
    ['mean suspended nodes', String(a.mean_suspended_nodes), String(b.mean_suspended_nodes)],
    ['resumes / suspends', `${a.resumes} / ${a.suspends}`, `${b.resumes} / ${b.suspends}`],
  ];
}
