// Group commit for the journal: records appended while a write is in flight wait and go to
// disk together in the next write, so the number of transactions (and fsyncs, and wake-ups of
// the writer thread) follows the disk's pace rather than the number of event-loop turns.
// Every append resolves only once the write that holds it is durable, and writes happen one
// at a time in append order.

/** Writes one group of records durably (committed and flushed); resolves when it is. */
export type WriteGroup<R> = (records: R[]) => Promise<void>;

interface Group<R> {
  records: R[];
  /** Holds a record that may not wait for the gap. */
  urgent: boolean;
  durable: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

export interface GroupCommitOptions<R> {
  /**
   * Writes in flight at once (default 1). With 2, the next group is handed to the writer while
   * the previous one is still being flushed, so packing and syncing overlap. Only for a writer
   * that makes writes durable in the order it was given them (lmdb commits in order: a later
   * commit flushed means every earlier one is); appends still resolve in append order.
   */
  depth?: number;
  /**
   * Least ms from one write's start to the start of a write that holds only records `mayWait`
   * accepts (default 0: none waits). Each lmdb commit costs two disk syncs and CPU off the
   * main thread whatever it holds (see journal.ts), so a stream of such records is written in fewer,
   * bigger commits; a group that holds any other record is written at once, as without a gap.
   */
  gapMs?: number;
  /** Records nobody waits on with a client's request held open (default: every record). */
  mayWait?: (record: R) => boolean;
  /**
   * Opens the writer's batch for the current event-loop turn without writing anything. lmdb
   * commits the writes of a turn together, at a setImmediate queued by the turn's first write;
   * a group is written from a setImmediate of ours, so when our puts are the turn's first
   * writes lmdb's setImmediate comes after every callback of this turn's check phase and the
   * commit starts a whole turn later (a busy one while requests stream in). Called right after
   * ours is queued, it puts lmdb's behind ours: the group's puts join this turn's commit.
   */
  openBatch?: () => void;
}

export class GroupCommit<R> {
  private open: Group<R> | null = null;
  /** Writes in flight, oldest first; each settles after the one before it. */
  private readonly inFlight: Promise<void>[] = [];
  private scheduled = false;
  /** openBatch was called for the write scheduled this turn. */
  private batchOpened = false;
  private readonly depth: number;
  private readonly gapMs: number;
  private readonly mayWait: (record: R) => boolean;
  private readonly openBatch: (() => void) | undefined;
  /** When the last write started (performance.now()), and the timer that starts the next one after the gap. */
  private lastStart = -Infinity;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly write: WriteGroup<R>,
    opts: GroupCommitOptions<R> = {},
  ) {
    this.depth = Math.max(1, Math.floor(opts.depth ?? 1));
    this.gapMs = Math.max(0, opts.gapMs ?? 0);
    this.mayWait = opts.mayWait ?? (() => true);
    this.openBatch = opts.openBatch;
  }

  /** Queues a record; resolves once it (and every record before it) is durable. */
  append(record: R): Promise<void> {
    this.open ??= newGroup<R>();
    this.open.records.push(record);
    const mayWait = this.gapMs > 0 && this.mayWait(record);
    if (!this.open.urgent && this.gapMs > 0 && !mayWait) {
      this.open.urgent = true;
      // Waiting out a gap: this record may not, so the write starts now.
      if (this.gapTimer !== null) {
        clearTimeout(this.gapTimer);
        this.gapTimer = null;
      }
    }
    // Records of the same turn always share a write; later ones join while writes run.
    this.holdTurn();
    // Only for a write that starts at the end of this turn (one that waits out the gap would
    // leave an empty batch to commit).
    if (this.scheduled && !this.batchOpened && !mayWait && this.openBatch !== undefined) {
      this.batchOpened = true;
      this.openBatch();
    }
    return this.open.durable;
  }

  /**
   * Queues the end-of-turn write (when a write may start) ahead of anything the caller writes
   * to the same storage later in this turn: the Store calls it before its other lmdb writes,
   * so that lmdb's end-of-turn commit, queued by the first of them, comes after our group's
   * puts and takes them along (see openBatch).
   */
  holdTurn(): void {
    if (this.inFlight.length >= this.depth || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.batchOpened = false;
      this.next();
    });
  }

  /** Resolves once everything appended so far is durable (or failed). */
  async drained(): Promise<void> {
    while (this.inFlight.length > 0 || this.open !== null) {
      const last = this.inFlight.at(-1);
      if (last !== undefined) await last;
      else await new Promise<void>((r) => (this.gapTimer === null ? setImmediate(r) : setTimeout(r, 1)));
    }
  }

  private next(): void {
    const group = this.open;
    if (group === null || this.inFlight.length >= this.depth || this.gapTimer !== null) return;
    const wait = group.urgent ? 0 : this.lastStart + this.gapMs - performance.now();
    if (wait > 0) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        this.next();
      }, wait);
      return;
    }
    this.lastStart = performance.now();
    this.open = null;
    const before = this.inFlight.at(-1) ?? Promise.resolve();
    const written = this.write(group.records);
    // In order: a group is reported only after the one before it was.
    const settled = Promise.all([before, written]).then(
      () => group.resolve(),
      (err: unknown) => group.reject(err instanceof Error ? err : new Error(String(err))),
    );
    this.inFlight.push(settled);
    void settled.finally(() => {
      this.inFlight.splice(this.inFlight.indexOf(settled), 1);
      this.next();
    });
  }
}

function newGroup<R>(): Group<R> {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const durable = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed write is reported to each caller; do not also report it as unhandled here.
  durable.catch(() => undefined);
  return { records: [], urgent: false, durable, resolve, reject };
}
