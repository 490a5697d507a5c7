// How long the scheduler's own event loop was blocked of late, so that time limits are not
// enforced for that silence. While the loop is blocked (a large snapshot copy, a long pass, a
// garbage collection on a loaded host) agents' completions queue up unread in the sockets, yet
// the modelled clock runs on: at --time-scale 1e-4 a 9 s block is a modelled day. The first pass
// after the block runs from a timer, before the sockets are read, and would kill as TIMEOUT
// tasks that finished in time. A small ticker notices each block; a block is forgiven until the
// loop has run freely for as long again (the backlog it left is read by then) plus a second.
import type { Clock, Timer } from '../../common/index.js';

/** Ticker period, wall ms: a gap between two ticks longer than this plus MIN_STALL_MS is a block. */
export const STALL_TICK_MS = 50;
/** Shorter delays are the loop's ordinary jitter (OverTimeLimit covers those). */
export const MIN_STALL_MS = 50;
/** Wall ms a block is still forgiven after the loop caught up with its backlog. */
export const STALL_CATCH_UP_MS = 1_000;

interface Stall {
  end: number;
  len: number;
}

export interface StallGrace {
  /** Wall ms of recent blocks still forgiven (0: none). */
  ms: number;
  /** Wall ms until the last of them stops being forgiven. */
  untilMs: number;
}

export class StallWatch {
  private lastTick: number;
  private stalls: Stall[] = [];
  private readonly timer: Timer;

  constructor(private readonly time: Clock) {
    this.lastTick = time.now();
    this.timer = time.every(STALL_TICK_MS, () => {
      const now = this.time.now();
      const s = this.blockEndingAt(now);
      if (s !== null) this.stalls.push(s);
      this.lastTick = now;
    });
  }

  /** The block that ends at `now`, if the loop has not ticked for longer than a tick and a jitter. */
  private blockEndingAt(now: number): Stall | null {
    const len = now - this.lastTick - STALL_TICK_MS;
    return len >= MIN_STALL_MS ? { end: now, len } : null;
  }

  /** The blocks forgiven now, the one just ending included (the ticker may not have run yet). */
  grace(): StallGrace {
    const now = this.time.now();
    const until = (s: Stall): number => s.end + s.len + STALL_CATCH_UP_MS;
    this.stalls = this.stalls.filter((s) => until(s) > now);
    const current = this.blockEndingAt(now);
    const all = current === null ? this.stalls : [...this.stalls, current];
    let ms = 0;
    let last = now;
    for (const s of all) {
      ms += s.len;
      last = Math.max(last, until(s));
    }
    return { ms, untilMs: last - now };
  }

  close(): void {
    this.timer.cancel();
  }
}
