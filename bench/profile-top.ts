// Summarises a .cpuprofile (from cpu-profile-preload.ts): the functions with the most samples
// of their own and with the most samples beneath them, as shares of the busy (not idle) time.
//
//   node dist/bench/profile-top.js FILE.cpuprofile [ROWS]
import { readFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';

/** A function as `name file:line`, with node_modules and dist prefixes cut (CPU and allocation profiles alike). */
export function label(cf: Pick<Profiler.ProfileNode['callFrame'], 'functionName' | 'url' | 'lineNumber'>): string {
  const url = cf.url.replace(/^.*node_modules\//, '~/').replace(/^.*\/dist\//, '');
  return `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
}

export interface ProfileTop {
  samples: number;
  /** Share of samples the thread was idle. */
  idle: number;
  self: [string, number][];
  inclusive: [string, number][];
}

export function profileTop(profile: Profiler.Profile, rows: number): ProfileTop {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples ?? []) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (node === undefined) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    const own = label(node.callFrame);
    self.set(own, (self.get(own) ?? 0) + count);
    // A recursive function counts once per sample.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined || n.callFrame.functionName === '(root)') continue;
      const l = label(n.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + count);
    }
  }
  const samples = profile.samples?.length ?? 0;
  const busy = Math.max(1, samples - idle);
  const top = (m: Map<string, number>): [string, number][] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([k, v]) => [k, v / busy]);
  return { samples, idle: samples === 0 ? 0 : idle / samples, self: top(self), inclusive: top(inclusive) };
}

function main(): void {
  const [file, rowsText] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-top FILE.cpuprofile [ROWS]');
  const t = profileTop(JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile, Number(rowsText ?? 40));
  const pct = (x: number): string => `${(100 * x).toFixed(1).padStart(5)}%`;
  const out = [`${file}: ${t.samples} samples, idle ${pct(t.idle)}; shares of the busy samples`, '--- self'];
  for (const [k, v] of t.self) out.push(`${pct(v)}  ${k}`);
  out.push('--- inclusive');
  for (const [k, v] of t.inclusive) out.push(`${pct(v)}  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
