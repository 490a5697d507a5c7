// CPU lists as taskset and Linux write them, and the check `gsched up --agent-cpus` makes first.
import { describe, expect, it } from 'vitest';
import { allowedCpus, checkCpuList, cpuCount, CpuListError, lastCpu } from './cpu-affinity.js';

describe('CPU lists', () => {
  it('counts and tops a list of CPUs and ranges', () => {
    expect(cpuCount('0-3,8')).toBe(5);
    expect(cpuCount('1')).toBe(1);
    expect(cpuCount('0-1,1')).toBe(2);
    expect(lastCpu('0-3,8')).toBe(8);
    expect(lastCpu('2-3')).toBe(3);
    expect(cpuCount('one')).toBeNull();
    expect(lastCpu('')).toBeNull();
  });

  it('reads the CPUs this process may use', () => {
    const list = allowedCpus();
    if (process.platform !== 'linux') return;
    expect(list).toMatch(/^\d/);
    expect(cpuCount(list as string)).toBeGreaterThanOrEqual(1);
  });

  it('accepts a CPU this process may use, and refuses a malformed list or a CPU the host lacks, saying why', () => {
    if (process.platform !== 'linux') return;
    const first = /^\d+/.exec(allowedCpus() as string)?.[0] as string;
    expect(() => checkCpuList(first)).not.toThrow();
    expect(() => checkCpuList('1;rm')).toThrow(new CpuListError('"1;rm" is not a CPU list: expected CPU numbers and ranges such as 1 or 0,2-3'));
    expect(() => checkCpuList('4095')).toThrow(/^CPUs 4095 cannot be used here \(taskset: .+\); this process may run on CPUs \S+$/);
  });
});
