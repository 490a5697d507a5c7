// Hand-made SVG charts: no library, no script, no external font. Every number written into the
// SVG goes through `n()`, so an empty or odd series can never put NaN into the markup.

export const W = 760;
export const H = 280;
const M = { left: 64, right: 24, top: 16, bottom: 48 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
/** Text style as presentation attributes, so a chart copied out of the page still renders. */
const TEXT = 'font-family="system-ui, sans-serif" font-size="12" fill="#333"';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A coordinate for the markup: finite, one decimal. */
function n(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 10) / 10) : '0';
}

export interface Series {
  label: string;
  xs: number[];
  ys: number[];
}

export interface Axis {
  min: number;
  max: number;
  log?: boolean;
  label: string;
  /** Tick text for a value. */
  format: (v: number) => string;
  ticks?: number[];
  /** Counts: whole-number ticks only. */
  integer?: boolean;
}

/** 1-2-5 ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 6, integer = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = ([1, 2, 5, 10].find((f) => f * mag >= raw) ?? 10) * mag;
  const step = integer ? Math.max(1, Math.round(nice)) : nice;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step + 0); // + 0 turns -0 into 0
  return out;
}

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(min)); 10 ** e <= max * 1.0001; e++) out.push(10 ** e);
  return out;
}

function scale(a: Axis, size: number, flip: boolean): (v: number) => number {
  const f = a.log ? Math.log10 : (v: number) => v;
  const lo = f(a.min);
  const span = f(a.max) - lo || 1;
  return (v) => {
    const r = Math.min(1, Math.max(0, (f(v) - lo) / span));
    return flip ? size * (1 - r) : size * r;
  };
}

/**
 * At most ~2 points per pixel column: the min and max of each column, in time order, so peaks
 * survive and a four-year series stays a few kilobytes.
 */
export function envelope(xs: number[], ys: number[], x: (v: number) => number): [number, number][] {
  const out: [number, number][] = [];
  let col = -1;
  let lo: [number, number] | null = null;
  let hi: [number, number] | null = null;
  const flush = () => {
    if (lo && hi) {
      if (lo === hi) out.push(lo);
      else if (lo[0] <= hi[0]) out.push(lo, hi);
      else out.push(hi, lo);
    }
  };
  for (let i = 0; i < xs.length; i++) {
    const px = x(xs[i] as number);
    const y = ys[i] as number;
    const c = Math.floor(px);
    if (c !== col) {
      flush();
      col = c;
      lo = hi = [px, y];
    } else {
      if (lo && y < lo[1]) lo = [px, y];
      if (hi && y > hi[1]) hi = [px, y];
    }
  }
  flush();
  return out;
}

/** A chart frame with axes, ticks, labels and one polyline per series (already in data units). */
export function chart(title: string, xAxis: Axis, yAxis: Axis, series: Series[], opts: { step?: boolean; legend?: boolean } = {}): string {
  const x = scale(xAxis, PW, false);
  const y = scale(yAxis, PH, true);
  const parts: string[] = [];
  // The legend goes under the plot, three entries a row, so it never hides a curve.
  const legendRows = opts.legend ? Math.ceil(series.length / 3) : 0;
  const height = H + legendRows * 18;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<g transform="translate(${M.left},${M.top})" ${TEXT}>`,
  );
  const xt = xAxis.ticks ?? (xAxis.log ? decades(xAxis.min, xAxis.max) : niceTicks(xAxis.min, xAxis.max));
  const yt = yAxis.ticks ?? (yAxis.log ? decades(yAxis.min, yAxis.max) : niceTicks(yAxis.min, yAxis.max, 5, yAxis.integer));
  for (const v of yt) {
    const py = n(y(v));
    parts.push(`<line x1="0" x2="${PW}" y1="${py}" y2="${py}" stroke="#e6e6e6" />`);
    parts.push(`<text x="-6" y="${py}" text-anchor="end" dominant-baseline="middle">${esc(yAxis.format(v))}</text>`);
  }
  for (const v of xt) {
    const px = n(x(v));
    parts.push(`<line x1="${px}" x2="${px}" y1="0" y2="${PH}" stroke="#e6e6e6" />`);
    parts.push(`<text x="${px}" y="${PH + 16}" text-anchor="middle">${esc(xAxis.format(v))}</text>`);
  }
  parts.push(`<rect x="0" y="0" width="${PW}" height="${PH}" fill="none" stroke="#999" />`);
  parts.push(`<text x="${n(PW / 2)}" font-size="13" y="${PH + 38}" text-anchor="middle">${esc(xAxis.label)}</text>`);
  parts.push(`<text font-size="13" transform="translate(-48,${n(PH / 2)}) rotate(-90)" text-anchor="middle">${esc(yAxis.label)}</text>`);

  const drawn = series.filter((s) => s.xs.length > 0);
  if (drawn.length === 0) {
    parts.push(`<text x="${n(PW / 2)}" y="${n(PH / 2)}" text-anchor="middle" font-size="16" fill="#999">no data</text>`);
  }
  series.forEach((s, i) => {
    if (s.xs.length === 0) return;
    const color = PALETTE[i % PALETTE.length] as string;
    const pts = envelope(s.xs, s.ys, x);
    const coords: string[] = [];
    let prevY: number | null = null;
    for (const [px, v] of pts) {
      const py = y(v);
      if (opts.step && prevY !== null) coords.push(`${n(px)},${n(prevY)}`);
      coords.push(`${n(px)},${n(py)}`);
      prevY = py;
    }
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${coords.join(' ')}" />`);
  });
  if (opts.legend) {
    series.forEach((s, i) => {
      const color = PALETTE[i % PALETTE.length] as string;
      const lx = (i % 3) * (PW / 3);
      const ly = PH + 58 + Math.floor(i / 3) * 18;
      parts.push(`<rect x="${n(lx)}" y="${ly - 3}" width="14" height="5" fill="${color}" />`);
      parts.push(`<text x="${n(lx + 20)}" y="${ly}" dominant-baseline="middle">${esc(s.label)}${s.xs.length === 0 ? ' (none)' : ''}</text>`);
    });
  }
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}

/** Horizontal bars of fractions in [0, 1], one per label. */
export function bars(title: string, rows: [string, number][]): string {
  const rowH = 26;
  const h = M.top + rows.length * rowH + 36;
  const labelW = 120;
  const bw = W - labelW - M.right - 60;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<g ${TEXT}>`,
  ];
  if (rows.length === 0) parts.push(`<text x="${W / 2}" y="${h / 2}" text-anchor="middle" font-size="16" fill="#999">no data</text>`);
  rows.forEach(([label, v], i) => {
    const f = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
    const y0 = M.top + i * rowH;
    parts.push(
      `<text x="${labelW - 8}" y="${y0 + 9}" text-anchor="end" dominant-baseline="middle">${esc(label)}</text>`,
      `<rect x="${labelW}" y="${y0}" width="${bw}" height="18" fill="#f0f0f0" />`,
      `<rect x="${labelW}" y="${y0}" width="${n(bw * f)}" height="18" fill="${PALETTE[0]}" />`,
      `<text x="${n(labelW + bw + 8)}" y="${y0 + 9}" dominant-baseline="middle">${esc(pct(f))}</text>`,
    );
  });
  parts.push(`<text font-size="13" x="${labelW + bw / 2}" y="${h - 10}" text-anchor="middle">busy cores (% of the container)</text>`);
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}

export function pct(f: number): string {
  return `${Math.round(f * 1000) / 10}%`;
}
