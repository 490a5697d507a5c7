// A replica of the scheduler's state that follows the journal, so that snapshots are taken
// off the scheduler's thread (snapshot-worker.ts runs one in a worker thread). A snapshot copies
// the whole state (about 4 objects per job held): at 50,000 jobs that took the scheduler's
// thread 1-3 s, GC included, and every request, pass and acknowledgement waited behind it.
// The replica applies the same records a restart replays (events and passes, with the same
// books), stops exactly at the snapshot's journal marker and copies its own state there: what a
// restart would rebuild from the journal, which is what a snapshot must hold. Each replayed
// pass is checked against the decisions the journal recorded for it, so a replica that would
// disagree with the live core says so instead of writing a snapshot.
import type { ClusterConfig } from '../core/index.js';
import { StateCorruptError, type JournalPos, type Store } from '../store/index.js';
import { Books, takeSnapshot } from './books.js';
import type { CoreApi } from './core-api.js';
import { makeCore } from './make-core.js';
import { restoreLatest } from './restore.js';
import { replayDivergence, replayRecord, type ReplayableRecord } from './replay-record.js';

/** Journal records the replica reads in one lmdb read transaction (see follow). */
export const FOLLOW_BATCH = 2_000;

/** The replica's pass did not decide what the live core decided (the snapshot is not written). */
export class ReplicaDivergedError extends Error {
  constructor(seq: number, detail: string) {
    super(`the snapshot replica's pass at journal group ${seq} decided otherwise than the live core (${detail}); snapshots are taken in the scheduler's thread from now on`);
    this.name = 'ReplicaDivergedError';
  }
}

export class Replica {
  core: CoreApi;
  readonly books = new Books();
  /** The last journal record applied (or the restored snapshot's marker); null: none yet. */
  private pos: JournalPos | null;

  /** Loads the state folder's latest snapshot; `config` is any config a core can be built from (the snapshot's own is used). */
  constructor(
    private readonly store: Store,
    config: ClusterConfig,
  ) {
    const { core, restored } = restoreLatest(store, makeCore(config), this.books, makeCore, () => undefined);
    this.core = core;
    this.pos = null;
    if (restored !== null) this.pos = store.markerAt(restored.seq, restored.id);
  }

  /**
   * Applies the journal's records up to snapshot marker `id` (written after the replica's
   * place); how many. One read transaction reads about FOLLOW_BATCH records: lmdb cannot
   * reuse a page freed after the oldest open read began, and a whole follow (hundreds of
   * thousands of records, tens of seconds at the lowest priority) in one read would hold back
   * every page the scheduler's commits free meanwhile.
   */
  follow(id: string): number {
    let applied = 0;
    for (let more = true; more; ) {
      more = false;
      let read = 0;
      for (const { pos, record } of this.store.recordsAfter(this.pos)) {
        // A batch ends between journal groups, so a group is unpacked once (a group of an
        // intake may hold thousands of records).
        if (read >= FOLLOW_BATCH && pos.seq !== this.pos?.seq) {
          more = true;
          break;
        }
        this.pos = pos;
        read++;
        if (record.k === 'x') {
          if (record.id === id) return applied;
        } else {
          applied++;
          this.apply(record, pos.seq);
        }
      }
      this.store.root.resetReadTxn(); // the next batch reads from a fresh transaction
    }
    throw new StateCorruptError(this.store.dir, `the journal has no snapshot marker ${id} after group ${this.pos?.seq ?? 0}`);
  }

  /** One record, as LiveDriver.replay replays it (one function applies a record for both); a pass is checked against its recorded decisions. */
  private apply(record: ReplayableRecord, seq: number): void {
    const r = replayRecord(this.core, record, seq);
    if (r.k === 'e') {
      this.books.note(r.record.event, r.res, r.record.result, r.record.idem);
      return;
    }
    const decisions = r.step.decisions;
    const diverged = replayDivergence(decisions, r.record.d);
    if (diverged !== null) throw new ReplicaDivergedError(seq, diverged);
    for (const d of decisions) if (d.type === 'start') this.books.started(d);
  }

  /** Writes a snapshot of the replica's state as snapshot `id` (marker in group `seq`, taken at `now`). */
  async write(id: string, seq: number, now: number): Promise<{ objects: number; bytes: number }> {
    const { header, objs } = takeSnapshot(this.core, this.books);
    const meta = await this.store.writeSnapshot(id, seq, now, header, objs);
    return { objects: objs.length, bytes: meta.bytes };
  }
}
