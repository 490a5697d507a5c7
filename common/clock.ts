// Time for the live processes, passed in rather than read from globals: the driver and the
// agent hub take a Clock, so their tests run on a FakeClock that moves only when told to and
// never sleep. (The core takes no clock at all: time is a parameter of every call.)

/** A scheduled callback; cancelling one that already ran does nothing. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (for intervals and timeouts; not a date). */
  now(): number;
  /** Milliseconds since 1970 (the wall clock, for dates). */
  epoch(): number;
  /** Runs `fn` once, `ms` from now. Never keeps the process alive by itself. */
  after(ms: number, fn: () => void): Timer;
  /** Runs `fn` every `ms`. Never keeps the process alive by itself. */
  every(ms: number, fn: () => void): Timer;
  /** Runs `fn` as soon as the work already queued is done (after I/O callbacks). */
  soon(fn: () => void): void;
}

/** The process's own clock and timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  epoch: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
  soon(fn) {
    setImmediate(fn);
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  /** Repeat period for `every`; 0 for once. */
  period: number;
  live: boolean;
}

/**
 * A clock for tests: time stands still until `advance` moves it, and then every timer due runs
 * in time order (ties in the order they were set), with `soon` callbacks run before time moves
 * on. Nothing sleeps.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers: Pending[] = [];
  private immediates: (() => void)[] = [];

  constructor(
    start = 0,
    private readonly epochAtStart = 1_700_000_000_000,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  epoch(): number {
    return this.epochAtStart + this.t;
  }

  after(ms: number, fn: () => void): Timer {
    return this.add(ms, fn, 0);
  }

  every(ms: number, fn: () => void): Timer {
    return this.add(ms, fn, Math.max(1, ms));
  }

  soon(fn: () => void): void {
    this.immediates.push(fn);
  }

  /** Timers still to run (for assertions). */
  get pending(): number {
    return this.timers.filter((p) => p.live).length + this.immediates.length;
  }

  /** Runs the `soon` callbacks queued so far and those they queue; returns how many ran. */
  flush(): number {
    let ran = 0;
    while (this.immediates.length > 0) {
      const batch = this.immediates;
      this.immediates = [];
      for (const fn of batch) {
        fn();
        ran++;
      }
    }
    return ran;
  }

  /**
   * Moves time forward by `ms` without running anything, as a blocked event loop does: what
   * fell due runs, late, at the next `advance` (a repeating timer once, as setInterval does).
   */
  block(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.block: ms must be ≥ 0, got ${ms}`);
    this.t += ms;
  }

  /** Moves time forward by `ms`, running everything due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ms must be ≥ 0, got ${ms}`);
    const end = this.t + ms;
    this.flush();
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      if (next.period > 0) {
        next.at = Math.max(next.at, this.t) + next.period;
        next.seq = this.seq++;
      } else next.live = false;
      next.fn();
      this.flush();
    }
    this.t = end;
    this.flush();
  }

  private add(ms: number, fn: () => void, period: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, period, live: true };
    this.timers.push(p);
    return { cancel: () => void (p.live = false) };
  }

  private nextDue(end: number): Pending | undefined {
    let best: Pending | undefined;
    for (let i = this.timers.length - 1; i >= 0; i--) {
      const p = this.timers[i]!;
      if (!p.live) {
        this.timers.splice(i, 1);
        continue;
      }
      if (p.at <= end && (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq))) best = p;
    }
    return best;
  }
}
