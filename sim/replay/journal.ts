// Replays a live scheduler's journal through the simulator's side of the core (a fresh core
// driven by recorded inputs, as the engine drives it by simulated ones): every accepted event
// at its recorded time, every schedule pass at its recorded time, and compares each pass's
// decisions with the ones the live scheduler recorded. Pure: the caller reads the journal.
import { decisionTexts, firstDifference, type ClusterConfig, type CoreEvent, type EventResult, type Ms, type StepResult } from '../../scheduler/core/index.js';

/** What the replay needs of a journal record (scheduler/store's JournalRecord has this shape). */
export type ReplayedRecord =
  | { k: 'e'; now: Ms; event: CoreEvent }
  /** `d`: the live pass's decisions as text; absent in journals written before it was recorded. `l`: time limits enforced up to (default `now`). */
  | { k: 's'; now: Ms; d?: string[]; l?: Ms }
  /** A snapshot marker (scheduler/store): not an input of the core, skipped. */
  | { k: 'x'; now: Ms; id: string };

export interface ReplayCore {
  readonly config: ClusterConfig;
  apply(event: CoreEvent, now: Ms): EventResult;
  schedule(now: Ms, limitsAt?: Ms): StepResult;
}

export type Divergence =
  | {
      kind: 'pass';
      /** 1-based number of the pass in the journal. */
      pass: number;
      now: Ms;
      /** Index of the first decision that differs (or where one list ends). */
      at: number;
      live: string[];
      replay: string[];
    }
  | {
      kind: 'event';
      /** The pass the event came before (1-based). */
      pass: number;
      now: Ms;
      event: CoreEvent['type'];
      /** The core accepted it live and refused it on replay. */
      error: string;
    };

export interface JournalReplay {
  events: number;
  passes: number;
  /** Passes whose live decisions were recorded and compared. */
  compared: number;
  /** The first divergence; null when every compared pass decided the same. */
  divergence: Divergence | null;
}

/**
 * Runs `records` (in journal order) through `core` and stops at the first pass whose
 * decisions differ from the recorded ones, or at an event the replayed core refuses.
 */
export function replayJournal(records: Iterable<ReplayedRecord>, core: ReplayCore): JournalReplay {
  const out: JournalReplay = { events: 0, passes: 0, compared: 0, divergence: null };
  for (const r of records) {
    if (r.k === 'x') continue;
    if (r.k === 'e') {
      out.events++;
      const res = core.apply(r.event, r.now);
      if (!res.ok) {
        out.divergence = { kind: 'event', pass: out.passes + 1, now: r.now, event: r.event.type, error: res.error.message };
        return out;
      }
      continue;
    }
    out.passes++;
    const replay = decisionTexts(core.schedule(r.now, r.l).decisions);
    if (r.d === undefined) continue;
    out.compared++;
    const at = firstDifference(r.d, replay);
    if (at >= 0) {
      out.divergence = { kind: 'pass', pass: out.passes, now: r.now, at, live: r.d, replay };
      return out;
    }
  }
  return out;
}
