// The calling thread's own name and nice value, which Linux keeps per thread: background threads
// (the scheduler's snapshot replica) name themselves, so `top -H` and bench's per-thread CPU tell
// them apart, and yield the CPU to the threads that serve requests and passes.
// setpriority(PRIO_PROCESS, 0) changes only the calling thread's nice value there
// (setpriority(2), "BUGS"); elsewhere it would renice the whole process, so it is not called.
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value background work runs at (the lowest priority). */
export const BACKGROUND_NICE = 19;

/** Lowers the calling thread's CPU priority to `nice`; false where that is not possible for one thread alone (not Linux, or refused). */
export function lowerThreadPriority(nice: number = BACKGROUND_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    setPriority(0, nice);
    return true;
  } catch {
    return false; // a container that forbids it: the work still runs, at the usual priority
  }
}

/** Names the calling thread (Linux keeps 15 bytes of it); false where it cannot (not Linux, or refused). */
export function nameThread(name: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
    return true;
  } catch {
    return false;
  }
}
