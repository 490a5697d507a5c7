// The decisions made since the last pass handed them out (starts, kills, preemptions, ended
// jobs). A pass used to hand out the list itself and start a fresh one: in a light load most
// passes decide one or two things, and the fresh list's first push reserved room for 17
// (~150 B), more than a tenth of all a replay allocated. Here one list keeps its room, and a
// pass hands out a copy of just its size.
import type { Decision } from './types.js';

export class Outbox {
  /** Decisions in [0, length); null past it (nothing handed out is kept alive here). */
  private readonly items: (Decision | null)[] = [];
  length = 0;

  push(d: Decision): void {
    const n = this.length++;
    if (n === this.items.length) this.items.push(d);
    else this.items[n] = d;
  }

  /** The decision at `i` (0 ≤ i < length). */
  at(i: number): Decision {
    return this.items[i] as Decision;
  }

  /** The decisions in order, in a list of their own, and the outbox emptied. */
  take(): Decision[] {
    const n = this.length;
    const out = this.items.slice(0, n) as Decision[];
    for (let i = 0; i < n; i++) this.items[i] = null;
    this.length = 0;
    return out;
  }
}
