// The driver's clock: modelled milliseconds that run 1/timeScale times as fast as the wall
// clock (timeScale 0.001: one wall second is 1000 modelled seconds), never going backwards.
// The wall clock is injected (common/clock.ts), so tests move it by hand.
import type { Clock } from '../../common/index.js';
import type { Ms } from '../core/index.js';

export class ScaledClock {
  private readonly wallAnchor: number;
  private last: Ms;

  constructor(
    readonly timeScale: number,
    private readonly modelAnchor: Ms,
    private readonly wall: Clock,
  ) {
    this.wallAnchor = wall.now();
    this.last = modelAnchor;
  }

  now(): Ms {
    const t = this.modelAnchor + Math.floor((this.wall.now() - this.wallAnchor) / this.timeScale);
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Wall milliseconds until modelled time `at`. */
  wallDelayUntil(at: Ms): number {
    return Math.max(0, Math.ceil((at - this.now()) * this.timeScale));
  }
}

/** Where modelled time starts: wall time (`epochNow`) on a fresh start; on restart, where the
 *  journal left off (at real time, the later of that and the wall clock, so times stay meaningful). */
export function clockAnchor(timeScale: number, lastJournaled: Ms | null, epochNow: Ms): Ms {
  if (lastJournaled === null) return epochNow;
  return timeScale === 1 ? Math.max(epochNow, lastJournaled) : lastJournaled;
}
