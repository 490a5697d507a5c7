// cgroup v2 limits for the exec kernel: one child cgroup per attempt under the agent's own
// folder, with `cpu.max` (the task's cores) and `memory.max` (its memory). Anything that
// cannot be written means "no limits for this attempt", with the reason reported in the
// completion's summary; a command is never refused because limits are unavailable.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** cpu.max period: 100 ms, the kernel's default. */
const PERIOD_US = 100_000;

export interface CgroupSlot {
  /** The attempt's cgroup folder, or null when it runs without limits. */
  dir: string | null;
  reason?: string;
}

export class CgroupLimits {
  private constructor(readonly root: string) {}

  /**
   * `off` → null. `auto` → `/sys/fs/cgroup/gsched-<agent>` when the unified hierarchy is mounted
   * and writable, else null with the reason. A folder → that folder (created if missing; its
   * parent must delegate the cpu and memory controllers).
   */
  static open(setting: string, agent: string): { limits: CgroupLimits | null; reason: string } {
    if (setting === 'off') return { limits: null, reason: 'cgroup limits are off (--cgroup off)' };
    let dir = setting;
    if (setting === 'auto') {
      if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) {
        return { limits: null, reason: 'no cgroup v2 hierarchy at /sys/fs/cgroup (cgroup v1 or none): commands run without CPU or memory limits' };
      }
      dir = join('/sys/fs/cgroup', `gsched-${agent}`);
    }
    try {
      // Not recursive: the parent is a cgroup that must exist (and a recursive mkdir under
      // /proc or /sys can spin instead of failing).
      mkdirIfMissing(dir);
      // Children get the cpu and memory controllers (fails if the parent does not delegate them).
      writeFileSync(join(dir, 'cgroup.subtree_control'), '+cpu +memory');
    } catch (err) {
      return { limits: null, reason: `cgroup ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): commands run without CPU or memory limits` };
    }
    return { limits: new CgroupLimits(dir), reason: '' };
  }

  /** A cgroup for one attempt, limited to `cores` and `memMb`. */
  create(name: string, cores: number, memMb: number): CgroupSlot {
    const dir = join(this.root, name);
    try {
      mkdirIfMissing(dir);
      writeFileSync(join(dir, 'cpu.max'), `${Math.max(1, cores) * PERIOD_US} ${PERIOD_US}`);
      writeFileSync(join(dir, 'memory.max'), String(Math.max(1, memMb) * 1024 * 1024));
      // No swap beyond the limit, so memory.max means what it says (absent when swap is off).
      try {
        writeFileSync(join(dir, 'memory.swap.max'), '0');
      } catch {
        // no swap accounting on this host
      }
      return { dir };
    } catch (err) {
      this.remove(dir);
      return { dir: null, reason: `cannot set limits in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }

  /** CPU time the cgroup used (cpu.stat usage_usec), or null if unreadable. */
  cpuMs(dir: string | null): number | null {
    if (dir === null) return null;
    try {
      const m = /^usage_usec (\d+)$/m.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'));
      return m ? Math.round(Number(m[1]) / 1000) : null;
    } catch {
      return null;
    }
  }

  /** Removes an attempt's cgroup once its processes are gone (a real cgroup folder rmdirs with its files). */
  remove(dir: string | null): void {
    if (dir === null) return;
    try {
      rmdirSync(dir);
    } catch {
      // not empty (a test folder holding plain files) or already gone: left for the operator
    }
  }
}

function mkdirIfMissing(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
