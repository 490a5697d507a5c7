// Small helpers shared by the bench scripts: percentiles, tables, JSON output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, percentileSorted, renderTable } from '../common/index.js';

/** The `p`th percentile (0..100) of an ascending array: common/'s nearest rank; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : percentileSorted(sorted, p / 100);
}

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The median of the values present (a run may have measured nothing); null when none are. */
export function medianPresent(values: readonly (number | null)[]): number | null {
  const present = values.filter((x): x is number => x !== null);
  return present.length === 0 ? null : median(present);
}

/** A positive number from the environment (a whole one with `integer`), or `dflt` when unset or empty. */
export function envNumber(name: string, dflt: number, { integer = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`${name}=${raw}: expected a positive ${integer ? 'integer' : 'number'}`);
  return v;
}

export function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/** The first row is the header; the first column is left-aligned, the rest right (common/'s formatter). */
export function table(rows: (string | number)[][]): string {
  const [head = [], ...body] = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  return renderTable(head.map((h, i) => ({ header: h, align: i === 0 ? 'left' : 'right' })), body).trimEnd();
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toLocaleString('en-US', { maximumFractionDigits: 0 }) : n.toPrecision(3);
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...data, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
  return file;
}
