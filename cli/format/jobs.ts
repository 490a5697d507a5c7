// How jobs read in the queue and in show: short state codes, elapsed times, node lists.
import type { JobState, JobView } from '../../contract/index.js';
import { ACTIVE_JOB_STATES } from '../../scheduler/core/index.js';
import type { JobDetail } from '../client.js';
import { CliError } from '../errors.js';
import { compressHostlist } from './hostlist.js';
import { formatDuration } from './units.js';

export const STATE_CODES: Record<JobState, string> = {
  PENDING: 'PD',
  RUNNING: 'R',
  COMPLETED: 'CD',
  FAILED: 'F',
  CANCELLED: 'CA',
  TIMEOUT: 'TO',
  NODE_FAIL: 'NF',
};
/** Completing jobs are a Slurm state the core folds into RUNNING; CG is still accepted as a filter. */
const EXTRA_CODES: Record<string, JobState> = { CG: 'RUNNING' };

/** Jobs that have not ended: what `queue` and `cancel` look at by default. */
export const ACTIVE_STATES: JobState[] = [...ACTIVE_JOB_STATES];

export function stateCode(state: JobState): string {
  return STATE_CODES[state] ?? state;
}

/**
 * squeue/sprio -j: job ids (`12`), array ids (`120`: every element) and elements (`120_3`), as
 * a test of a listed job.
 */
export function jobIdMatcher(text: string): (j: Pick<JobDetail, 'displayId' | 'arrayJobId'>) => boolean {
  const ids = new Set(text.split(',').map((s) => s.trim()));
  const bad = [...ids].filter((id) => !/^\d+(?:_\d+)?$/.test(id));
  if (bad.length > 0) throw new CliError(`--jobs ${text}: expected job ids like 12,120 or 120_3 ("${bad[0]}" is not one)`, 2);
  return (j) => ids.has(j.displayId) || (j.arrayJobId !== null && ids.has(String(j.arrayJobId)));
}

/** `--state PD,R` or `--state pending,running` → JobState list. */
export function parseStateFilter(text: string): JobState[] {
  const byCode = new Map<string, JobState>(Object.entries(STATE_CODES).map(([s, c]) => [c, s as JobState]));
  const out = new Set<JobState>();
  for (const raw of text.split(',')) {
    const t = raw.trim().toUpperCase();
    if (t === '') continue;
    const s = t in STATE_CODES ? (t as JobState) : (byCode.get(t) ?? EXTRA_CODES[t]);
    if (s === undefined) {
      throw new CliError(`--state ${text}: expected states like PD,R or pending,running (one of ${Object.keys(STATE_CODES).join(', ')})`, 2);
    }
    out.add(s);
  }
  if (out.size === 0) throw new CliError(`--state ${text}: expected at least one state`, 2);
  return [...out];
}

/** When the job started: its own start, else its first task's (accounting records may lack the former). */
export function jobStartedAt(job: JobView): number | null {
  if (job.startedAt !== null) return job.startedAt;
  const starts = job.tasks.map((t) => t.startedAt).filter((t): t is number => t !== null);
  return starts.length === 0 ? null : Math.min(...starts);
}

/** Time in the current state: running time, waiting time, or the run time of a finished job. */
export function jobElapsedMs(job: JobView, now: number): number {
  if (job.state === 'PENDING') return now - job.submittedAt;
  const start = jobStartedAt(job);
  if (job.state === 'RUNNING') return now - (start ?? now);
  const end = job.endedAt ?? now;
  return end - (start ?? end);
}

export function jobTime(job: JobView, now: number): string {
  return formatDuration(jobElapsedMs(job, now));
}

/**
 * Nodes the job holds or ran on: the job's own list while it runs; once it has ended the core
 * forgets placements, so the tasks' nodes or the recorded results say where it ran.
 */
export function jobNodeNames(job: JobDetail): string[] {
  if (job.nodes.length > 0) return job.nodes;
  const fromTasks = job.tasks.map((t) => t.node).filter((n): n is string => n !== null);
  if (fromTasks.length > 0) return [...new Set(fromTasks)];
  return [...new Set((job.results ?? []).map((r) => r.node))];
}

/** The node list when the job has nodes, else (pending) how many tasks are still to place. */
export function jobNodes(job: JobDetail): string {
  const names = jobNodeNames(job);
  if (names.length > 0) return compressHostlist(names);
  if (job.state === 'PENDING') return String(job.tasks.filter((t) => t.state === 'PENDING').length || job.tasks.length);
  return '';
}

/** Running jobs first, then pending in queue order, then finished ones; ties by id. */
export function compareJobs(a: JobView, b: JobView): number {
  const rank = (j: JobView): number => (j.state === 'RUNNING' ? 0 : j.state === 'PENDING' ? 1 : 2);
  return rank(a) - rank(b) || (a.queuePosition ?? 0) - (b.queuePosition ?? 0) || a.id - b.id;
}
