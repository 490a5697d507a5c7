// The scheduler's durable state in lmdb: an append-only journal of accepted events and
// schedule passes (replayed into a fresh core on restart), job records for accounting,
// display-id → job-id lookups, and a meta db (schema, folder id). Every value is CRC-framed
// (records.ts) and checked when read. See layout.ts for the checks made before lmdb opens.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { chainHeadText } from '../../common/index.js';
import type { CoreEvent, JobView, Ms, TaskOutcome } from '../core/index.js';
import { RecordCorruptError, StateCorruptError, StateDirError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { DATA_FILE, DATA_PAGE_SIZE, SCHEMA, checkDataFile, newFolderId, readFormat, writeFormat, type FormatFile } from './layout.js';
import { frame, unframe, type Key } from './records.js';

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
  /** The exec kernel's exit status and the signal that ended the command, if any. */
  exitCode?: number;
  signal?: string;
}

/**
 * One journal entry: an event the core accepted, or a schedule pass, each at its `now`.
 * A submit may carry the client's idempotency key, so a retry after a restart finds its answer.
 */
export type JournalRecord =
  | { k: 'e'; now: Ms; event: CoreEvent; result?: TaskResult; idem?: IdempotencyKey }
  /**
   * `d`: the pass's decisions as text (decisionTexts), for `gsched replay` to compare; `l`: the
   * time up to which it enforced time limits, when earlier than `now` (after a blocked event loop).
   */
  | { k: 's'; now: Ms; d?: string[]; l?: Ms }
  /** Where snapshot `id` was taken: it holds every record before this one. */
  | { k: 'x'; now: Ms; id: string };

/** A record's place in the journal: its group (key) and its index in the group. */
export interface JournalPos {
  seq: number;
  index: number;
}

/** A client's Idempotency-Key and a hash of the body it came with. */
export interface IdempotencyKey {
  key: string;
  hash: string;
}

/**
 * An audit entry queued into the journal's group commit, so that it and the journal records
 * appended in the same turn (a submission's event) share one lmdb transaction and one sync:
 * both are on disk, or neither. `text` is the entry as stored; `hash` its hash, which the head
 * record names (chainHeadText, the audit log's format; written once per group, for its last entry).
 */
export interface AuditWrite {
  k: 'a';
  seq: number;
  text: string;
  hash: string;
  /** No request waits for it (the scheduler's own entries): it may wait out the journal's gap. */
  unawaited?: boolean;
}

/** Where the audit log keeps its entries in the state folder, and how it writes them. */
export interface AuditTarget {
  db: Database<string, number>;
  /** Resolves once the entry, and its head record, are committed and synced; `unawaited`: no request waits for it. */
  write(seq: number, text: string, hash: string, unawaited?: boolean): Promise<void>;
}

/** The audit head record's key (AuditLog's: it reads the head there). */
export const AUDIT_HEAD = 0;

/** What one journal key holds: the records of one group commit. */
type StoredRecord = JournalRecord | { k: 'm'; records: JournalRecord[] };

/** Where the latest snapshot sits: taken at the marker `id` in journal group `seq`. */
export interface SnapshotMeta {
  id: string;
  seq: number;
  /** Chunks of objects after the header chunk. */
  chunks: number;
  now: Ms;
  bytes: number;
}

/** A snapshot as the store keeps it: a header (anything) and the core's object entries. */
export interface StoredSnapshot {
  meta: SnapshotMeta;
  header: unknown;
  objs: unknown[][];
}

/** The journal's first group: a journal whose first key is this was never compacted. */
const FIRST_SEQ = 1;
/**
 * Meta keys `snapshot/<id>`: each complete snapshot's meta, so that when the latest cannot be
 * read (another build's layout) an older one still in the folder can be, knowing it is whole.
 */
const SNAPSHOT_META_PREFIX = 'snapshot/';

/** Object entries per chunk: each chunk is one lmdb value, written in its own turn. */
const SNAPSHOT_CHUNK = 20_000;

/**
 * Least ms from a journal write's start to that of the next write when it holds only records
 * no client request waits on (noClientWaits). Each commit costs the scheduler two disk syncs
 * and 0.3-0.8 ms of CPU off its main thread whatever it holds (a hand-run loop of commits):
 * in a live burst (noop tasks, ~4,000 results/s) commits of ~20 records ran back to back,
 * ~200/s (counted with perf on fdatasync). An agent's result waits at most this much longer
 * for its sync (acknowledged still means synced); a client's request is not delayed.
 */
const JOURNAL_GAP_MS = 10;

/**
 * Passes, agents' task results (the agent keeps a result until acknowledged) and the
 * scheduler's own audit entries (dispatches): no request is held open for any of them.
 */
export function noClientWaits(record: JournalRecord | AuditWrite): boolean {
  if (record.k === 'a') return record.unawaited === true;
  return record.k === 's' || (record.k === 'e' && record.result !== undefined);
}

/** Journal keys removed per transaction when compacting (one per event-loop turn). */
const COMPACT_BATCH = 5_000;

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

export interface StoreOptions {
  /** Open without writing anything (fsck): no FORMAT, no migration, lmdb read-only. */
  readOnly?: boolean;
}

/** Entries in a database, from lmdb's statistics (mdb_stat), without walking them. */
export function entryCount(db: Database<unknown, Key | Key[]>): number {
  return (db.getStats() as { entryCount: number }).entryCount;
}

/** A sub-database whose values are CRC-framed; every read is checked. */
export class FramedDb<K extends Key, V> {
  constructor(
    readonly name: string,
    readonly db: Database<Buffer, K>,
  ) {}

  get(key: K): V | undefined {
    const bytes = this.db.getBinary(key);
    return bytes === undefined ? undefined : unframe<V>(this.name, key, bytes);
  }

  put(key: K, value: V): Promise<boolean> {
    return this.db.put(key, frame(key, value));
  }

  /** Inside a transactionSync. */
  putSync(key: K, value: V): void {
    this.db.putSync(key, frame(key, value));
  }

  remove(key: K): Promise<boolean> {
    return this.db.remove(key);
  }

  *range(opts: { start?: K; end?: K; reverse?: boolean; limit?: number } = {}): Iterable<{ key: K; value: V }> {
    for (const { key, value } of this.db.getRange(opts)) yield { key, value: unframe<V>(this.name, key, value) };
  }

  /** Keys and raw bytes, for fsck: it checks each and goes on past damage. */
  rawRange(): Iterable<{ key: K; value: Buffer }> {
    return this.db.getRange({});
  }

  firstKey(): K | undefined {
    for (const key of this.db.getKeys({ limit: 1 })) return key;
    return undefined;
  }

  lastKey(): K | undefined {
    for (const key of this.db.getKeys({ reverse: true, limit: 1 })) return key;
    return undefined;
  }

  /** From the database's own statistics: O(1) (getCount walks every entry: seconds at 1,000,000). */
  get count(): number {
    return entryCount(this.db);
  }
}

export class Store {
  readonly root: RootDatabase;
  readonly journal: FramedDb<number, StoredRecord>;
  readonly jobs: FramedDb<number, JobRecord>;
  /** Job arrays: id of the first element → the array spec (elements have consecutive ids). */
  readonly arrays: FramedDb<number, string>;
  readonly meta: FramedDb<string, unknown>;
  /** Sequencing runs by run id (POST /api/v1/runs is idempotent per run). */
  readonly runs: FramedDb<string, RunRecord>;
  /** Snapshot chunks, keyed `<seq>/<chunk>` (see snapshots.ts). */
  readonly snaps: FramedDb<string, unknown>;
  readonly format: FormatFile | null;
  private nextSeq: number;
  private readonly commits: GroupCommit<JournalRecord | AuditWrite>;
  /** The audit log's entries (string values under their sequence number; the hash chain checks them). */
  private auditDb: Database<string, number> | null = null;
  /** Records written but not yet committed: lmdb reads do not see them until then. */
  private readonly unflushedJobs = new Map<number, JobRecord>();

  constructor(
    readonly dir: string,
    opts: StoreOptions = {},
  ) {
    let format: FormatFile | null;
    try {
      if (!opts.readOnly) mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StateDirError(dir, (err as Error).message);
    }
    format = readFormat(dir);
    checkDataFile(dir, format);
    try {
      this.root = open({ path: join(dir, DATA_FILE), readOnly: opts.readOnly === true, pageSize: DATA_PAGE_SIZE });
    } catch (err) {
      throw new StateDirError(dir, (err as Error).message);
    }
    const binary = <K extends Key>(name: string): Database<Buffer, K> => this.root.openDB<Buffer, K>({ name, encoding: 'binary' });
    this.journal = new FramedDb('journal2', binary<number>('journal2'));
    this.jobs = new FramedDb('jobs2', binary<number>('jobs2'));
    this.arrays = new FramedDb('arrays2', binary<number>('arrays2'));
    this.meta = new FramedDb('meta', binary<string>('meta'));
    this.runs = new FramedDb('runs', binary<string>('runs'));
    this.snaps = new FramedDb('snapshots', binary<string>('snapshots'));
    try {
      format = this.checkOrInit(format, opts.readOnly === true);
      this.nextSeq = Math.max(this.journal.lastKey() ?? FIRST_SEQ - 1, this.journalBase()) + 1;
    } catch (err) {
      void this.root.close();
      if (err instanceof RecordCorruptError) throw new StateCorruptError(dir, err.message);
      throw err;
    }
    this.format = format;
    // Three writes in flight: the next groups are packed and committed while the one before is
    // flushed (lmdb commits in order, so appends still become durable in order). Three rather
    // than two since audit entries joined the groups (one job per POST, 9 alternating pairs).
    // A write of passes and agents' results only starts JOURNAL_GAP_MS after the one before.
    // openBatch: an empty conditional block, a write instruction that touches no key, so the
    // turn's lmdb commit is queued after the group's write (see GroupCommit). A failed commit
    // is reported to the writes it holds, not here.
    this.commits = new GroupCommit((records) => this.writeGroup(records), {
      depth: 3,
      gapMs: JOURNAL_GAP_MS,
      mayWait: noClientWaits,
      openBatch: () => void this.root.batch(() => undefined).catch(() => undefined),
    });
  }

  /** Matches the data file to FORMAT, or makes a new folder (migrating a schema-1 one) current. */
  private checkOrInit(format: FormatFile | null, readOnly: boolean): FormatFile | null {
    let id: unknown;
    let schema: unknown;
    try {
      id = this.meta.get('id');
      schema = this.meta.get('schema');
    } catch (err) {
      if (err instanceof RecordCorruptError) throw new StateCorruptError(this.dir, err.message);
      throw err;
    }
    if (format !== null) {
      if (id !== format.id) {
        throw new StateCorruptError(this.dir, `its data file ${DATA_FILE} ${id === undefined ? 'holds no folder id (it was emptied or replaced)' : 'belongs to another state folder'}`);
      }
      if (schema !== format.schema) throw new StateCorruptError(this.dir, `its data file says schema ${String(schema)} but FORMAT says ${format.schema}`);
      return format;
    }
    if (readOnly) return null;
    // No FORMAT: a new folder, a schema-1 folder, or one whose FORMAT write was cut short.
    let folderId = typeof id === 'string' ? id : null;
    if (folderId === null) {
      folderId = newFolderId();
      const migrate = migrateV1(this);
      this.root.transactionSync(() => {
        migrate();
        this.meta.putSync('schema', SCHEMA);
        this.meta.putSync('id', folderId);
      });
    }
    const made: FormatFile = { format: 'gsched-state', schema: SCHEMA, id: folderId };
    writeFormat(this.dir, made);
    return made;
  }

  /** Databases beyond the journal, jobs and arrays (fsck checks them all). */
  extraDbs(): FramedDb<string, unknown>[] {
    return [this.snaps, this.runs as FramedDb<string, unknown>];
  }

  /** The journal sequence the latest snapshot covers (0: none; replay starts after it). */
  journalBase(): number {
    return this.snapshotMeta()?.seq ?? 0;
  }

  /**
   * One journal key per group, and the group's audit entries with their head record, all put in
   * one turn: lmdb commits a turn's writes in one transaction (eventTurnBatching, its default),
   * so a submission's records and its audit entries are committed together or not at all.
   * Durable once lmdb has flushed the commit, not only made it visible.
   */
  private async writeGroup(items: (JournalRecord | AuditWrite)[]): Promise<void> {
    let records = items as JournalRecord[];
    let audit: AuditWrite[] | null = null;
    if (items.some((r) => r.k === 'a')) {
      records = [];
      audit = [];
      for (const r of items) {
        if (r.k === 'a') audit.push(r);
        else records.push(r);
      }
    }
    // Everything that can throw (encoding the journal value) comes before the first put, so a
    // failure leaves none of the group's writes queued.
    let journalPut: { seq: number; bytes: Buffer } | null = null;
    if (records.length > 0) {
      const value: StoredRecord = records.length === 1 ? (records[0] as JournalRecord) : { k: 'm', records };
      journalPut = { seq: this.nextSeq, bytes: frame(this.nextSeq, value) };
      this.nextSeq++;
      for (const r of records) if (r.k === 'x') this.markers.set(r.id, journalPut.seq);
    }
    const db = audit === null ? null : this.auditEntries();
    const puts: Promise<boolean>[] = [];
    if (journalPut !== null) puts.push(this.journal.db.put(journalPut.seq, journalPut.bytes));
    if (audit !== null && db !== null) {
      for (const a of audit) puts.push(db.put(a.seq, a.text));
      const last = audit[audit.length - 1] as AuditWrite;
      puts.push(db.put(AUDIT_HEAD, chainHeadText(last.seq, last.hash)));
    }
    await Promise.all(puts);
    await this.root.flushed;
  }

  /** The audit database in the data file (opened on first use: fsck and old folders need not have it). */
  auditEntries(): Database<string, number> {
    this.auditDb ??= this.root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    return this.auditDb;
  }

  /** The audit database if the data file has one (a read-only store cannot create it: fsck). */
  auditEntriesIfAny(): Database<string, number> | undefined {
    return this.auditDb ?? (this.root.openDB<string, number>({ name: 'audit', encoding: 'string' }) as Database<string, number> | undefined);
  }

  /** The audit log's place in this folder: its entries commit with the journal's group (appendAudit). */
  auditTarget(): AuditTarget {
    return { db: this.auditEntries(), write: (seq, text, hash, unawaited) => this.appendAudit(seq, text, hash, unawaited) };
  }

  /** Queues an audit entry into the next group commit; resolves once it is committed and synced. */
  appendAudit(seq: number, text: string, hash: string, unawaited = false): Promise<void> {
    return this.commits.append(unawaited ? { k: 'a', seq, text, hash, unawaited } : { k: 'a', seq, text, hash });
  }

  /** Journal group of each snapshot marker written by this process. */
  private readonly markers = new Map<string, number>();

  /**
   * Marks the journal where a snapshot is taken (call it in the same turn as the snapshot);
   * resolves with the marker's journal group once it is durable.
   */
  async mark(id: string, now: Ms): Promise<number> {
    await this.append({ k: 'x', now, id });
    const seq = this.markers.get(id);
    this.markers.delete(id);
    if (seq === undefined) throw new Error(`snapshot marker ${id} was not written`);
    return seq;
  }

  /**
   * Writes a snapshot taken at marker `id` (group `seq`), a chunk per event-loop turn, then
   * makes it the latest. The objects must not change meanwhile (the core's snapshot is a copy).
   */
  async writeSnapshot(id: string, seq: number, now: Ms, header: unknown, objs: unknown[][]): Promise<SnapshotMeta> {
    let bytes = 0;
    const put = async (i: number, value: unknown): Promise<void> => {
      const key = `${id}/${i}`;
      const framed = frame(key, value);
      bytes += framed.length;
      await this.snaps.db.put(key, framed);
    };
    await put(0, header);
    const chunks = Math.ceil(objs.length / SNAPSHOT_CHUNK);
    for (let c = 0; c < chunks; c++) {
      await new Promise((r) => setImmediate(r));
      await put(c + 1, objs.slice(c * SNAPSHOT_CHUNK, (c + 1) * SNAPSHOT_CHUNK));
    }
    const meta: SnapshotMeta = { id, seq, chunks, now, bytes };
    await this.root.flushed;
    await this.meta.put(`${SNAPSHOT_META_PREFIX}${id}`, meta);
    await this.meta.put('snapshot', meta);
    await this.root.flushed;
    return meta;
  }

  snapshotMeta(): SnapshotMeta | undefined {
    return this.meta.get('snapshot') as SnapshotMeta | undefined;
  }

  /**
   * Complete snapshots other than the latest still in the folder (left when a compaction did
   * not run), newest first. Snapshots from before these metas were kept are not listed.
   */
  olderSnapshots(): SnapshotMeta[] {
    const latest = this.snapshotMeta()?.id;
    const found: SnapshotMeta[] = [];
    try {
      for (const { value } of this.meta.range({ start: SNAPSHOT_META_PREFIX, end: `${SNAPSHOT_META_PREFIX}\uffff` })) {
        const meta = value as SnapshotMeta;
        if (meta.id !== latest) found.push(meta);
      }
    } catch (err) {
      if (err instanceof RecordCorruptError) throw new StateCorruptError(this.dir, err.message);
      throw err;
    }
    return found.sort((a, b) => b.seq - a.seq);
  }

  /** True when no journal group was ever compacted away: replay from the start rebuilds everything. */
  journalFromStart(): boolean {
    const first = this.journal.firstKey();
    return first === undefined ? this.snapshotMeta() === undefined : first === FIRST_SEQ;
  }

  /** A snapshot (the latest by default), checked chunk by chunk; undefined when there is none. */
  loadSnapshot(which?: SnapshotMeta): StoredSnapshot | undefined {
    try {
      const meta = which ?? this.snapshotMeta();
      if (meta === undefined) return undefined;
      const chunk = (i: number): unknown => {
        const v = this.snaps.get(`${meta.id}/${i}`);
        if (v === undefined) throw new StateCorruptError(this.dir, `snapshot ${meta.id} lacks its chunk ${i}`);
        return v;
      };
      const header = chunk(0);
      const objs: unknown[][] = [];
      for (let c = 1; c <= meta.chunks; c++) for (const e of chunk(c) as unknown[][]) objs.push(e);
      return { meta, header, objs };
    } catch (err) {
      if (err instanceof RecordCorruptError) throw new StateCorruptError(this.dir, err.message);
      throw err;
    }
  }

  /**
   * Drops what the latest snapshot makes redundant: journal groups before its marker's group
   * and other snapshots' chunks. A batch per event-loop turn, so scheduling goes on meanwhile.
   */
  async compact(): Promise<number> {
    const meta = this.snapshotMeta();
    if (meta === undefined) return 0;
    let removed = 0;
    for (;;) {
      const keys: number[] = [];
      for (const key of this.journal.db.getKeys({ end: meta.seq, limit: COMPACT_BATCH })) keys.push(key);
      if (keys.length === 0) break;
      await this.root.transaction(() => {
        for (const k of keys) void this.journal.db.remove(k);
      });
      removed += keys.length;
      await new Promise((r) => setImmediate(r));
    }
    const stale: string[] = [];
    for (const key of this.snaps.db.getKeys()) if (!key.startsWith(`${meta.id}/`)) stale.push(key);
    const staleMetas: string[] = [];
    for (const old of this.olderSnapshots()) staleMetas.push(`${SNAPSHOT_META_PREFIX}${old.id}`);
    if (stale.length + staleMetas.length > 0) {
      await this.root.transaction(() => {
        for (const k of stale) void this.snaps.db.remove(k);
        for (const k of staleMetas) void this.meta.db.remove(k);
      });
    }
    await this.root.flushed;
    return removed;
  }

  /**
   * Appends in order; resolves once the record (and all before it) is committed and flushed
   * to disk. Records appended while a write is in flight are written together next (group
   * commit), under one key.
   */
  append(record: JournalRecord): Promise<void> {
    return this.commits.append(record);
  }

  /**
   * Journal records in order: all of them, or those after snapshot marker `from.id` (in group
   * `from.seq`). Markers are not yielded. A damaged record, or a marker the journal lacks,
   * throws StateCorruptError.
   */
  *replay(from?: { seq: number; id: string }): Iterable<{ seq: number; record: JournalRecord }> {
    for (const { pos, record } of this.recordsAfter(from === undefined ? null : this.markerAt(from.seq, from.id))) {
      if (record.k !== 'x') yield { seq: pos.seq, record };
    }
  }

  /**
   * Journal records with their place, markers included: those after `after` (every one when
   * null). A replica follows the journal with it, a stretch at a time (see driver/replica.ts).
   */
  *recordsAfter(after: JournalPos | null): Iterable<{ pos: JournalPos; record: JournalRecord }> {
    try {
      for (const { key, value } of this.journal.range({ start: after?.seq ?? 0 })) {
        const records = value.k === 'm' ? value.records : [value];
        for (let index = after !== null && key === after.seq ? after.index + 1 : 0; index < records.length; index++) {
          yield { pos: { seq: key, index }, record: records[index] as JournalRecord };
        }
      }
    } catch (err) {
      if (err instanceof RecordCorruptError) throw new StateCorruptError(this.dir, err.message);
      throw err;
    }
  }

  /** The place of snapshot marker `id` in journal group `seq`; undefined when it is not there. */
  markerPos(seq: number, id: string): JournalPos | undefined {
    for (const { pos, record } of this.recordsAfter({ seq, index: -1 })) {
      if (pos.seq !== seq) return undefined;
      if (record.k === 'x' && record.id === id) return pos;
    }
    return undefined;
  }

  /** As markerPos, for a marker the state depends on: its absence is damage. */
  markerAt(seq: number, id: string): JournalPos {
    const pos = this.markerPos(seq, id);
    if (pos === undefined) throw new StateCorruptError(this.dir, `the journal lacks the marker of snapshot ${id} (group ${seq})`);
    return pos;
  }

  /**
   * Call before writing to `root` other than through append: the journal's end-of-turn group
   * write is queued first, so this turn's lmdb commit takes the group along rather than
   * leaving it to the next turn's (GroupCommit.holdTurn).
   */
  holdTurn(): void {
    this.commits.holdTurn();
  }

  putJob(record: JobRecord): Promise<void> {
    this.holdTurn();
    this.unflushedJobs.set(record.id, record);
    return this.jobs.put(record.id, record).then(() => {
      if (this.unflushedJobs.get(record.id) === record) this.unflushedJobs.delete(record.id);
    });
  }

  job(id: number): JobRecord | undefined {
    return this.unflushedJobs.get(id) ?? this.jobs.get(id);
  }

  /** Removes a job record (retention, once it is exported). */
  removeJob(id: number): Promise<void> {
    this.holdTurn();
    this.unflushedJobs.delete(id);
    return this.jobs.remove(id).then(() => undefined);
  }

  /** Every job record, the ones still being written first, then newest first. */
  *allJobs(): Iterable<JobRecord> {
    const pending = [...this.unflushedJobs.values()];
    yield* pending;
    const seen = new Set(pending.map((r) => r.id));
    for (const { value } of this.jobs.range({ reverse: true })) if (!seen.has(value.id)) yield value;
  }

  putArray(baseId: number, spec: string): Promise<void> {
    this.holdTurn();
    return this.arrays.put(baseId, spec).then(() => undefined);
  }

  arraySpec(baseId: number): string | undefined {
    return this.arrays.get(baseId);
  }

  putRun(record: RunRecord): Promise<void> {
    this.holdTurn();
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
    // Appends still queued (an audit entry of the last requests) are written, not dropped.
    await this.commits.drained();
    await this.root.close();
  }
}

/**
 * Schema 1 kept msgpack values without checksums in `journal`, `jobs` and `arrays`. Returns
 * the writes that move them into the framed dbs (run inside the caller's transaction).
 */
function migrateV1(store: Store): () => void {
  const old = {
    journal: store.root.openDB<unknown, number>({ name: 'journal' }),
    jobs: store.root.openDB<unknown, number>({ name: 'jobs' }),
    arrays: store.root.openDB<unknown, number>({ name: 'arrays' }),
  };
  return () => {
    for (const { key, value } of old.journal.getRange()) store.journal.putSync(key, value as StoredRecord);
    for (const { key, value } of old.jobs.getRange()) store.jobs.putSync(key, value as JobRecord);
    for (const { key, value } of old.arrays.getRange()) store.arrays.putSync(key, value as string);
    old.journal.dropSync();
    old.jobs.dropSync();
    old.arrays.dropSync();
  };
}
