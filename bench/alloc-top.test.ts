import { describe, expect, it } from 'vitest';
import type { HeapProfiler } from 'node:inspector';
import { allocTop } from './alloc-top.js';

const node = (functionName: string, line: number, selfSize: number, children: HeapProfiler.SamplingHeapProfileNode[] = []): HeapProfiler.SamplingHeapProfileNode => ({
  callFrame: { functionName, scriptId: '1', url: '/x/dist/sim/a.js', lineNumber: line, columnNumber: 0 },
  selfSize,
  children,
});

describe('allocTop', () => {
  it('sums bytes per function, self and inclusive, counting a recursive function once per path', () => {
    // root -> run(10) -> build(30) -> build(20) ; root -> run(5) -> parse(35)
    const profile: HeapProfiler.SamplingHeapProfile = {
      head: node('(root)', -1, 0, [node('run', 9, 10, [node('build', 19, 30, [node('build', 19, 20)])]), node('run', 9, 5, [node('parse', 29, 35)])]),
    };
    const t = allocTop(profile, 10);
    expect(t.bytes).toBe(100);
    expect(t.self).toEqual([
      ['build sim/a.js:20', 50],
      ['parse sim/a.js:30', 35],
      ['run sim/a.js:10', 15],
    ]);
    expect(t.inclusive).toEqual([
      ['run sim/a.js:10', 100],
      ['build sim/a.js:20', 50],
      ['parse sim/a.js:30', 35],
    ]);
  });
});
