// Summarises a .heapprofile (from alloc-profile-preload.ts): the functions that allocated the
// most bytes themselves and beneath them, in MB and as shares of all sampled bytes.
//
//   node dist/bench/alloc-top.js FILE.heapprofile [ROWS]
import { readFileSync } from 'node:fs';
import type { HeapProfiler } from 'node:inspector';
import { label } from './profile-top.js';

type Node = HeapProfiler.SamplingHeapProfileNode;


export interface AllocTop {
  /** Sampled bytes in all (V8 scales each sample to the bytes it stands for). */
  bytes: number;
  /** [function, bytes] by bytes allocated in the function itself, most first. */
  self: [string, number][];
  /** [function, bytes] by bytes allocated in it and what it called (recursion counted once). */
  inclusive: [string, number][];
}

export function allocTop(profile: HeapProfiler.SamplingHeapProfile, rows: number): AllocTop {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let bytes = 0;
  // Depth first with the labels on the path, so that inclusive bytes count a function once.
  const walk = (n: Node, path: Set<string>): number => {
    const l = label(n.callFrame);
    const root = n.callFrame.functionName === '(root)';
    if (!root) self.set(l, (self.get(l) ?? 0) + n.selfSize);
    bytes += n.selfSize;
    const fresh = !root && !path.has(l);
    if (fresh) path.add(l);
    let sum = n.selfSize;
    for (const c of n.children) sum += walk(c, path);
    if (fresh) {
      path.delete(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + sum);
    }
    return sum;
  };
  walk(profile.head, new Set());
  const top = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows);
  return { bytes, self: top(self), inclusive: top(inclusive) };
}

function main(): void {
  const [file, rowsText] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: alloc-top FILE.heapprofile [ROWS]');
  const t = allocTop(JSON.parse(readFileSync(file, 'utf8')) as HeapProfiler.SamplingHeapProfile, Number(rowsText ?? 40));
  const row = ([k, v]: [string, number]): string => `${((100 * v) / Math.max(1, t.bytes)).toFixed(1).padStart(5)}% ${(v / 1e6).toFixed(1).padStart(8)} MB  ${k}`;
  const out = [`${file}: ${(t.bytes / 1e6).toFixed(1)} MB sampled allocation`, '--- self', ...t.self.map(row), '--- inclusive', ...t.inclusive.map(row)];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
