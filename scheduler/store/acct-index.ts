// The accounting index: ended jobs by end time, and by (user | account | partition | state,
// value, end time), in lmdb sub-databases of their own beside the job records. `gsched acct`
// reads a key range of one of them and then only the records it names, so a query costs what it
// returns, not the whole history. Keys only (each value is 1): the index can always be
// rebuilt from the records, which it is when their counts disagree at start (a folder written
// before the index existed, or records removed by retention).
import type { Database } from 'lmdb';
import { entryCount, type JobRecord, type Store } from './journal.js';

export type AcctDim = 'user' | 'account' | 'partition' | 'state';

export interface AcctIndexQuery {
  /** Values wanted per dimension (a job matches one of them); absent: any. */
  dims: Partial<Record<AcctDim, readonly string[]>>;
  /** End-time window, inclusive, on the scheduler's clock. */
  endFrom: number;
  endTo: number;
}

type EndKey = [number, number];
type DimKey = [string, string, number, number];

/** Which dimension drives a query when several are given: the one likely to select fewest. */
const DRIVE_ORDER: readonly AcctDim[] = ['user', 'account', 'partition', 'state'];

export class AcctIndex {
  private readonly byEnd: Database<1, EndKey>;
  private readonly byDim: Database<1, DimKey>;
  private readonly meta: Database<number, string>;
  /**
   * The longest time from submit to end of any record indexed (never lowered): a job that ended
   * more than this after a time T was submitted after T, which is what bounds a window's walk.
   */
  private span: number;

  constructor(private readonly store: Store) {
    this.byEnd = store.root.openDB<1, EndKey>({ name: 'acct-end' });
    this.byDim = store.root.openDB<1, DimKey>({ name: 'acct-dim' });
    this.meta = store.root.openDB<number, string>({ name: 'acct-meta' });
    this.span = this.meta.get('maxSpan') ?? -1;
    // getCount walks both (seconds at 1,000,000): with lmdb's statistics instead, a SIGKILL just after
    // the start left a data file the next start refused as truncated (state-folder.test.ts). To be found.
    if (this.byEnd.getCount() !== store.jobs.db.getCount() || this.span < 0) this.rebuild();
  }

  /** See `span`: how far past a window's end a job submitted in the window may have ended. */
  get maxSpan(): number {
    return Math.max(0, this.span);
  }

  private noteSpan(r: JobRecord): void {
    const span = AcctIndex.endOf(r) - r.submittedAt;
    if (span > this.span) {
      this.span = span;
      void this.meta.put('maxSpan', span);
    }
  }

  private static endOf(r: JobRecord): number {
    return r.endedAt ?? r.submittedAt;
  }

  private static dimValues(r: JobRecord): [AcctDim, string][] {
    return [
      ['user', r.owner],
      ['account', r.account],
      ['partition', r.partition],
      ['state', r.state],
    ];
  }

  /** Indexes a record (written with it; both land in the same lmdb commit when issued together). */
  add(r: JobRecord): Promise<void> {
    this.store.holdTurn();
    this.noteSpan(r);
    const end = AcctIndex.endOf(r);
    const writes: Promise<boolean>[] = [this.byEnd.put([end, r.id], 1)];
    for (const [dim, v] of AcctIndex.dimValues(r)) writes.push(this.byDim.put([dim, v, end, r.id], 1));
    return Promise.all(writes).then(() => undefined);
  }

  /** Drops a record's entries (retention removes records). */
  remove(r: JobRecord): Promise<void> {
    this.store.holdTurn();
    const end = AcctIndex.endOf(r);
    const writes: Promise<boolean>[] = [this.byEnd.remove([end, r.id])];
    for (const [dim, v] of AcctIndex.dimValues(r)) writes.push(this.byDim.remove([dim, v, end, r.id]));
    return Promise.all(writes).then(() => undefined);
  }

  private rebuild(): void {
    this.span = 0;
    this.store.root.transactionSync(() => {
      this.byEnd.clearSync();
      this.byDim.clearSync();
      for (const { value: r } of this.store.jobs.range()) {
        const end = AcctIndex.endOf(r);
        this.span = Math.max(this.span, end - r.submittedAt);
        this.byEnd.putSync([end, r.id], 1);
        for (const [dim, v] of AcctIndex.dimValues(r)) this.byDim.putSync([dim, v, end, r.id], 1);
      }
      this.meta.putSync('maxSpan', this.span);
    });
  }

  /** Ids of up to `limit` records that ended before `cutoff`, oldest first (retention's next chunk). */
  endedBefore(cutoff: number, limit: number): number[] {
    const out: number[] = [];
    for (const key of this.byEnd.getKeys({ end: [cutoff, 0], limit })) out.push(key[1]);
    return out;
  }

  /**
   * Ids of ended jobs that match, in end-time order. Only the driving dimension's ranges (or
   * the end-time range) are read; the caller checks the other filters on the records.
   */
  ids(q: AcctIndexQuery): number[] {
    const drive = DRIVE_ORDER.find((d) => (q.dims[d]?.length ?? 0) > 0);
    if (drive === undefined) {
      const out: number[] = [];
      for (const key of this.byEnd.getKeys({ start: [q.endFrom, 0], end: [q.endTo + 1, 0] })) out.push(key[1]);
      return out;
    }
    const found: [number, number][] = [];
    for (const v of q.dims[drive] ?? []) {
      for (const key of this.byDim.getKeys({ start: [drive, v, q.endFrom, 0], end: [drive, v, q.endTo + 1, 0] })) found.push([key[2], key[3]]);
    }
    found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return found.map((f) => f[1]);
  }

  /** Entries in the end-time index (for tests and fsck-like checks). */
  get size(): number {
    return entryCount(this.byEnd);
  }
}
