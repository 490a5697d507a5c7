// One journal record applied to a core as a restart applies it: a pass at its time (and with the
// time up to which it enforced limits), or an event. Shared by LiveDriver.replay (a restart),
// Replica.follow (the snapshot worker) and bench:metrics' matched replay, so that all three
// rebuild the same state from the same journal.
import { decisionTexts, firstDifference, type Decision, type EventResult, type StepResult } from '../core/index.js';
import { JournalCorruptError, type JournalRecord } from '../store/index.js';
import type { CoreApi } from './core-api.js';

/** A record the journal holds for the core (a snapshot marker is not one). */
export type ReplayableRecord = Exclude<JournalRecord, { k: 'x' }>;

/** What replaying a record gave, with the record: the pass's step, or the event's (accepted) result. */
export type Replayed = { k: 's'; record: Extract<JournalRecord, { k: 's' }>; step: StepResult } | { k: 'e'; record: Extract<JournalRecord, { k: 'e' }>; res: EventResult };

/** Applies `record` (from journal group `seq`) to `core`; an event the core refuses means the journal is corrupt. */
export function replayRecord(core: CoreApi, record: ReplayableRecord, seq: number): Replayed {
  if (record.k === 's') return { k: 's', record, step: core.schedule(record.now, record.l) };
  const res = core.apply(record.event, record.now);
  if (!res.ok) throw new JournalCorruptError(seq, `the core refused ${record.event.type}: ${res.error.message}`);
  return { k: 'e', record, res };
}

/**
 * Where a replayed pass's decisions part from those the journal recorded for it (`recorded`
 * absent: nothing to compare), as `decision k: X instead of Y`; null when they agree.
 */
export function replayDivergence(decisions: readonly Decision[], recorded: readonly string[] | undefined): string | null {
  if (recorded === undefined) return null;
  const texts = decisionTexts(decisions);
  const k = firstDifference(texts, recorded);
  return k < 0 ? null : `decision ${k}: ${texts[k] ?? 'none'} instead of ${recorded[k] ?? 'none'}`;
}
