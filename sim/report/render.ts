// Renders a simulation run as one self-contained HTML page: inline CSS and SVG, no scripts, no
// fonts or images from anywhere, so it opens offline and can be mailed or archived as is.
import { percentileSorted } from '../../common/index.js';
import { ReportInputError } from './errors.js';
import { bars, chart, esc, pct, type Axis, type Series } from './svg.js';

export interface SimReportInput {
  title: string;
  summary: Record<string, string | number>;
  /** Busy fraction of all cores (0-1) at simulated times `t` (ms from the start). */
  utilization: { t: number[]; busyFrac: number[] };
  /** Pending jobs at simulated times `t` (ms from the start). */
  queueDepth: { t: number[]; depth: number[] };
  /** Per job class: each job's queue wait in seconds. */
  waitsByClass: Record<string, number[]>;
  /** Busy fraction (0-1) per container over the run. */
  perContainerUtilization?: Record<string, number>;
  /** Power saving: the same run with and without it, one row per measure (measure, without, with). */
  powerSave?: [string, string, string][];
}

const HOUR_S = 3600;
const MAX_CDF_POINTS = 600;
/** Waits below a second are drawn at the left edge with the zero waits. */
const MIN_WAIT_S = 1;

export function renderReport(input: SimReportInput): string {
  check(input);
  const util = pairs(input.utilization.t, input.utilization.busyFrac, 'utilization');
  const queue = pairs(input.queueDepth.t, input.queueDepth.depth, 'queueDepth');
  const unit = timeUnit(Math.max(last(util.xs), last(queue.xs)));
  const toUnit = (s: Series): Series => ({ ...s, xs: s.xs.map((t) => t / unit.ms) });
  const span = Math.max(last(util.xs), last(queue.xs)) / unit.ms || 1;
  const timeAxis: Axis = { min: 0, max: span, label: `simulated time (${unit.name})`, format: num };

  const sections: string[] = [];
  sections.push(section('Summary', summaryTable(input.summary)));
  if (input.powerSave) sections.push(section('Power saving', comparisonTable(['', 'without power saving', 'with power saving'], input.powerSave)));
  sections.push(
    section(
      'Utilization',
      chart('Busy cores over time', timeAxis, { min: 0, max: fracCeiling(util.ys), label: 'busy cores (%)', format: pct }, [toUnit(util)]),
    ),
  );
  const maxDepth = queue.ys.reduce((m, v) => (v > m ? v : m), 1); // no spread: series may hold millions
  sections.push(
    section(
      'Queue depth',
      chart('Pending jobs over time', timeAxis, { min: 0, max: maxDepth, label: 'pending jobs', format: num, integer: true }, [toUnit(queue)], { step: true }),
    ),
  );
  // Sorted once per class, for both the CDF and the table.
  const waits = Object.entries(input.waitsByClass).map(([k, v]): [string, Float64Array] => [k, sortedFinite(v)]);
  sections.push(section('Wait times by class', waitCdf(waits) + waitTable(waits)));
  if (input.perContainerUtilization) {
    const rows = Object.entries(input.perContainerUtilization).map(([k, v]): [string, number] => [k, v]);
    sections.push(section('Utilization per container', bars('Busy cores per container', rows)));
  }

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${esc(input.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(input.title)}</h1>`,
    ...sections,
    '<footer>gsched simulator report: self-contained, no scripts.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const CSS = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:800px;color:#222;padding:0 1rem}',
  'h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}',
  'table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}',
  'td,th{padding:.2rem .8rem;border-bottom:1px solid #eee;text-align:left}td.n,th.n{text-align:right}',
  'svg{max-width:100%;height:auto}',
  'footer{margin-top:2rem;color:#888;font-size:.85rem}',
].join('\n');

/** The y range for fractions: a lightly loaded cluster gets 0-2 %, not a flat line at the bottom of 0-100 %. */
function fracCeiling(ys: number[]): number {
  const top = ys.reduce((m, v) => (v > m ? v : m), 0);
  return [0.01, 0.02, 0.05, 0.1, 0.2, 0.5].find((c) => top <= c) ?? 1;
}

function section(title: string, body: string): string {
  return `<section>\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function summaryTable(summary: Record<string, string | number>): string {
  const rows = Object.entries(summary).map(([k, v]) => {
    const isNum = typeof v === 'number';
    return `<tr><th>${esc(k)}</th><td${isNum ? ' class="n"' : ''}>${esc(isNum ? num(v) : String(v))}</td></tr>`;
  });
  return rows.length ? `<table>\n${rows.join('\n')}\n</table>` : '<p>No summary figures.</p>';
}

function comparisonTable(headers: string[], rows: string[][]): string {
  const head = `<tr>${headers.map((h, i) => `<th${i > 0 ? ' class="n"' : ''}>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(c)}</th>` : `<td class="n">${esc(c)}</td>`)).join('')}</tr>`);
  return `<table>\n${head}\n${body.join('\n')}\n</table>`;
}

/** Cumulative share of jobs that waited at most x hours, per class, on a log x axis. */
function waitCdf(classes: [string, Float64Array][]): string {
  let lo = Infinity;
  let hi = 0;
  for (const [, v] of classes) {
    for (const s of v) {
      if (s > 0 && s < lo) lo = s;
      if (s > hi) hi = s;
    }
  }
  // Decades of hours around the positive waits; zero waits sit on the left edge.
  const minH = Number.isFinite(lo) ? 10 ** Math.floor(Math.log10(Math.max(lo, MIN_WAIT_S) / HOUR_S)) : 1e-3;
  const maxH = Math.max(minH * 10, hi > 0 ? 10 ** Math.ceil(Math.log10(hi / HOUR_S)) : 1);
  const series: Series[] = classes.map(([label, v]) => {
    const xs: number[] = [];
    const ys: number[] = [];
    const step = Math.max(1, Math.ceil(v.length / MAX_CDF_POINTS));
    for (let i = 0; i < v.length; i += step) {
      const j = Math.min(v.length - 1, i + step - 1);
      xs.push(Math.max(minH, (v[j] as number) / HOUR_S));
      ys.push((j + 1) / v.length);
    }
    if (xs.length) {
      xs.unshift(Math.max(minH, (v[0] as number) / HOUR_S));
      ys.unshift(0);
    }
    return { label, xs, ys };
  });
  return chart(
    'Wait-time CDF per class',
    { min: minH, max: maxH, log: true, label: 'queue wait (hours, log scale)', format: decade },
    { min: 0, max: 1, label: 'jobs waiting at most x (%)', format: pct },
    series,
    { step: true, legend: true },
  );
}

function waitTable(waits: [string, Float64Array][]): string {
  const head =
    '<tr><th>class</th><th class="n">jobs</th><th class="n">no wait</th><th class="n">mean</th><th class="n">median</th><th class="n">p95</th><th class="n">max</th></tr>';
  const rows = waits.map(([k, v]) => {
    const mean = v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
    const zero = v.length ? pct(v.filter((x) => x === 0).length / v.length) : '–';
    const cells = [num(v.length), zero, dur(mean), dur(v.length ? percentileSorted(v, 0.5) : NaN), dur(v.length ? percentileSorted(v, 0.95) : NaN), dur(v[v.length - 1] ?? NaN)];
    return `<tr><td>${esc(k)}</td>${cells.map((c) => `<td class="n">${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table>\n${head}\n${rows.join('\n')}\n</table>`;
}

/** Finite, non-negative, ascending (a typed array sorts numerically and fast). */
function sortedFinite(v: number[]): Float64Array {
  let n = 0;
  for (const x of v) if (Number.isFinite(x) && x >= 0) n++;
  const out = new Float64Array(n);
  let i = 0;
  for (const x of v) if (Number.isFinite(x) && x >= 0) out[i++] = x;
  return out.sort();
}

/** Finite (t, v) pairs in time order. */
function pairs(ts: number[], vs: number[], label: string): Series {
  const xs: number[] = [];
  const ys: number[] = [];
  let ordered = true;
  const len = Math.min(ts.length, vs.length);
  for (let i = 0; i < len; i++) {
    const t = ts[i] as number;
    const v = vs[i] as number;
    if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
    if (xs.length > 0 && t < (xs[xs.length - 1] as number)) ordered = false;
    xs.push(t);
    ys.push(v);
  }
  if (!ordered) {
    const order = xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
    return { label, xs: order.map((i) => xs[i] as number), ys: order.map((i) => ys[i] as number) };
  }
  return { label, xs, ys };
}

function last(v: number[]): number {
  return v.length ? Math.max(0, v[v.length - 1] as number) : 0;
}

function timeUnit(spanMs: number): { name: string; ms: number } {
  if (spanMs >= 3 * 86_400_000) return { name: 'days', ms: 86_400_000 };
  if (spanMs >= 3 * 3_600_000) return { name: 'hours', ms: 3_600_000 };
  return { name: 'minutes', ms: 60_000 };
}

function num(v: number): string {
  return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 0.01 && v !== 0 ? 4 : 2 }) : '–';
}

/** 0.001, 0.01, 0.1, 1, 10, 100: decimals for small decades, not "0". */
function decade(v: number): string {
  return v >= 1 ? num(v) : String(Number(v.toPrecision(1)));
}

function dur(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${num(seconds)} s`;
  if (seconds < HOUR_S) return `${num(seconds / 60)} min`;
  if (seconds < 48 * HOUR_S) return `${num(seconds / HOUR_S)} h`;
  return `${num(seconds / 86_400)} d`;
}

function check(input: unknown): asserts input is SimReportInput {
  const o = obj(input, 'input');
  if (typeof o.title !== 'string') throw new ReportInputError('title', 'a string');
  const summary = obj(o.summary, 'summary');
  for (const [k, v] of Object.entries(summary)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new ReportInputError(`summary.${k}`, 'a string or a number');
  }
  const u = obj(o.utilization, 'utilization');
  numbers(u.t, 'utilization.t');
  numbers(u.busyFrac, 'utilization.busyFrac');
  const q = obj(o.queueDepth, 'queueDepth');
  numbers(q.t, 'queueDepth.t');
  numbers(q.depth, 'queueDepth.depth');
  for (const [k, v] of Object.entries(obj(o.waitsByClass, 'waitsByClass'))) numbers(v, `waitsByClass.${k}`);
  if (o.perContainerUtilization !== undefined) {
    for (const [k, v] of Object.entries(obj(o.perContainerUtilization, 'perContainerUtilization'))) {
      if (typeof v !== 'number') throw new ReportInputError(`perContainerUtilization.${k}`, 'a number');
    }
  }
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReportInputError(field, 'an object');
  return v as Record<string, unknown>;
}

/** Arrays of numbers; NaN and infinities are allowed (and skipped when drawing). */
function numbers(v: unknown, field: string): void {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new ReportInputError(field, 'an array of numbers');
}
