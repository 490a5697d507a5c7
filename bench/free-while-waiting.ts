// The simulator's side of the live refill trace (scheduler/driver/refill-watch.ts): the share of
// the cores the core sees free while 10,000 or more tasks wait, over modelled time. The simulator
// refills a freed core at the instant it frees, so all of it is what passes leave free (nothing
// waiting fits there, or EASY holds it): the live burst's left_by_pass share is set against it.
import { WAITING_TASKS } from '../scheduler/driver/index.js';
import type { SimObserver } from '../sim/index.js';
/** The pending count is read from the core every this many clock moves (a read costs a walk of the nodes). */
const PENDING_EVERY = 64;

export class FreeWhileWaiting implements SimObserver {
  private busy = 0;
  private waiting = false;
  private moves = 0;
  private freeMs = 0;
  private waitMs = 0;

  constructor(
    private readonly cores: number,
    private readonly pendingTasks: () => number,
  ) {}

  onAdvance(from: number, to: number): void {
    if (this.moves++ % PENDING_EVERY === 0) this.waiting = this.pendingTasks() >= WAITING_TASKS;
    if (!this.waiting) return;
    this.freeMs += (this.cores - this.busy) * (to - from);
    this.waitMs += to - from;
  }

  onTaskStart(_taskId: number, _jobId: number, _node: string, cores: number): void {
    this.busy += cores;
  }

  onTaskStop(_taskId: number, _jobId: number, _node: string, cores: number): void {
    this.busy -= cores;
  }

  /** The mean share free while waiting, or null if that much never waited. */
  share(): number | null {
    return this.waitMs === 0 ? null : Math.round((this.freeMs / (this.waitMs * this.cores)) * 10_000) / 10_000;
  }
}
