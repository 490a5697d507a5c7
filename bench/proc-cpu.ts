// CPU time of a process tree, read from /proc (Linux): bench:live splits the CPU one submitted
// job costs between the scheduler, the agents, `gsched up` itself and the load generator, since
// they all share the same two cores and a jobs/s figure alone does not say who spent them.
import { readFileSync, readdirSync } from 'node:fs';
import { readStatCpu } from '../common/index.js';

/** The processes of a tree, each with its role and CPU milliseconds (user + system) so far. */
export type TreeCpu = Map<number, { role: string; ms: number }>;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime of a process (or, with `tid`, of one of its threads), in ms; null once it is gone. */
function cpuMs(pid: number, tid?: number): number | null {
  return readStatCpu(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`)?.ownMs ?? null;
}

/** The prefix of a scheduler thread's role in a TreeCpu: `scheduler-thread:<its name>`. */
export const SCHEDULER_THREAD = 'scheduler-thread:';

function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

function childrenOf(pid: number): number[] {
  const text = read(`/proc/${pid}/task/${pid}/children`) ?? '';
  return text.split(' ').filter((s) => s !== '').map(Number);
}

/** A process's role from its command line: `scheduler`, `agent` or `up` (the tree's root). */
function roleOf(pid: number): string {
  const cmd = (read(`/proc/${pid}/cmdline`) ?? '').split('\0');
  if (cmd.some((a) => a.endsWith('scheduler/main.js'))) return 'scheduler';
  if (cmd.some((a) => a.endsWith('node-agent/main.js'))) return 'agent';
  return 'other';
}

/** Every process under `root` (root included, as `up`) with its CPU time now. */
export function treeCpu(root: number): TreeCpu {
  const out: TreeCpu = new Map();
  const walk = (pid: number, role: string): void => {
    const ms = cpuMs(pid);
    if (ms === null) return;
    out.set(pid, { role, ms });
    // The scheduler's JavaScript runs on its main thread: one core at most, whatever the others do.
    const main = role === 'scheduler' ? cpuMs(pid, pid) : null;
    if (main !== null) out.set(-pid, { role: 'scheduler-main-thread', ms: main });
    // Its other threads by name: the snapshot replica (a worker thread, named like the main
    // one), libuv's pool (lmdb's commits), V8's helpers (GC). A thread gone meanwhile is not counted.
    if (role === 'scheduler') for (const tid of threadsOf(pid)) {
      const ms = tid === pid ? null : cpuMs(pid, tid);
      if (ms !== null) out.set(-tid, { role: `${SCHEDULER_THREAD}${(read(`/proc/${pid}/task/${tid}/comm`) ?? '?').trim()}`, ms });
    }
    for (const c of childrenOf(pid)) walk(c, roleOf(c));
  };
  walk(root, 'up');
  return out;
}

/** CPU ms spent per role between two readings of the same tree. */
export function cpuByRole(before: TreeCpu, after: TreeCpu): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, a] of after) out[a.role] = (out[a.role] ?? 0) + a.ms - (before.get(pid)?.ms ?? 0);
  return out;
}

/** A role's CPU from cpuByRole in seconds, to a tenth (as the results files give it); 0 when it ran nothing. */
export function cpuSecondsOf(byRole: Record<string, number>, role: string): number {
  return Math.round((byRole[role] ?? 0) / 100) / 10;
}

/**
 * The scheduler's threads other than its main one, as flat figures: CPU seconds per thread name
 * (from cpuByRole) under `scheduler_thread_<name>_cpu_s<suffix>`, the name in lower case with
 * anything but letters and digits as `_`.
 */
export function schedulerThreadSeconds(byRole: Record<string, number>, suffix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of Object.keys(byRole).filter((r) => r.startsWith(SCHEDULER_THREAD))) {
    const name = role.slice(SCHEDULER_THREAD.length).toLowerCase().replace(/[^a-z0-9]+/g, '_');
    out[`scheduler_thread_${name}_cpu_s${suffix}`] = cpuSecondsOf(byRole, role); // cpuByRole summed threads of one name
  }
  return out;
}
