// Audit entries for many acts at once (a pass's dispatches): each act is named in the entry's
// detail and every patient it concerns is in the entry's pseudonyms, so an auditor following
// one patient still finds it, and the hash chain covers it as it covers any entry.

/** Tasks named per dispatch entry: a burst's first pass starts thousands; entries stay readable. */
export const DISPATCH_AUDIT_BATCH = 500;

export interface AuditBatchEntry {
  /** One line per act, in the order they happened. */
  tasks: string[];
  /** Every patient the acts concern, each once, in first-seen order. */
  pseudonyms: string[];
}

export class AuditBatch {
  private batches: AuditBatchEntry[] = [];
  private seen = new Set<string>();

  constructor(private readonly size: number) {}

  add(act: string, pseudonyms: readonly string[]): void {
    let b = this.batches[this.batches.length - 1];
    if (b === undefined || b.tasks.length >= this.size) {
      b = { tasks: [], pseudonyms: [] };
      this.batches.push(b);
      this.seen.clear();
    }
    b.tasks.push(act);
    for (const p of pseudonyms) {
      if (this.seen.has(p)) continue;
      this.seen.add(p);
      b.pseudonyms.push(p);
    }
  }

  /** The entries gathered since the last take, and an empty batch. */
  take(): AuditBatchEntry[] {
    const out = this.batches;
    this.batches = [];
    this.seen.clear();
    return out;
  }
}
