// CPU times from a Linux /proc `stat` file (proc(5)): the kernels' per-thread CPU, the agent's
// reaped-children CPU and bench:live's per-process split all read the same fields.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux ABI Node supports

/** CPU milliseconds (user + system) from one stat file. */
export interface StatCpu {
  /** The process's or thread's own time: utime + stime. */
  ownMs: number;
  /** Its waited-for children's time: cutime + cstime. */
  reapedChildrenMs: number;
}

/** The CPU times in `path` (e.g. `/proc/self/stat`); null where it cannot be read (no /proc, or gone). */
export function readStatCpu(path: string): StatCpu | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces; the fields after it are fixed. Counting from the
  // state (field 3) at 0: utime 11, stime 12, cutime 13, cstime 14.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ownMs: (Number(f[11]) + Number(f[12])) * TICK_MS, reapedChildrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS };
}
