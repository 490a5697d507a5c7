// The scheduler's durable state in lmdb: an append-only journal of accepted events and
// schedule passes (replayed into a fresh core on restart), job records for accounting,
// and display-id → job-id lookups.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { CoreEvent, JobView, Ms, TaskOutcome } from '../core/index.js';
import { StateDirError } from './errors.js';
import { GroupCommit } from './group-commit.js';

/** What an agent reported for one finished attempt. */
export interface TaskResult {
  taskId: number;
  attempt: number;
  node: string;
  outcome: TaskOutcome | 'cancelled';
  cpuMs: number;
  wallMs: number;
  kernel: string;
  summary: unknown;
  error?: string;
}

/** One journal entry: an event the core accepted, or a schedule pass, each at its `now`. */
export type JournalRecord =
  | { k: 'e'; now: Ms; event: CoreEvent; result?: TaskResult }
  | { k: 's'; now: Ms };

/** What one journal key holds: the records of one group commit. */
type StoredRecord = JournalRecord | { k: 'm'; records: JournalRecord[] };

/** A sequencing run as taken in by POST /api/v1/runs: what it asked for and what became of each sample. */
export interface RunRecord {
  run: string;
  lab: string;
  /** The request's samples as received (JSON), to tell a repeat from a different run of the same id. */
  request: string;
  analyses: unknown[];
  /** Modelled time it was taken in. */
  at: Ms;
}

/** A terminal job as kept for accounting. */
export type JobRecord = JobView & { results: TaskResult[] };

export class Store {
  private readonly root: RootDatabase;
  private readonly journal: Database<StoredRecord, number>;
  private readonly jobs: Database<JobRecord, number>;
  /** Job arrays: id of the first element → the array spec (elements have consecutive ids). */
  private readonly arrays: Database<string, number>;
  /** Sequencing runs by run id (POST /api/v1/runs is idempotent per run). */
  private readonly runs: Database<RunRecord, string>;
  private nextSeq: number;
  private readonly commits: GroupCommit<JournalRecord>;
  /** Records written but not yet committed: lmdb reads do not see them until then. */
  private readonly unflushedJobs = new Map<number, JobRecord>();

  constructor(readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.root = open({ path: join(dir, 'gsched.lmdb') });
    } catch (err) {
      throw new StateDirError(dir, (err as Error).message);
    }
    this.journal = this.root.openDB<StoredRecord, number>({ name: 'journal' });
    this.jobs = this.root.openDB<JobRecord, number>({ name: 'jobs' });
    this.arrays = this.root.openDB<string, number>({ name: 'arrays' });
    this.runs = this.root.openDB<RunRecord, string>({ name: 'runs' });
    let last = 0;
    for (const key of this.journal.getKeys({ reverse: true, limit: 1 })) last = key;
    this.nextSeq = last + 1;
    this.commits = new GroupCommit((records) => this.writeGroup(records));
  }

  /** One journal key per group; durable once lmdb has flushed the commit, not only made it visible. */
  private async writeGroup(records: JournalRecord[]): Promise<void> {
    const value: StoredRecord = records.length === 1 ? (records[0] as JournalRecord) : { k: 'm', records };
    await this.journal.put(this.nextSeq++, value);
    await this.root.flushed;
  }

  /**
   * Appends in order; resolves once the record (and all before it) is committed and flushed
   * to disk. Records appended while a write is in flight are written together next (group
   * commit), under one key.
   */
  append(record: JournalRecord): Promise<void> {
    return this.commits.append(record);
  }

  *replay(): Iterable<{ seq: number; record: JournalRecord }> {
    for (const { key, value } of this.journal.getRange()) {
      if (value.k === 'm') for (const record of value.records) yield { seq: key, record };
      else yield { seq: key, record: value };
    }
  }

  putJob(record: JobRecord): Promise<void> {
    this.unflushedJobs.set(record.id, record);
    return this.jobs.put(record.id, record).then(() => {
      if (this.unflushedJobs.get(record.id) === record) this.unflushedJobs.delete(record.id);
    });
  }

  job(id: number): JobRecord | undefined {
    return this.unflushedJobs.get(id) ?? this.jobs.get(id);
  }

  /** Every job record, the ones still being written first, then newest first. */
  *allJobs(): Iterable<JobRecord> {
    const pending = [...this.unflushedJobs.values()];
    yield* pending;
    const seen = new Set(pending.map((r) => r.id));
    for (const { value } of this.jobs.getRange({ reverse: true })) if (!seen.has(value.id)) yield value;
  }

  putArray(baseId: number, spec: string): Promise<void> {
    return this.arrays.put(baseId, spec).then(() => undefined);
  }

  arraySpec(baseId: number): string | undefined {
    return this.arrays.get(baseId);
  }

  putRun(record: RunRecord): Promise<void> {
    return this.runs.put(record.run, record).then(() => undefined);
  }

  run(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** Waits for every write issued so far. */
  async flushed(): Promise<void> {
    await this.commits.drained();
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
