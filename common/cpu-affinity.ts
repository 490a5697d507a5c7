// Pinning processes to CPUs (Linux's sched_setaffinity, through util-linux's taskset: node has
// no call for it). `gsched up --agent-cpus` runs the agents on some of the host's CPUs, so that
// on one host their work stays off the CPU the scheduler's event loop runs on: the embedded
// cluster's agents stand in for nodes that are other machines. (Slurm's CpuSpecList does the
// converse on a compute node: it keeps slurmd's own work on CPUs the jobs do not use.)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export class CpuListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CpuListError';
  }
}

const CPU_LIST = /^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$/;

/** The CPUs this process may run on, as Linux lists them (`0-1`), or null where that is unknown. */
export function allowedCpus(): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The CPUs a list such as `0-3,8` names, or null for a malformed one. */
function cpusOf(list: string): Set<number> | null {
  if (!CPU_LIST.test(list)) return null;
  const cpus = new Set<number>();
  for (const part of list.split(',')) {
    const [a, b = a] = part.split('-').map(Number) as [number, number?];
    for (let c = a; c <= b; c++) cpus.add(c);
  }
  return cpus;
}

/** How many CPUs a list such as `0-3,8` names (5), or null for a malformed one. */
export function cpuCount(list: string): number | null {
  return cpusOf(list)?.size ?? null;
}

/** The highest-numbered CPU in a list such as `0-3,8` (8), or null for an empty or malformed one. */
export function lastCpu(list: string): number | null {
  const cpus = cpusOf(list);
  return cpus === null || cpus.size === 0 ? null : Math.max(...cpus);
}

/**
 * Checks that a process can be pinned to `list` here: its syntax, and taskset running a command
 * on those CPUs. Throws CpuListError saying what is wrong.
 */
export function checkCpuList(list: string): void {
  if (!CPU_LIST.test(list)) throw new CpuListError(`${JSON.stringify(list)} is not a CPU list: expected CPU numbers and ranges such as 1 or 0,2-3`);
  try {
    execFileSync('taskset', ['--cpu-list', list, 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new CpuListError('taskset is not installed (Debian: apt install util-linux); it is what pins processes to CPUs');
    const why = e.stderr?.toString().trim().split('\n').at(-1) || e.message;
    throw new CpuListError(`CPUs ${list} cannot be used here (${why}); this process may run on CPUs ${allowedCpus() ?? 'unknown'}`);
  }
}
