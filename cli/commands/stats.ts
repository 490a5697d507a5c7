// gsched stats (sdiag): the scheduler's own counters from the metrics snapshot: cores by state,
// jobs by state, its scheduling passes (how many, how long, how long one waits to run, as
// sdiag's main schedule statistics), and how many pending jobs each named reason holds back (as
// `queue` shows them up to 20,000 pending, the same figures /metrics exports as
// gsched_pending_jobs_by_reason).
import type { Command } from 'commander';
import type { DashboardStats } from '../../contract/index.js';
import { outputWidth, renderTable } from '../../common/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { print, printJson } from '../output.js';

const n = (x: number): string => x.toLocaleString('en-US');
const ms = (x: number): string => `${x.toFixed(2)} ms`;

/** The text `gsched stats` prints for one snapshot. */
export function renderStats(s: DashboardStats, width: number | null): string {
  const c = s.cores;
  const byState = new Map<string, number>();
  for (const j of s.jobs) byState.set(j.state, (byState.get(j.state) ?? 0) + j.count);
  const reasons = [...s.pendingByReason].filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  const pending = byState.get('PENDING') ?? 0;
  const p = s.passes;
  return [
    `Snapshot taken ${new Date(s.takenAt).toISOString().slice(0, 19)}Z`,
    `Cores: ${n(c.total)} total, ${n(c.allocated)} allocated, ${n(c.idle)} idle, ${n(c.drained)} drained, ${n(c.down)} down`,
    `Jobs: ${[...byState].sort(([a], [b]) => a.localeCompare(b)).map(([st, k]) => `${n(k)} ${st}`).join(', ') || 'none'}; ${n(s.jobsEnded)} ended since start`,
    `Passes: ${n(p.count)} since start; last ${ms(p.lastMs)}, max ${ms(p.maxMs)}, mean ${ms(p.meanMs)}; ${p.meanDecisions.toFixed(1)} decisions a pass`,
    `Pass wait: mean ${ms(p.meanWaitMs)}, max ${ms(p.maxWaitMs)} (from the first request for a pass to its start)`,
    '',
    `Pending jobs by reason (${n(pending)} pending):`,
    reasons.length === 0 ? '  none' : renderTable([{ header: 'REASON' }, { header: 'JOBS', align: 'right' }], reasons.map((r) => [r.reason, n(r.count)]), { width }).trimEnd(),
  ].join('\n');
}

export function registerStatsCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('stats')
      .alias('sdiag')
      .description('scheduler counters: cores and jobs by state, scheduling passes, and pending jobs per reason (like sdiag)')
      .option('--json', 'print the whole snapshot as JSON'),
  ).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    const s = await ApiClient.fromOptions(opts).call('stats');
    if (opts.json) return printJson(s);
    print(renderStats(s, outputWidth()));
  });
}
