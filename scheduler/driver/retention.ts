// Retention: job records that ended longer ago than the retention age are appended to a JSON
// lines file, then removed from the state folder (records and accounting index). A sweep works
// in chunks and yields to the event loop between them, so scheduling never waits for it. A
// record is written out before it is removed: a crash in between leaves it in both (the file
// may then hold a line twice), never in neither.
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { AcctIndex, JobRecord, Store } from '../store/index.js';

export interface RetentionOptions {
  /** Records older than this (end time, on the scheduler's clock) go; 0 keeps everything. */
  retentionMs: number;
  /** The JSON lines file records are appended to. */
  exportPath: string;
  /** Records per chunk (default 1,000). */
  chunk?: number;
}

export interface SweepReport {
  exported: number;
  chunks: number;
}

export class Retention {
  private running: Promise<SweepReport> | null = null;

  constructor(
    private readonly store: Store,
    private readonly acct: AcctIndex,
    private readonly opts: RetentionOptions,
    private readonly log: Logger,
  ) {}

  /** Resolves once no sweep is running (before the store closes). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  get enabled(): boolean {
    return this.opts.retentionMs > 0;
  }

  /** One sweep up to `now` (one at a time: a second call joins the first). */
  sweep(now: number): Promise<SweepReport> {
    if (!this.enabled) return Promise.resolve({ exported: 0, chunks: 0 });
    this.running ??= this.run(now - this.opts.retentionMs).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(cutoff: number): Promise<SweepReport> {
    const chunk = this.opts.chunk ?? 1000;
    const report: SweepReport = { exported: 0, chunks: 0 };
    await mkdir(dirname(this.opts.exportPath), { recursive: true });
    for (;;) {
      const ids = this.acct.endedBefore(cutoff, chunk);
      if (ids.length === 0) break;
      const records = ids.map((id) => this.store.job(id)).filter((r): r is JobRecord => r !== undefined);
      await appendFile(this.opts.exportPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      // On disk before the records go.
      const fh = await open(this.opts.exportPath, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await Promise.all(records.flatMap((r) => [this.acct.remove(r), this.store.removeJob(r.id)]));
      // Index entries whose record was already gone (a crash between the two writes).
      const missing = ids.filter((id) => !records.some((r) => r.id === id));
      if (missing.length > 0) this.log.warn({ missing }, 'retention: index entries without a record');
      if (missing.length === ids.length) break;
      report.exported += records.length;
      report.chunks++;
      // Let passes, agents and requests run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (report.exported > 0) this.log.info({ ...report, cutoff, file: this.opts.exportPath }, 'retention: old job records exported and removed');
    return report;
  }
}
