// Throughput, utilization, power and recovered heat over time (uPlot, served from its npm
// package by the scheduler).
import uPlot from './uPlot.esm.js';
import type { DashboardStats } from '../contract/stats.js';

type Series = { label: string; stroke: string; fill?: string; value: (s: DashboardStats['history'], i: number) => number };

interface Chart {
  plot: uPlot;
  series: Series[];
}

const charts: Chart[] = [];

function make(host: HTMLElement, title: string, unit: string, series: Series[]): Chart {
  const box = document.createElement('div');
  box.className = 'chart';
  host.append(box);
  const plot = new uPlot(
    {
      title,
      width: Math.max(260, host.clientWidth / 3 - 24),
      height: 170,
      scales: { x: { time: true } },
      axes: [{ stroke: '#667' }, { stroke: '#667', size: 56, values: (_u, v) => v.map((x) => `${+x.toFixed(1)}${unit}`) }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, ...(s.fill ? { fill: s.fill } : {}) }))],
      legend: { show: true },
    },
    [[], ...series.map(() => [])],
    box,
  );
  return { plot, series };
}

export function initCharts(host: HTMLElement): void {
  charts.push(
    make(host, 'Throughput (jobs ended per minute)', '', [{ label: 'jobs ended per minute', stroke: '#0b7a75', value: (h, i) => h.jobsPerMinute[i] ?? 0 }]),
    make(host, 'Utilization (% of up cores allocated)', '%', [{ label: 'allocated / up cores', stroke: '#2a5db0', fill: 'rgba(42,93,176,0.12)', value: (h, i) => 100 * (h.utilization[i] ?? 0) }]),
    make(host, 'Power and recovered heat (kW)', '', [
      { label: 'power', stroke: '#c0392b', value: (h, i) => (h.powerWatts[i] ?? 0) / 1000 },
      { label: 'heat recovered', stroke: '#e67e22', fill: 'rgba(230,126,34,0.12)', value: (h, i) => (h.heatWatts[i] ?? 0) / 1000 },
    ]),
  );
}

export function updateCharts(stats: DashboardStats): void {
  const h = stats.history;
  const x = h.t.map((t) => t / 1000);
  for (const c of charts) c.plot.setData([x, ...c.series.map((s) => h.t.map((_t, i) => s.value(h, i)))]);
}
