// The scheduler's main-loop counters behind `gsched stats` (sdiag's "main schedule statistics"):
// how many passes, how long they take, and how long a wanted pass waits to run. Running sums,
// not a histogram: the histograms for Prometheus are in metrics.ts.
import type { PassStats } from '../../contract/index.js';

export class PassCounters {
  private passes = 0;
  private lastMs = 0;
  private maxMs = 0;
  private totalMs = 0;
  private decisions = 0;
  private waits = 0;
  private waitTotalMs = 0;
  private waitMaxMs = 0;

  /** One pass of the core: its wall ms and how many decisions it made. */
  pass(ms: number, decisions: number): void {
    this.passes++;
    this.lastMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.totalMs += ms;
    this.decisions += decisions;
  }

  /** A pass ran `ms` after it was first asked for. */
  wait(ms: number): void {
    this.waits++;
    this.waitTotalMs += ms;
    if (ms > this.waitMaxMs) this.waitMaxMs = ms;
  }

  view(): PassStats {
    const mean = (sum: number, n: number): number => (n === 0 ? 0 : round3(sum / n));
    return {
      count: this.passes,
      lastMs: round3(this.lastMs),
      maxMs: round3(this.maxMs),
      meanMs: mean(this.totalMs, this.passes),
      meanDecisions: mean(this.decisions, this.passes),
      meanWaitMs: mean(this.waitTotalMs, this.waits),
      maxWaitMs: round3(this.waitMaxMs),
    };
  }
}

/** Microsecond resolution is all a wall-ms figure here means. */
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
