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

/** The fields of a stat file after the command name, counting from the state (field 3) at 0; null where it cannot be read (no /proc, or gone). */
function statFields(path: string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces; the fields after it are fixed.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The CPU times in `path` (e.g. `/proc/self/stat`); null where it cannot be read. */
export function readStatCpu(path: string): StatCpu | null {
  const f = statFields(path);
  if (f === null) return null;
  // utime 11, stime 12, cutime 13, cstime 14.
  return { ownMs: (Number(f[11]) + Number(f[12])) * TICK_MS, reapedChildrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS };
}

/** The nice value in `path` (a process's, or under `/proc/self/task/` a thread's); null where it cannot be read. */
export function readStatNice(path: string): number | null {
  const f = statFields(path);
  const nice = f === null ? NaN : Number(f[16]); // field 19
  return Number.isInteger(nice) ? nice : null;
}
