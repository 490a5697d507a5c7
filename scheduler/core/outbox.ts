// The decisions made since the last pass handed them out (starts, kills, preemptions, ended
// jobs). A pass used to hand out the list itself and start a fresh one: in a light load most
// passes decide one or two things, and the fresh list's first push reserved room for 17
// (~150 B), more than a tenth of all a replay allocated. Here a pass that decided a few things
// hands out a copy of just their size, and the list keeps its room. One that decided many
// (a busy cluster's pass starts hundreds) hands out the list itself and starts a new one: the
// kept list is an old object by then, and every decision stored into it is a write the young
// collector has to remember.
import type { Decision } from './types.js';

/** Decisions a pass hands out as a copy; more, and it hands out the list itself. */
const COPY_MAX = 16;

export class Outbox {
  /** Decisions in [0, length); null past it (nothing handed out is kept alive here). */
  private items: (Decision | null)[] = [];
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
    this.length = 0;
    if (n > COPY_MAX) {
      // Exactly n long: a copied list never grows past COPY_MAX, so it holds no null past n.
      const all = this.items as Decision[];
      this.items = [];
      return all;
    }
    const out = this.items.slice(0, n) as Decision[];
    for (let i = 0; i < n; i++) this.items[i] = null;
    return out;
  }
}
