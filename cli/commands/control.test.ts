// scontrol update's key=value pairs and sbatch --begin's forms, read into the API's terms.
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { parseBegin, parseUpdate } from './control.js';

const NOW = 1_800_000_000_000;

function refusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('parseUpdate', () => {
  it('reads Slurm\'s keys, case-insensitively', () => {
    expect(parseUpdate(['TimeLimit=1:30:00', 'qos=urgent', 'Nice=-10', 'Dependency=afterok:4:5', 'ArrayTaskThrottle=2', 'StartTime=now+1hour'], NOW)).toEqual({
      timeLimitMs: 5_400_000,
      qos: 'urgent',
      nice: -10,
      dependencies: [{ kind: 'afterok', jobId: 4 }, { kind: 'afterok', jobId: 5 }],
      throttle: 2,
      beginAt: NOW + 3_600_000,
    });
    expect(parseUpdate(['StartTime=now', 'Dependency='], NOW)).toEqual({ beginAt: null, dependencies: [] });
    expect(parseUpdate(['Partition=research', 'Dependency=after:3?afterok:4'], NOW)).toEqual({ partition: 'research', dependencies: [{ kind: 'after', jobId: 3 }, { kind: 'afterok', jobId: 4 }], dependencyAny: true });
  });

  it.each([
    [[], /give one or more key=value pairs/],
    [['TimeLimit'], /expected key=value/],
    [['TimeLimit=soon'], /TimeLimit=soon: expected a time limit/],
    [['Features=gpu'], /Features: not a field gsched can change/],
    [['Nice=high'], /Nice=high: expected a whole number/],
    [['StartTime=soon'], /^update StartTime=soon: expected now\+N/], // not "--begin soon": the user typed no --begin
    [['Dependency=afterfoo:1'], /^update Dependency=afterfoo:1: expected a list like/], // not "--dependency": the user typed none
    // singleton is kept from the submit only: taking the rest would clear the dependencies silently.
    [['Dependency=singleton'], /^update Dependency=singleton: singleton can only be given at submit$/],
  ])('refuses %j with exit 2', (pairs, message) => {
    const e = refusal(() => parseUpdate(pairs, NOW));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
  });
});

describe('parseBegin', () => {
  it('reads now+N with units, and dates when the scheduler runs on the wall clock', () => {
    expect(parseBegin('now', NOW)).toBe(NOW);
    expect(parseBegin('now+90', NOW)).toBe(NOW + 90_000);
    expect(parseBegin('now+30min', NOW)).toBe(NOW + 1_800_000);
    expect(parseBegin('now+2days', NOW)).toBe(NOW + 2 * 86_400_000);
    expect(parseBegin('2027-01-15T06:00:00Z', NOW)).toBe(Date.parse('2027-01-15T06:00:00Z'));
  });
  it('refuses a date against a scaled clock, and unknown units', () => {
    expect(refusal(() => parseBegin('2027-01-15T06:00', 5_000)).message).toMatch(/not the wall clock/);
    expect(refusal(() => parseBegin('now+3fortnights', NOW)).message).toMatch(/unknown unit/);
    expect(refusal(() => parseBegin('tomorrowish', NOW)).exitCode).toBe(2);
  });
});
