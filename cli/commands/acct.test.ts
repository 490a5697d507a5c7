// sacct's output styles and fields, from rows as the API sends them.
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { acctTime, parseAcctFormat, renderAcct, reportTitle } from './acct.js';

const row = {
  jobId: '12_3', id: 15, name: 'panel, qc', user: 'anna', account: 'rh-genetics', partition: 'clinical', qos: 'normal', class: null, state: 'FAILED' as const,
  submit: 0, start: 1000, end: 61_000, elapsedMs: 60_000, cores: 4, coreHours: 4 / 60, cpuMs: 90_000, memMb: 2048, nodes: ['c1-n001', 'c1-n002'], exitCode: '3:0', energyJ: 12_345,
};

describe('gsched acct output', () => {
  it('prints a table, --parsable2 and --csv with sacct\'s field names', () => {
    const cols = parseAcctFormat('jobid,JobName,elapsed,AllocCPUS,CoreHours,ReqMem,NodeList,ExitCode,ConsumedEnergy,State');
    expect(renderAcct([row], cols, 'parsable2', null)).toBe('JobID|JobName|Elapsed|AllocCPUS|CoreHours|ReqMem|NodeList|ExitCode|ConsumedEnergy|State\n12_3|panel, qc|1:00|4|0.07|2G|c1-n[001-002]|3:0|12.35K|FAILED\n');
    expect(renderAcct([row], parseAcctFormat('JobID,JobName'), 'csv', null)).toBe('JobID,JobName\n12_3,"panel, qc"\n');
    expect(renderAcct([row], parseAcctFormat('JobID,State'), 'table', null)).toBe('JobID  State\n12_3   FAILED\n');
  });
  it('refuses an unknown field, naming the known ones', () => {
    expect(() => parseAcctFormat('JobID,MaxRSS')).toThrow(CliError);
    expect(() => parseAcctFormat('JobID,MaxRSS')).toThrow(/unknown field MaxRSS \(fields: JobID, JobName/);
  });
  it("titles a report without -S as open at the start, not as '+0:00'", () => {
    const end = Date.UTC(2026, 11, 2, 3, 7, 27);
    expect(reportTitle(0, end, 'region')).toBe('Usage up to 2026-12-02T03:07:27 by region');
    expect(reportTitle(end - 3_600_000, end, 'account')).toBe('Usage 2026-12-02T02:07:27 - 2026-12-02T03:07:27 by account');
  });
  it('reads -S/-E as now-N on the scheduler clock, and names -S (not --begin) when they are wrong', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    expect(acctTime('now-2hours', '-S', now)).toBe(now - 7_200_000);
    expect(acctTime('now', '-E', now)).toBe(now);
    expect(() => acctTime('now-2x', '-S', now)).toThrow(/^-S now-2x: unknown unit "x"/);
    expect(() => acctTime('yesterday', '-S', now)).toThrow(/^-S yesterday: expected now-N\[seconds\|minutes\|hours\|days\] or a date/);
  });
});
