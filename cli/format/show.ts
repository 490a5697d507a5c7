// gsched show job: scontrol's key=value layout, one topic per line, tasks last.
import type { TaskView } from '../../contract/index.js';
import type { JobDetail, TaskResultView } from '../client.js';
import { compressHostlist } from './hostlist.js';
import { jobElapsedMs, jobNodeNames, jobStartedAt, stateCode } from './jobs.js';
import { formatDuration, formatMemMb } from './units.js';

/** Wall-clock instants as scontrol prints them (UTC, to the second); `Unknown` when absent. */
export function formatInstant(ms: number | null): string {
  if (ms === null) return 'Unknown';
  // Clocks that count from the driver's start (not the epoch) print as an offset.
  if (ms < 1e11) return `+${formatDuration(ms)}`;
  return new Date(ms).toISOString().slice(0, 19);
}

/** Priority factors: integers stay integers, fractions get four places. */
export function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function kv(pairs: [string, string | number | null | undefined][]): string {
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v === null || v === '' ? '(null)' : v}`)
    .join(' ');
}

function taskLine(t: TaskView, last: TaskResultView | undefined): string {
  return kv([
    [`Task[${t.index}]`, t.name],
    ['Id', t.id],
    ['State', t.state],
    ['Node', t.node ?? last?.node ?? null],
    ['NumCPUs', t.cores],
    ['Mem', formatMemMb(t.memMb)],
    ['TimeLimit', formatDuration(t.timeLimitMs)],
    // Older schedulers' views lack `after`: print nothing rather than guess.
    ['After', (t.after ?? []).length > 0 ? t.after.join(',') : undefined],
    ['Attempts', t.attempts],
    ['Requeues', t.requeues + t.preemptions],
    ['StartTime', formatInstant(t.startedAt)],
    ['EndTime', formatInstant(t.endedAt)],
    // The last attempt's outcome as the agent reported it, when the scheduler sends results.
    ['Result', last?.outcome],
    ['Kernel', last?.kernel],
    ['WallTime', last === undefined ? undefined : `${last.wallMs}ms`],
    // Slurm's EXIT:SIGNAL form, for real commands.
    ['ExitCode', last?.exitCode === undefined ? undefined : `${last.exitCode}:${signalNumber(last.signal)}`],
    ['StdOut', outputOf(last)],
    ['Error', last?.error],
  ]);
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

function signalNumber(name: string | undefined): number {
  return name === undefined || name === '' ? 0 : (SIGNALS[name] ?? 0);
}

function outputOf(r: TaskResultView | undefined): string | undefined {
  const s = r?.summary;
  return typeof s === 'object' && s !== null && typeof (s as { output?: unknown }).output === 'string' ? (s as { output: string }).output : undefined;
}

function lastResult(results: TaskResultView[] | undefined, taskId: number): TaskResultView | undefined {
  let last: TaskResultView | undefined;
  for (const r of results ?? []) if (r.taskId === taskId && (last === undefined || r.attempt >= last.attempt)) last = r;
  return last;
}

/**
 * A job's DAG as stages in order: tasks grouped by depth (longest chain of `after` before them)
 * and name without its shard number, each with completed/total tasks, e.g.
 * `qc(1/1)->align(13/13)->markdup(0/1)->…`; stages at one depth are joined by `+`. Null for a job without dependencies.
 */
export function dagLine(tasks: readonly TaskView[]): string | null {
  if (!tasks.some((t) => (t.after ?? []).length > 0)) return null;
  const depth: number[] = [];
  for (const t of tasks) depth[t.index] = Math.max(-1, ...(t.after ?? []).map((a) => depth[a] ?? 0)) + 1;
  const levels: Map<string, { total: number; done: number }>[] = [];
  for (const t of tasks) {
    const level = (levels[depth[t.index] ?? 0] ??= new Map());
    const stage = t.name.replace(/-\d+$/, '');
    const s = level.get(stage) ?? { total: 0, done: 0 };
    s.total++;
    if (t.state === 'COMPLETED') s.done++;
    level.set(stage, s);
  }
  return levels
    .map((level) => [...level].map(([name, s]) => `${name}(${s.done}/${s.total})`).join('+'))
    .join('->');
}

export function showJob(j: JobDetail, now: number, names: ReadonlyMap<number, string> = new Map()): string {
  const p = j.priority;
  const runMs = j.state === 'PENDING' ? 0 : jobElapsedMs(j, now);
  const lines = [
    kv([['JobId', j.displayId], ['JobName', j.name], ['ArrayJobId', j.arrayJobId ?? undefined], ['ArrayTaskId', j.arrayIndex ?? undefined]]),
    kv([['Owner', j.owner], ['Account', j.account], ['Partition', j.partition], ['QOS', j.qos], ['Purpose', j.purpose], ['Class', j.class ?? undefined]]),
    kv([['JobState', j.state], ['ST', stateCode(j.state)], ['Reason', j.reason], ['QueuePosition', j.queuePosition]]),
    kv([
      ['Priority', formatNumber(p.total)],
      ['Age', formatNumber(p.age)],
      ['Fairshare', formatNumber(p.fairshare)],
      ['QOSFactor', formatNumber(p.qos)],
      ['PartitionFactor', formatNumber(p.partition)],
      ['Size', formatNumber(p.size)],
    ]),
    kv([
      ['Dependency', j.dependencies.length === 0 ? null : j.dependencies.map((d) => `${d.kind}:${names.get(d.jobId) ?? d.jobId}`).join(j.dependencyAny ? '?' : ',')],
      ['Pseudonyms', j.pseudonyms.length],
      ['Reservation', j.reservation ?? undefined],
    ]),
    kv([['SubmitTime', formatInstant(j.submittedAt)], ['StartTime', formatInstant(jobStartedAt(j))], ['EndTime', formatInstant(j.endedAt)], ['RunTime', formatDuration(runMs)]]),
    kv([['NumTasks', j.tasks.length], ['NumCPUs', j.cores], ['NodeList', jobNodeNames(j).length === 0 ? null : compressHostlist(jobNodeNames(j))]]),
    ...(dagLine(j.tasks) === null ? [] : [kv([['Dag', dagLine(j.tasks)]])]),
    ...j.tasks.map((t) => taskLine(t, lastResult(j.results, t.id))),
  ];
  return lines.map((l, i) => (i === 0 ? l : `   ${l}`)).join('\n') + '\n';
}
