// The one flat JSON object `gsched sim --json` prints and the benchmark records, and the
// human-readable table of the same numbers.
import { renderTable } from '../../common/index.js';
import type { SimMetrics } from '../metrics/collector.js';
import type { SimOutcome } from '../engine/index.js';

export type SummaryValue = number | string | null | Record<string, number> | Record<string, Record<string, number>>;
export type Summary = Record<string, SummaryValue>;

const r = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Fields common to trace replays and NGC runs. */
export function baseSummary(m: SimMetrics, o: SimOutcome, wallS: number): Summary {
  return {
    jobs: m.jobs,
    job_states: { ...m.states } as Record<string, number>,
    avg_wait_s: r(m.wait.mean, 2),
    p50_wait_s: r(m.wait.p50, 2),
    p95_wait_s: r(m.wait.p95, 2),
    p99_wait_s: r(m.wait.p99, 2),
    avg_flow_s: r(m.flow.mean, 2),
    avg_bsld: r(m.bsld.mean, 4),
    max_bsld: r(m.bsld.max, 2),
    utilization: r(m.utilization, 4),
    makespan_s: r(m.makespanS, 0),
    jobs_per_day: r(m.jobsPerDay, 2),
    rejected: o.jobsRejected,
    unfinished: o.jobsUnfinished,
    events: o.events,
    events_per_s: wallS > 0 ? Math.round(o.events / wallS) : null,
    wall_s: r(wallS, 3),
  };
}

/** NGC extras: analyses, tasks, per-class turnaround (hours), energy, heat, preemptions. */
export function ngcSummary(m: SimMetrics, o: SimOutcome, wallS: number): Summary {
  const byClass: Record<string, Record<string, number>> = {};
  for (const [cls, d] of Object.entries(m.turnaroundByClass)) {
    byClass[cls] = { count: d.count, mean_h: r(d.mean / 3600, 3), p50_h: r(d.p50 / 3600, 3), p95_h: r(d.p95 / 3600, 3), p99_h: r(d.p99 / 3600, 3) };
  }
  const byContainer: Record<string, Record<string, number>> = {};
  for (const [c, u] of Object.entries(m.utilizationByContainer)) byContainer[c] = { utilization: r(u, 4) };
  return {
    ...baseSummary(m, o, wallS),
    analyses_completed: m.states.COMPLETED ?? 0,
    analyses_per_day: r(m.jobsPerDay, 2),
    tasks: o.tasksStarted,
    p95_turnaround_h: r(m.turnaround.p95 / 3600, 3),
    turnaround_by_class: byClass,
    utilization_by_container: byContainer,
    energy_mwh: r(m.energyMwh, 3),
    heat_recovered_mwh: r(m.heatRecoveredMwh, 3),
    heat_recovery_fraction: m.heatRecoveryFraction,
    preemptions: m.preemptions,
    timeouts: m.timeouts,
    node_failures: o.nodeFailures,
    tasks_lost_to_failures: o.tasksLostToFailures,
  };
}

/** Two aligned columns; nested objects become one indented row per key. */
export function summaryTable(s: Summary): string {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(s)) {
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.every(([, inner]) => typeof inner === 'number')) {
        rows.push([k, entries.map(([a, b]) => `${a}=${fmtNum(b as number)}`).join('  ')]);
        continue;
      }
      rows.push([k, '']);
      for (const [sub, inner] of entries) {
        rows.push([`  ${sub}`, Object.entries(inner as Record<string, number>).map(([a, b]) => `${a}=${fmtNum(b)}`).join('  ')]);
      }
    } else rows.push([k, typeof v === 'number' ? fmtNum(v) : String(v)]);
  }
  return renderTable([{ header: '' }, { header: '' }], rows, { header: false });
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}
