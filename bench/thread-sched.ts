// How long the calling thread has waited, runnable, for a CPU: /proc/thread-self/schedstat's
// second field (Linux, run_delay in ns). The kernel updates it each time the thread is switched
// back in, so read from the running thread it is exact to the nanosecond: a stretch of wall time
// minus the wait within it is the time the thread was on a CPU. bench:metrics uses it to tell a
// scheduling pass's own cost (its CPU time, GC on this thread included) from the time the
// machine's other work held the core (2 cores shared by the scheduler, its agents, the clients
// and the other engineers' processes), and to say which of the two an event-loop stall was.
// (The first field, CPU time, is only brought up to date at timer ticks: too coarse for a pass.)
import { closeSync, openSync, readSync } from 'node:fs';

export class ThreadWait {
  private readonly buf = Buffer.alloc(128);

  private constructor(private readonly fd: number) {}

  /** The calling thread's reader; null where the kernel does not keep scheduler statistics. */
  static open(): ThreadWait | null {
    try {
      const t = new ThreadWait(openSync('/proc/thread-self/schedstat', 'r'));
      t.waitNs();
      return t;
    } catch {
      return null;
    }
  }

  /** Nanoseconds this thread has waited on a run queue since it started. */
  waitNs(): number {
    const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    const line = this.buf.toString('latin1', 0, n);
    const a = line.indexOf(' ');
    const v = Number(line.slice(a + 1, line.indexOf(' ', a + 1)));
    if (!Number.isFinite(v)) throw new Error(`/proc/thread-self/schedstat: unexpected ${JSON.stringify(line)}`);
    return v;
  }

  /** Milliseconds waited since it started (see waitNs). */
  waitMs(): number {
    return this.waitNs() / 1e6;
  }

  close(): void {
    closeSync(this.fd);
  }
}
