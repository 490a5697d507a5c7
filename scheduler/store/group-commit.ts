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

export class GroupCommit<R> {
  private open: Group<R> | null = null;
  private inFlight: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly write: WriteGroup<R>) {}

  /** Queues a record; resolves once it (and every record before it) is durable. */
  append(record: R): Promise<void> {
    this.open ??= newGroup<R>();
    this.open.records.push(record);
    // Records of the same turn always share a write; later ones join while a write runs.
    if (this.inFlight === null && !this.scheduled) {
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
    while (this.inFlight !== null || this.open !== null) {
      if (this.inFlight !== null) await this.inFlight;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private next(): void {
    const group = this.open;
    if (group === null || this.inFlight !== null) return;
    this.open = null;
    this.inFlight = this.write(group.records).then(
      () => group.resolve(),
      (err: unknown) => group.reject(err instanceof Error ? err : new Error(String(err))),
    );
    void this.inFlight.finally(() => {
      this.inFlight = null;
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
