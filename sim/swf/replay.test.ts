import { describe, expect, it } from 'vitest';
import { SwfError } from '../errors.js';
import { parseSwf } from './format.js';
import { swfReplay } from './replay.js';

// fields: job submit wait run alloc cpu mem reqProcs reqTime ...
const trace = (lines: string[], maxProcs: number | null = 10): ReturnType<typeof parseSwf> =>
  parseSwf(`${maxProcs === null ? '' : `; MaxProcs: ${maxProcs}\n`}${lines.map((l) => `${l} -1 1 1 1 -1 -1 -1 -1 -1`).join('\n')}\n`);

describe('swfReplay', () => {
  it('applies the archive conventions for processors, estimates and run times', () => {
    const r = swfReplay(
      trace([
        '1 0 -1 100 4 -1 -1 6 200', // requested procs (field 8) win
        '2 5 -1 100 3 -1 -1 -1 200', // field 8 not positive: allocated
        '3 5 -1 100 50 -1 -1 50 200', // capped at MaxProcs
        '4 7 -1 300 1 -1 -1 1 200', // ran past its request: estimate = run, run cut to request
        '5 8 -1 0 1 -1 -1 1 200', // run ≤ 0: skipped
        '6 9 -1 10 0 -1 -1 0 200', // no processors: skipped
        '7 -1 -1 10 1 -1 -1 1 200', // negative submit: skipped
        '8 9 -1 10 1 -1 -1 1 0', // request 0: estimate raised to the run
      ]),
      't.swf',
    );
    const tasks = r.items.map((i) => [i.job.name, i.submitAt, i.job.tasks[0]!.cores, i.job.tasks[0]!.timeLimitMs, i.job.tasks[0]!.durationMs]);
    expect(tasks).toEqual([
      ['1', 0, 6, 200_000, 100_000],
      ['2', 5000, 3, 200_000, 100_000],
      ['3', 5000, 10, 200_000, 100_000],
      ['4', 7000, 1, 300_000, 200_000],
      ['8', 9000, 1, 10_000, 1000],
    ]);
    expect(r.skipped.map((s) => s.jobNumber)).toEqual([5, 6, 7]);
    expect(r.items[0]!.job.tasks[0]!.memMb).toBe(0);
  });

  it('can read processors the way pyss does (allocated first)', () => {
    const r = swfReplay(trace(['1 0 -1 100 4 -1 -1 6 200']), 't.swf', { procs: 'allocated' });
    expect(r.items[0]!.job.tasks[0]!.cores).toBe(4);
  });

  it('needs the machine size', () => {
    expect(() => swfReplay(trace(['1 0 -1 100 4 -1 -1 6 200'], null), 't.swf')).toThrow(SwfError);
    expect(swfReplay(trace(['1 0 -1 100 4 -1 -1 6 200'], null), 't.swf', { maxProcs: 8 }).maxProcs).toBe(8);
  });

  it('sorts by submit time, keeping file order among equals', () => {
    const r = swfReplay(trace(['1 50 -1 1 1 -1 -1 1 10', '2 10 -1 1 1 -1 -1 1 10', '3 10 -1 1 1 -1 -1 1 10']), 't.swf');
    expect(r.items.map((i) => i.job.name)).toEqual(['2', '3', '1']);
  });
});
