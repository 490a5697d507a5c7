// The driver's clock: modelled milliseconds that run 1/timeScale times as fast as the wall
// clock (timeScale 0.001: one wall second is 1000 modelled seconds), never going backwards.
import type { Ms } from '../core/index.js';

export class ScaledClock {
  private readonly wallAnchor = performance.now();
  private last: Ms;

  constructor(
    readonly timeScale: number,
    private readonly modelAnchor: Ms,
  ) {
    this.last = modelAnchor;
  }

  now(): Ms {
    const t = this.modelAnchor + Math.floor((performance.now() - this.wallAnchor) / this.timeScale);
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Wall milliseconds until modelled time `at`. */
  wallDelayUntil(at: Ms): number {
    return Math.max(0, Math.ceil((at - this.now()) * this.timeScale));
  }
}

/** Where modelled time starts: wall time on a fresh start; on restart, where the journal left off
 *  (at real time, the later of that and the wall clock, so times stay meaningful). */
export function clockAnchor(timeScale: number, lastJournaled: Ms | null): Ms {
  const wall = Date.now();
  if (lastJournaled === null) return wall;
  return timeScale === 1 ? Math.max(wall, lastJournaled) : lastJournaled;
}
