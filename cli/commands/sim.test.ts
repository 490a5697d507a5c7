import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { parseSwf } from '../../sim/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-sim-cli-'));
const TRACE = join(dir, 'small.swf');
writeFileSync(
  TRACE,
  [
    '; MaxProcs: 4',
    '1 0 -1 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 -1 -1 -1',
    '2 10 -1 50 2 -1 -1 2 60 -1 1 1 1 -1 -1 -1 -1 -1',
    '3 20 -1 30 2 -1 -1 2 40 -1 1 1 1 -1 -1 -1 -1 -1',
  ].join('\n') + '\n',
);

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const gsched = (...args: string[]): Promise<number> => main(['node', 'gsched', 'sim', ...args]);

describe('gsched sim --swf', () => {
  it('prints one JSON object with the run’s figures and writes the schedule back as SWF', async () => {
    const schedule = join(dir, 'out.swf');
    expect(await gsched('--swf', TRACE, '--policy', 'fcfs', '--json', '--out', schedule)).toBe(0);
    const j = JSON.parse(out) as Record<string, number>;
    for (const k of ['jobs', 'avg_wait_s', 'avg_flow_s', 'avg_bsld', 'max_bsld', 'utilization', 'makespan_s', 'wall_s']) expect(j).toHaveProperty(k);
    // FCFS: job 2 waits for job 1 (ends at 100), job 3 behind job 2 starts at 100 too.
    expect(j.jobs).toBe(3);
    expect(j.avg_wait_s).toBeCloseTo((0 + 90 + 80) / 3, 2);
    expect(out.trim().split('\n')).toHaveLength(1);
    const back = parseSwf(readFileSync(schedule, 'utf8'));
    expect(back.header.maxProcs).toBe(4);
    expect(back.jobs.map((x) => [x.jobNumber, x.waitTime, x.runTime])).toEqual([
      [1, 0, 100],
      [2, 90, 50],
      [3, 80, 30],
    ]);
  });

  it('prints a readable table without --json, and no progress bar when stderr is not a terminal', async () => {
    expect(await gsched('--swf', TRACE)).toBe(0);
    expect(out).toMatch(/^avg_wait_s\s+\S+/m);
    expect(err).toBe('');
  });

  it('reports bad input on one line with exit code 2', async () => {
    const bad = join(dir, 'bad.swf');
    writeFileSync(bad, '; MaxProcs: 4\n1 0 -1 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 -1 -1 -1\n2 10 -1 fifty 2 -1 -1 2 60 -1 1 1 1 -1 -1 -1 -1 -1\n');
    const cases: [string[], RegExp][] = [
      [['--swf', join(dir, 'missing.swf')], /missing\.swf: no such file/],
      [['--swf', bad], /bad\.swf:3: field 4 \(runTime\) is "fifty"/],
      [['--swf', TRACE, '--policy', 'sjf'], /--policy is "sjf"/],
      [['--workload', 'ngc', '--analyses', '0'], /--analyses is "0"/],
      [['--workload', 'ngc', '--analyses', '-5'], /--analyses is "-5"/],
      [['--workload', 'tpc'], /--workload is "tpc"/],
      [[], /exactly one of --swf FILE or --workload ngc/],
    ];
    for (const [args, message] of cases) {
      err = '';
      expect(await gsched(...args), args.join(' ')).toBe(2);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('gsched sim --workload ngc --power-save', () => {
  it('reports the run with and without power saving side by side, in --json and the HTML report', async () => {
    const report = join(dir, 'power.html');
    expect(await gsched('--workload', 'ngc', '--scenario', 'steady', '--analyses', '40', '--seed', '2', '--power-save', '--json', '--report', report)).toBe(0);
    type Side = Record<'energy_kwh' | 'resumes', number>;
    const j = JSON.parse(out) as { energy_saved: number; without_power_save: Side; with_power_save: Side };
    for (const side of [j.without_power_save, j.with_power_save]) {
      for (const k of ['energy_kwh', 'heat_recovered_kwh', 'p95_turnaround_h', 'mean_suspended_nodes', 'resumes', 'suspends']) expect(side).toHaveProperty(k);
    }
    expect(j.without_power_save.resumes).toBe(0);
    expect(j.with_power_save.energy_kwh).toBeLessThan(j.without_power_save.energy_kwh);
    expect(j.energy_saved).toBeCloseTo(1 - j.with_power_save.energy_kwh / j.without_power_save.energy_kwh, 2);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Power saving</h2>');
    expect(html).toMatch(/without power saving.*with power saving/s);
    expect(html).toContain('urgent p95 turnaround');
  });

  it('refuses --power-save with the capacity scenario, saying which to use', async () => {
    expect(await gsched('--workload', 'ngc', '--scenario', 'capacity', '--power-save')).toBe(2);
    expect(err).toMatch(/--power-save .* --scenario steady or burst/);
  });
});
