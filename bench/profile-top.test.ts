import { describe, expect, it } from 'vitest';
import type { Profiler } from 'node:inspector';
import { profileTop } from './profile-top.js';

const frame = (functionName: string, line = 0): Profiler.ProfileNode['callFrame'] => ({ functionName, scriptId: '1', url: '/x/dist/scheduler/a.js', lineNumber: line, columnNumber: 0 });

describe('profileTop', () => {
  it('counts self and inclusive samples as shares of the busy samples, once per sample for recursion', () => {
    // root -> handler -> audit -> audit (recursive) ; root -> idle
    const profile: Profiler.Profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('handler', 10), children: [3] },
        { id: 3, callFrame: frame('audit', 20), children: [4] },
        { id: 4, callFrame: frame('audit', 20) },
        { id: 5, callFrame: frame('(idle)') },
      ],
      startTime: 0,
      endTime: 10,
      samples: [2, 3, 4, 4, 5, 5, 5, 5],
      timeDeltas: [1, 1, 1, 1, 1, 1, 1, 1],
    };
    const t = profileTop(profile, 10);
    expect(t.samples).toBe(8);
    expect(t.idle).toBe(0.5);
    expect(t.self).toEqual([
      ['audit scheduler/a.js:21', 0.75],
      ['handler scheduler/a.js:11', 0.25],
    ]);
    expect(t.inclusive).toEqual([
      ['handler scheduler/a.js:11', 1],
      ['audit scheduler/a.js:21', 0.75],
    ]);
  });
});
