// Group commit for the journal: records appended while a write is in flight wait and go to
// disk together in the next write, so the number of transactions (and fsyncs, and wake-ups of
// the writer thread) follows the disk's pace rather than the number of event-loop turns.
// Every append resolves only once the write that holds it is durable, and writes happen one
// at a time in append order.

/** Writes one group of records durably (committed and flushed); resolves when it is. */
export type WriteGroup<R> = (records: R[]) => Promise<void>;

interface Group<R> {
  records: R[];
  durable: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

export interface GroupCommitOptions {
  /**
   * Writes in flight at once (default 1). With 2, the next group is handed to the writer while
   * the previous one is still being flushed, so packing and syncing overlap. Only for a writer
   * that makes writes durable in the order it was given them (lmdb commits in order: a later
   * commit flushed means every earlier one is); appends still resolve in append order.
   */
  depth?: number;
}

export class GroupCommit<R> {
  private open: Group<R> | null = null;
  /** Writes in flight, oldest first; each settles after the one before it. */
  private readonly inFlight: Promise<void>[] = [];
  private scheduled = false;
  private readonly depth: number;

  constructor(
    private readonly write: WriteGroup<R>,
    opts: GroupCommitOptions = {},
  ) {
    this.depth = Math.max(1, Math.floor(opts.depth ?? 1));
  }

  /** Queues a record; resolves once it (and every record before it) is durable. */
  append(record: R): Promise<void> {
    this.open ??= newGroup<R>();
    this.open.records.push(record);
    // Records of the same turn always share a write; later ones join while writes run.
    if (this.inFlight.length < this.depth && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.next();
      });
    }
    return this.open.durable;
  }

  /** Resolves once everything appended so far is durable (or failed). */
  async drained(): Promise<void> {
    while (this.inFlight.length > 0 || this.open !== null) {
      const last = this.inFlight.at(-1);
      if (last !== undefined) await last;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private next(): void {
    const group = this.open;
    if (group === null || this.inFlight.length >= this.depth) return;
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
  return { records: [], durable, resolve, reject };
}
