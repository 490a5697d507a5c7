import { describe, expect, it } from 'vitest';
import type { DashboardStats } from '../../contract/index.js';
import { renderStats } from './stats.js';

const snap: DashboardStats = {
  takenAt: Date.UTC(2026, 11, 2, 8, 0, 0),
  schedulerNow: 0,
  cores: { total: 17_280, allocated: 1_200, idle: 15_952, drained: 64, down: 64 },
  containers: [],
  jobs: [
    { state: 'PENDING', partition: 'clinical', account: 'a', class: '', count: 7 },
    { state: 'PENDING', partition: 'research', account: 'b', class: 'wgs', count: 5 },
    { state: 'RUNNING', partition: 'clinical', account: 'a', class: '', count: 3 },
  ],
  pendingByReason: [
    { reason: 'Priority', count: 4 },
    { reason: 'Resources', count: 1 },
    { reason: 'Dependency', count: 7 },
    { reason: 'BeginTime', count: 0 },
  ],
  jobsEnded: 12_345,
  passes: { count: 43_042, lastMs: 0.312, maxMs: 12.4, meanMs: 0.42, meanDecisions: 5.46, meanWaitMs: 1.2, maxWaitMs: 250 },
  fairshare: [],
  history: { t: [], utilization: [], jobsPerMinute: [], powerWatts: [], heatWatts: [] },
};

describe('renderStats', () => {
  it('sums jobs by state over partitions and lists reasons that hold jobs, most first', () => {
    const out = renderStats(snap, null);
    expect(out).toContain('Cores: 17,280 total, 1,200 allocated, 15,952 idle, 64 drained, 64 down');
    expect(out).toContain('Jobs: 12 PENDING, 3 RUNNING; 12,345 ended since start');
    expect(out).toContain('Passes: 43,042 since start; last 0.31 ms, max 12.40 ms, mean 0.42 ms; 5.5 decisions a pass');
    expect(out).toContain('Pass wait: mean 1.20 ms, max 250.00 ms (from the first request for a pass to its start)');
    expect(out).toContain('Pending jobs by reason (12 pending):');
    const rows = out.split('\n').slice(-4).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([['REASON', 'JOBS'], ['Dependency', '7'], ['Priority', '4'], ['Resources', '1']]);
    expect(out).not.toContain('BeginTime');
  });

  it('says none when nothing is pending', () => {
    const out = renderStats({ ...snap, jobs: [], pendingByReason: [] }, null);
    expect(out).toContain('Jobs: none; 12,345 ended since start');
    expect(out.trimEnd().endsWith('  none')).toBe(true);
  });
});
