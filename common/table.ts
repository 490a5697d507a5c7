// A small fixed-width table renderer: columns sized to their content, shrunk to fit a
// terminal when they must (the shrinkable ones first, widest first), truncated cells
// marked with an ellipsis.

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /**
   * May be truncated to fit the width (names, node lists, reasons). A number ranks columns:
   * higher ones are cut first, down to a floor, before lower ones are touched; `true` is 1.
   */
  shrink?: boolean | number;
}

export interface TableOptions {
  /** Total width to fit in; null or absent for no limit. */
  width?: number | null;
  /** Spaces between columns. */
  gap?: number;
  /** Print the header line (default true); a key/value listing has none. */
  header?: boolean;
  /** A line of dashes under the header. */
  rule?: boolean;
}

const ELLIPSIS = '…';
const MIN_SHRUNK = 4;

export function renderTable(columns: Column[], rows: string[][], opts: TableOptions = {}): string {
  let gap = opts.gap ?? 2;
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  if (opts.width != null) {
    // Still too wide once every shrinkable column is at its floor: close up to one space.
    if (!fit(columns, widths, opts.width - gap * (columns.length - 1)) && gap > 1) {
      gap = 1;
      fit(columns, widths, opts.width - (columns.length - 1));
    }
  }
  const line = (cells: string[]): string =>
    columns
      .map((c, i) => pad(clip(cells[i] ?? '', widths[i] ?? 0), widths[i] ?? 0, c.align ?? 'left'))
      .join(' '.repeat(gap))
      .trimEnd();
  const head = opts.header === false ? [] : [line(columns.map((c) => c.header)), ...(opts.rule ? [line(widths.map((w) => '-'.repeat(w)))] : [])];
  return [...head, ...rows.map(line)].join('\n') + '\n';
}

const rank = (c: Column): number => (c.shrink === true ? 1 : typeof c.shrink === 'number' ? c.shrink : 0);

/** Narrows shrinkable columns (highest rank, then widest, first) until the sum fits `budget`; false if it cannot. */
function fit(columns: Column[], widths: number[], budget: number): boolean {
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let pick = -1;
    for (const [i, c] of columns.entries()) {
      const w = widths[i] ?? 0;
      const floor = Math.max(MIN_SHRUNK, c.header.length);
      if (rank(c) === 0 || w <= floor) continue;
      const p = columns[pick];
      if (pick < 0 || !p || rank(c) > rank(p) || (rank(c) === rank(p) && w > (widths[pick] ?? 0))) pick = i;
    }
    if (pick < 0) return false; // nothing left to give
    widths[pick] = (widths[pick] ?? 0) - 1;
    total--;
  }
  return true;
}

export function clip(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  return text.slice(0, width - 1) + ELLIPSIS;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** The width tables should fit: the terminal's, else $COLUMNS, else none (piped output is not cut). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const cols = Number(env.COLUMNS);
  return Number.isInteger(cols) && cols > 0 ? cols : null;
}
