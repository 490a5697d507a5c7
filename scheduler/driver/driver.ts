// The real-time driver around the scheduling core: it applies events (journalling each
// before it is acknowledged), runs coalesced schedule passes, owns the timers, and turns
// decisions into messages for agents. It holds no policy: every choice is the core's.
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type Timer } from '../../common/index.js';
import { configFingerprint, consentAllows, layoutFingerprint, type AdvanceReservationView, type ReservationSpec, decisionTexts, parseArraySpec, TERMINAL_JOB_STATES, isTerminalJobState, type ClusterConfig, type CoreEvent, type Decision, type EventResult, type JobSpec, type JobState, type JobView, type Ms, type NodeView, type PowerDecision, type ConsentStatus } from '../core/index.js';
import type { Assignment, Completion, NodePower, TaskRef } from '../../proto/index.js';
import type { IdempotencyKey, JobRecord, JournalRecord, Store, TaskResult } from '../store/index.js';
import { AcctIndex } from '../store/index.js';
import { replayRecord } from './replay-record.js';
import type { CoreApi } from './core-api.js';
import { ScaledClock, clockAnchor } from './clock.js';
import { NO_DISPATCHER, type Dispatcher, type DriverObserver } from './dispatcher.js';
import { SYSTEM, type AuditInput } from '../security/index.js';
import { EXEC_KERNEL, commandProblem } from './commands.js';
import { Books, takeSnapshot, type NodeNote } from './books.js';
import { restoreLatest, type Restored } from './restore.js';
import { ReplicaSnapshotError, ReplicaWorker } from './replica-worker.js';
import { Retention, type SweepReport } from './retention.js';
import { AuditBatch, DISPATCH_AUDIT_BATCH } from './audit-batch.js';
import { StallWatch } from './stall-watch.js';
import { RefillWatch, type RefillState } from './refill-watch.js';
import { join } from 'node:path';

export { displayIdsOf, type NodeNote } from './books.js';
export { SnapshotConfigError, SnapshotLayoutError, type PassedOverSnapshot } from './restore.js';

export interface DriverOptions {
  core: CoreApi;
  store: Store;
  log: Logger;
  /** Modelled ms per wall ms (see ScaledClock). */
  timeScale: number;
  /** Wall ms a terminal job stays in the core's memory before `forget`. */
  forgetAfterMs: number;
  /**
   * Most wall ms a pass waits after the last one (default 2): it waits as long as the last one
   * took, up to this, so passes hold the scheduler's thread at most about half the time while
   * events stream in (a burst's events then share a pass); cheap passes run at the next turn.
   */
  minPassGapMs?: number;
  /**
   * A pass waits while this many assignments sent to agents are unacknowledged (default 100),
   * for at most DISPATCH_DEFER_MAX_MS: decisions are made no faster than agents take them, as
   * Slurm defers scheduling while its RPCs back up (max_rpc_cnt). With the core's per-pass
   * start cap this paces a burst: chunks go out back to back until this many are untaken, then
   * each once agents take the ones before.
   */
  dispatchWindow?: number;
  observer?: DriverObserver;
  /**
   * Audit entries for the scheduler's own acts on patient data (dispatches, consent stops). The
   * promise it returns rejecting (the entry was not written) stops the scheduler, as a failed
   * journal write does: patient data must not go on being dispatched with the audit log silent.
   */
  audit?: (entry: AuditInput) => Promise<unknown> | undefined;
  /**
   * Builds a core for the config a snapshot was taken under, when it is not `core`'s (the
   * config file changed between runs): the state folder's config then stays in force.
   */
  coreFor?: (config: ClusterConfig) => CoreApi;
  /** Take a snapshot once this many journal records were written since the last (default 100,000). */
  snapshotEveryRecords?: number;
  /** ...or once this many wall ms passed with any record written (default 60,000). */
  snapshotEveryMs?: number;
  /**
   * ...and in either case only once the records since the last snapshot number at least this
   * many per object that snapshot copied (default 1): a snapshot's copy costs the size of the
   * state, so in a burst (60,000 analyses, 2.4 M tasks, 5,000 records a second) snapshots every
   * 100,000 records or minute would cost more than the work itself, and more the larger the
   * state. Tied to the state's size, the copies cost at most one object per record, and a
   * restart replays at most about as many records as the snapshot held objects.
   */
  snapshotRecordsPerObject?: number;
  /**
   * Snapshots are taken by a replica of the state in a worker thread (default true): the
   * scheduler's thread only marks the journal. False: copied in this thread (one synchronous
   * turn the size of the state).
   */
  snapshotInWorker?: boolean;
  /** Wall clock and timers (default: the process's own); tests pass a FakeClock. */
  clock?: Clock;
  /** Job records older than this (scheduler clock ms) are exported and removed; 0 or absent keeps all. */
  retentionMs?: number;
  /** Where retention appends records (JSON lines); default <state>/archive/jobs.jsonl. */
  retentionExport?: string;
}

export type Accepted<T> = { ok: true; value: T } | { ok: false; error: NonNullable<Extract<EventResult, { ok: false }>['error']> };

interface InFlight {
  attempt: number;
  node: string;
  decidedAt: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** What accept (and agentCompletion) answer for an event they do not record: nothing to wait for. */
const RECORDED_NOTHING: Promise<void> = Promise.resolve();
const DEFAULT_DISPATCH_WINDOW = 100;
/** A pass waits for acknowledgements no longer than this: a stalled agent must not stall the rest. */
const DISPATCH_DEFER_MAX_MS = 250;
/** Ended jobs one forget sweep takes on (the next sweep takes the rest). */
const FORGET_BATCH = 20_000;
/**
 * Ended jobs written and forgotten per event-loop turn: at most this many, and no more once
 * their tasks number FORGET_CHUNK_TASKS. Each costs a view and a record the size of its tasks
 * (with their results) plus six lmdb puts, so a sweep of 20,000 in one turn held the
 * scheduler's thread for seconds (passes, agents' acknowledgements and /metrics waited behind
 * it), and 250 jobs of 100 tasks still held it for hundreds of ms. Turns of up to 2,000 tasks
 * held it 40-430 ms (wall, waits for a core included) in a 3,000-analysis live burst at load
 * 12-20; at time scale 1e-4 such a turn is up to an hour of modelled time in which no
 * completion is read and no core refilled. Chunks of 500 tasks still took 16 ms a turn (mean,
 * 6,000-analysis live burst at load 3-4), the longest turns the scheduler had; chunks of 100
 * take 1.3 ms, and less time in all (2.1 s against 6.0 s over the burst).
 */
const FORGET_CHUNK = 20;
const FORGET_CHUNK_TASKS = 100;
/**
 * Wall ms one turn may spend on passes that each stopped at the start cap (see runPass). 20 ms
 * held the first chunks' starts in the scheduler too long on a loaded host; a turn per pass
 * left cores idle between chunks (the next waited behind every other callback) at moderate load.
 */
const CAPPED_CHAIN_MS = 3;
/** Wall ms after the last pass at which a queued pass runs between agents' messages (passIfOverdue). */
export const OVERDUE_PASS_MS = 4;

export class LiveDriver {
  core: CoreApi;
  readonly store: Store;
  readonly clock: ScaledClock;
  /** The wall clock and timers everything here runs on. */
  private readonly time: Clock;
  private readonly log: Logger;
  private readonly opts: DriverOptions;
  private dispatcher: Dispatcher = NO_DISPATCHER;

  /** The books replay rebuilds and snapshots carry (books.ts); the fields below alias its maps. */
  private readonly books = new Books();
  /** Latest start of each task: attempt number (from 1), node and job; rebuilt by replay. */
  private readonly attempts = this.books.attempts;
  /** Assignments sent and not yet acknowledged: at most one per task. */
  private readonly inflight = new Map<number, InFlight>();
  /** Of those, the ones an agent's stream took (the dispatch window counts these). */
  private readonly unacked = new Set<number>();
  /** A pass is waiting for the dispatch window (since this wall time), or null. */
  private deferredSince: number | null = null;
  private deferTimer: Timer | null = null;
  /** A later attempt waiting for the earlier one's acknowledgement. */
  private readonly deferred = new Map<number, () => void>();
  /** Wall time (time.now()) of the current pass's start decisions. */
  private decidedAt = 0;
  /** Assignments handed to the dispatcher since its last flush, and their decisions' wall times (lateMs is set at the flush). */
  private readonly unsent: Assignment[] = [];
  private readonly unsentDecidedAt: number[] = [];
  private readonly results = this.books.results;
  /** Array elements only (`120_3`): display id → job id and back; plain jobs display their id. */
  private readonly displayIds = this.books.displayIds;
  private readonly displayOf = this.books.displayOf;
  /** Pseudonyms of the jobs in the core that read patient data (for the audit of dispatches). */
  private readonly pseudonymsOf = this.books.pseudonymsOf;
  /** Terminal jobs still in the core, with the wall time they ended. */
  private readonly ended = new Map<number, number>();
  /** Ended jobs whose records are being written; the core forgets each once its record is on disk. */
  private readonly forgetting = new Set<number>();
  /** Why nodes are drained or down, as the operator (or the liveness sweep) said; rebuilt by replay. */
  private readonly nodeNotes = this.books.nodeNotes;
  /** Nodes an operator marked down: an agent's hello does not bring them up. */
  private readonly adminDown = this.books.adminDown;
  /** Grace (wall ms, SIGTERM to SIGKILL) asked for by a cancel, until its kills are sent. */
  private readonly graceOf = new Map<number, number>();
  /** The accounting index over the job records (gsched acct). */
  readonly acct: AcctIndex;
  /** Real commands (the exec kernel) of jobs the core holds. */
  private readonly commands = this.books.commands;
  /** Idempotency-Key → the submit it made, so a retried POST gets the first answer. */
  private readonly idempotent = this.books.idempotent;
  /** Dispatches of the current pass that read patient data, audited together at its end. */
  private readonly dispatchAudit = new AuditBatch(DISPATCH_AUDIT_BATCH);

  /** The latest journal append's promise already watched for a failed write (see accept). */
  private watchedDurable: Promise<void> | null = null;
  /** Why the config file given at start was not applied (its conflicts), or null. */
  configRefusal: string | null = null;
  private passQueued = false;
  /** Wall ms of the first request for a pass not run yet (null: none waits), for observer.passWait. */
  private passWantedAt: number | null = null;
  /** How the queued pass waits, and whether one runs (for the refill trace). */
  private queuedAs: 'gap' | 'turn' | 'chain' = 'turn';
  private inPass = false;
  /** Free cores while work waits, by what the driver was doing (refill-watch.ts); only when GSCHED_REFILL_TRACE names a file. */
  private readonly refill: RefillWatch | null;
  private readonly refillTimer: Timer | null;
  private lastPassAt = 0;
  /** Wall ms the latest runPass took (its chain of capped passes included). */
  private lastPassMs = 0;
  private wakeTimer: Timer | null = null;
  /** The scheduler time wakeTimer is armed for. */
  private wakeAt: Ms | null = null;
  /** Blocks of the event loop, forgiven when time limits are enforced (stall-watch.ts). */
  private readonly stalls: StallWatch;
  /** Wakes the pass when time limits stop being deferred after a block. */
  private graceTimer: Timer | null = null;
  private readonly forgetTimer: Timer;
  /** The forget sweep under way (it runs over several turns), or null. */
  private sweeping: Promise<void> | null = null;
  private closed = false;
  private fatal: ((err: Error) => void) | null = null;
  /** Journal records written since the last snapshot, and when that one was taken (wall ms). */
  private sinceSnapshot = 0;
  private lastSnapshotAt = 0;
  /** Objects the last snapshot copied (0 before the first). */
  private lastSnapshotObjects = 0;
  private snapshotting: Promise<void> | null = null;
  /** Takes the snapshots off this thread; null: copied here. */
  private replica: ReplicaWorker | null;
  private readonly snapshotTimer: Timer;
  /** Exports and removes old job records (gsched acct keeps finding the younger ones). */
  readonly retention: Retention;
  private readonly retentionTimer: Timer | null;

  constructor(opts: DriverOptions) {
    this.opts = opts;
    this.time = opts.clock ?? systemClock;
    this.core = opts.core;
    this.store = opts.store;
    this.acct = new AcctIndex(opts.store);
    this.log = opts.log;
    this.replica = opts.snapshotInWorker === false ? null : new ReplicaWorker({ dir: opts.store.dir, config: opts.core.config });
    const t0 = this.time.now();
    this.stalls = new StallWatch(this.time);
    const trace = process.env.GSCHED_REFILL_TRACE;
    const refill = trace ? new RefillWatch(this.time.now(), trace) : null;
    this.refill = refill;
    this.refillTimer = refill === null ? null : this.time.every(2000, () => refill.write());
    const { restored, passedOver } = this.restoreSnapshot();
    const replayed = this.replay(restored);
    this.clock = new ScaledClock(opts.timeScale, clockAnchor(opts.timeScale, replayed.lastNow ?? restored?.now ?? null, this.time.epoch()), this.time);
    this.log.info({ snapshot: restored?.id ?? null, records: replayed.records, ms: Math.round(this.time.now() - t0) }, 'state restored');
    // The config file changed since the state was made: apply it as `gsched reconfigure` would,
    // or keep the state's own config and say what conflicts (never a scheduler that cannot start).
    if (configFingerprint(opts.core.config) !== configFingerprint(this.core.config)) {
      const { res } = this.accept({ type: 'reconfigure', config: opts.core.config });
      if (res.ok) this.log.info('applied the changes of the cluster config file to the state folder');
      else {
        this.configRefusal = res.error.message;
        this.log.error({ conflicts: res.error.message }, 'the cluster config file does not fit this state folder: running under the config the state was made under; fix the file and run gsched reconfigure');
      }
    }
    if (replayed.records === 0 && restored === null) {
      // A fresh cluster: no node takes work until its agent registers.
      for (const n of this.core.config.nodes) void this.accept({ type: 'nodeDown', node: n.name });
    }
    // What replay rebuilds the core from when there is no snapshot: the config the journal
    // began under (a reconfigure is itself in the journal), so it is written on the first start only.
    if (this.store.meta.get('cluster') === undefined) this.store.meta.putSync('cluster', this.core.config);
    this.log.info({ records: replayed.records, jobs: this.core.cluster().pendingJobs + this.core.cluster().runningJobs }, 'journal replayed');
    // Each sweep views every ended job still in memory, so sweep about twice per forget period.
    this.forgetTimer = this.time.every(Math.min(5000, Math.max(50, opts.forgetAfterMs / 2)), () => this.forgetSweep());
    this.snapshotTimer = this.time.every(Math.min(5000, opts.snapshotEveryMs ?? 60_000), () => this.maybeSnapshot());
    this.retention = new Retention(this.store, this.acct, { retentionMs: opts.retentionMs ?? 0, exportPath: opts.retentionExport ?? join(this.store.dir, 'archive', 'jobs.jsonl') }, this.log);
    // Sweep a few times per retention age (in wall time), between once a second and once a minute.
    const sweepEvery = Math.min(60_000, Math.max(1000, ((opts.retentionMs ?? 0) * opts.timeScale) / 4));
    this.retentionTimer = this.retention.enabled ? this.time.every(sweepEvery, () => void this.retentionSweep().catch((err: Error) => this.log.error({ err }, 'retention sweep failed; the records stay'))) : null;
    // A restart replays only what came after the latest snapshot: take one now if the replay was
    // long (a short journal is kept whole, for `gsched replay`). After the first turn, so the
    // copy does not hold up the scheduler's readiness.
    // A passed-over snapshot (another build's layout) is replaced at once, so that the next
    // start does not rebuild from the journal again and the journal behind it can be compacted.
    if (replayed.records > 1000 || passedOver !== null) setImmediate(() => this.closed || void this.snapshot());
    this.requestPass();
  }

  setDispatcher(d: Dispatcher): void {
    this.dispatcher = d;
  }

  /** Called when the journal or an audit entry of the scheduler's own cannot be written: the process must stop rather than lie. */
  onFatal(handler: (err: Error) => void): void {
    this.fatal = handler;
  }

  // ---------------------------------------------------------------- replay

  /**
   * Loads the latest snapshot this build reads into the core and the driver's books (restored
   * null: none, the whole journal replays); says so when it passed over another build's.
   */
  private restoreSnapshot(): Pick<Restored, 'restored' | 'passedOver'> {
    const { core, restored, passedOver } = restoreLatest(this.store, this.core, this.books, this.opts.coreFor, (snapshot) =>
      this.log.warn({ snapshot }, "the cluster config differs from the one this state folder runs under: keeping the state folder's config (apply a new one with gsched reconfigure)"),
    );
    this.core = core;
    if (passedOver !== null) {
      const from = passedOver.instead === 'journal' ? 'the whole journal' : `the older snapshot ${passedOver.instead.snapshot} and the journal after it`;
      this.log.warn(
        { snapshot: passedOver.id, layout: passedOver.layout, thisLayout: layoutFingerprint(), from: passedOver.instead },
        `the latest snapshot was written by a gsched build with another state layout (${passedOver.layout ?? 'from before layouts were recorded'}), which this build would misread: rebuilding the state from ${from}, then taking a fresh snapshot`,
      );
    }
    if (restored !== null) {
      const now = this.time.now();
      for (const j of this.core.jobs({ states: [...TERMINAL_JOB_STATES] })) this.ended.set(j.id, now);
    }
    return { restored, passedOver };
  }

  /**
   * Takes a snapshot of the core and the driver's books as they are now: marks the journal
   * here, and the snapshot worker (replica.ts) follows the journal to the mark and writes the
   * state there, off this thread; then the journal behind it is compacted. Without the worker
   * (snapshotInWorker false, or after it failed) the state is copied here, in one synchronous
   * turn, and written a chunk per turn. Resolves when all of that is done; one at a time.
   */
  snapshot(): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    const id = randomUUID();
    const now = this.clock.now();
    const t0 = this.time.now();
    const copy = this.replica === null ? takeSnapshot(this.core, this.books) : null;
    const marked = this.store.mark(id, now);
    const copyMs = this.time.now() - t0;
    this.sinceSnapshot = 0;
    if (copy) this.lastSnapshotObjects = copy.objs.length;
    this.lastSnapshotAt = this.time.now();
    this.snapshotting = (async () => {
      try {
        const seq = await marked;
        let written: { objects: number; bytes: number; records?: number };
        if (copy) written = { objects: copy.objs.length, bytes: (await this.store.writeSnapshot(id, seq, now, copy.header, copy.objs)).bytes };
        else {
          written = await (this.replica as ReplicaWorker).snapshot(id, seq, now);
          this.lastSnapshotObjects = written.objects;
        }
        const removed = await this.store.compact();
        const ms = this.time.now() - t0;
        this.log.info({ id, seq, objects: written.objects, bytes: written.bytes, inWorker: copy === null, replayed: written.records, copyMs: Math.round(copyMs), ms: Math.round(ms), compacted: removed }, 'snapshot written');
        this.opts.observer?.snapshot?.({ written: true, inWorker: copy === null, ms, replayedRecords: written.records ?? 0 });
      } catch (err) {
        if (this.closed) return;
        this.log.error({ err }, 'snapshot failed; the journal keeps everything, the next one will retry');
        this.opts.observer?.snapshot?.({ written: false, inWorker: copy === null, ms: this.time.now() - t0, replayedRecords: 0 });
        if (err instanceof ReplicaSnapshotError && err.diverged) {
          // Never again from a replica that disagrees with the live core: copy in this thread.
          const worker = this.replica;
          this.replica = null;
          void worker?.close();
        }
      } finally {
        this.snapshotting = null;
      }
    })();
    return this.snapshotting;
  }

  private maybeSnapshot(): void {
    if (this.closed || this.snapshotting || this.sinceSnapshot === 0) return;
    const every = this.opts.snapshotEveryRecords ?? 100_000;
    if (this.sinceSnapshot < this.lastSnapshotObjects * (this.opts.snapshotRecordsPerObject ?? 1)) return;
    // By time only once there is a tail worth sparing a restart (a short journal is kept whole).
    const due = this.sinceSnapshot >= every || (this.sinceSnapshot >= Math.min(every, 1000) && this.time.now() - this.lastSnapshotAt >= (this.opts.snapshotEveryMs ?? 60_000));
    if (due) void this.snapshot();
  }

  private replay(from: { id: string; seq: number } | null): { records: number; lastNow: Ms | null } {
    let records = 0;
    let lastNow: Ms | null = null;
    for (const { seq, record } of this.store.replay(from ?? undefined)) {
      if (record.k === 'x') continue;
      records++;
      lastNow = record.now;
      // As Replica.follow (replica.ts) replays them: one function applies a record for both.
      const r = replayRecord(this.core, record, seq);
      if (r.k === 's') this.handleDecisions(r.step.decisions, false);
      else this.note(r.record.event, r.res, r.record.result, r.record.idem);
    }
    return { records, lastNow };
  }

  // ---------------------------------------------------------------- events

  /** Applies an event now; if accepted, journals it. `durable` resolves once on disk. */
  private accept(event: CoreEvent, result?: TaskResult, idem?: IdempotencyKey): { res: EventResult; durable: Promise<void> } {
    const now = this.clock.now();
    const res = this.core.apply(event, now);
    if (!res.ok) return { res, durable: RECORDED_NOTHING };
    const record: JournalRecord = { k: 'e', now, event };
    if (result) record.result = result;
    if (idem) record.idem = idem;
    const durable = this.store.append(record);
    // Records of one group commit share their promise: watch each promise for a failed write once.
    if (durable !== this.watchedDurable) {
      this.watchedDurable = durable;
      durable.catch((err: Error) => this.die(err));
    }
    // The books first: a snapshot taken now marks the journal after this record, so it must
    // carry what the record means (its result, display ids, key), or a restart loses it.
    this.note(event, res, result, idem, durable);
    if (++this.sinceSnapshot >= (this.opts.snapshotEveryRecords ?? 100_000)) this.maybeSnapshot();
    this.opts.observer?.accepted?.(event, res, now);
    if (this.refill && event.type === 'taskEnded') this.refill.ended(this.time.now(), event.taskId);
    this.requestPass();
    return { res, durable };
  }

  /** Driver bookkeeping for an accepted event, shared by live and replay. */
  private note(event: CoreEvent, res: EventResult, result?: TaskResult, idem?: IdempotencyKey, durable: Promise<void> = Promise.resolve()): void {
    this.books.note(event, res, result, idem, durable);
    if (event.type === 'forget') this.ended.delete(event.jobId);
  }

  /** True if this key was used before with another body (the caller refuses the request). */
  idempotencyKeyReused(idem: IdempotencyKey): boolean {
    const seen = this.idempotent.get(idem.key);
    return seen !== undefined && seen.hash !== idem.hash;
  }

  /**
   * Submits a job. With an idempotency key seen before with the same body, answers as the
   * first submit did (once that one is durable) instead of making a second job.
   */
  async submit(job: JobSpec, idem?: IdempotencyKey): Promise<Accepted<{ jobIds: number[]; displayIds: string[]; replayed?: boolean }>> {
    const { answer, durable } = this.submitNow(job, idem);
    await durable;
    return answer;
  }

  /**
   * A submit's answer now, and when it is durable: the caller must not acknowledge it before
   * `durable` resolves, but may append more in the same turn (the API's audit entries, which
   * then commit in the same group and sync as the job's record).
   */
  submitNow(job: JobSpec, idem?: IdempotencyKey): { answer: Accepted<{ jobIds: number[]; displayIds: string[]; replayed?: boolean }>; durable: Promise<void> } {
    const bad = commandProblem(job);
    if (bad) return { answer: { ok: false, error: { code: 'INVALID_JOB', ...bad } }, durable: Promise.resolve() };
    const seen = idem ? this.idempotent.get(idem.key) : undefined;
    if (seen && seen.hash === idem?.hash) {
      // Display ids once the first submit is durable (its job may have ended and left the core by then).
      const answer: Accepted<{ jobIds: number[]; displayIds: string[]; replayed?: boolean }> = { ok: true, value: { jobIds: seen.jobIds, displayIds: [], replayed: true } };
      const durable = seen.durable.then(() => {
        if (answer.ok) answer.value.displayIds = seen.jobIds.map((id) => this.displayOf.get(id) ?? this.storedDisplayId(id));
      });
      return { answer, durable };
    }
    const { res, durable } = this.accept({ type: 'submit', job }, undefined, idem);
    if (!res.ok) return { answer: res, durable: Promise.resolve() };
    const jobIds = res.jobIds ?? [];
    const displayIds = jobIds.map((id) => this.displayOf.get(id) ?? String(id));
    const base = jobIds[0];
    const array = typeof job.array === 'string' && base !== undefined ? this.store.putArray(base, job.array) : null;
    return { answer: { ok: true, value: { jobIds, displayIds } }, durable: array === null ? durable : Promise.all([durable, array]).then(() => undefined) };
  }

  /**
   * Cancels a job. `journalled` (here and in the other operator actions below) runs in the turn
   * the action's events were appended, before they are durable: what the caller appends there
   * (its audit entry) commits in the same group and sync, so the action is never on disk
   * without it. It does not run when the action is refused.
   */
  async cancel(jobId: number, graceMs?: number, journalled?: () => void): Promise<Accepted<{ jobId: number; state: JobState }>> {
    if (graceMs !== undefined) this.graceOf.set(jobId, graceMs);
    const { res, durable } = this.accept({ type: 'cancel', jobId });
    if (!res.ok) this.graceOf.delete(jobId);
    if (!res.ok) {
      const rec = this.core.job(jobId) ?? this.store.job(jobId);
      if (res.error.code === 'UNKNOWN_JOB' && rec) {
        return { ok: false, error: { code: 'INVALID_STATE', field: 'id', message: `job ${rec.displayId} already ended (${rec.state})` } };
      }
      return res;
    }
    journalled?.();
    await durable;
    this.runPassNow();
    return { ok: true, value: { jobId, state: this.jobView(jobId)?.state ?? 'CANCELLED' } };
  }

  /**
   * An operator's word on a node: drain (no new work), down (its tasks are requeued; it stays
   * down until resumed, whatever its agent says), or resume (undoes either).
   */
  async nodeAdmin(node: string, action: 'drain' | 'down' | 'resume', note: { reason?: string; by?: string } = {}, journalled?: () => void): Promise<Accepted<NodeView>> {
    const at = Date.now();
    const view0 = this.core.nodes().find((n) => n.name === node);
    if (!view0) return { ok: false, error: { code: 'UNKNOWN_NODE', field: 'name', message: `no node named ${node}` } };
    const events: CoreEvent[] = [];
    if (action === 'drain') events.push({ type: 'drain', node, at, ...note });
    else if (action === 'down') events.push({ type: 'nodeDown', node, at, admin: true, ...note });
    else {
      if (this.adminDown.has(node)) events.push({ type: 'nodeUp', node, at, admin: true, ...note });
      if (view0.state === 'DRAINING' || view0.state === 'DRAINED' || events.length === 0) events.push({ type: 'resume', node });
    }
    // A node taken down under a live agent: its attempts are requeued by the core, so stop them there.
    const stop = action === 'down' ? this.core.runningTasks().filter((t) => t.node === node).map((t) => ({ taskId: t.taskId, attempt: this.attempts.get(t.taskId)?.attempt ?? 0 })) : [];
    let durable: Promise<void> = Promise.resolve();
    for (const e of events) {
      const r = this.accept(e);
      if (!r.res.ok) return r.res;
      durable = r.durable;
    }
    journalled?.();
    await durable;
    for (const ref of stop) this.dispatcher.cancel(node, ref, 'node-down');
    const drain = action === 'drain';
    this.dispatcher.drain(node, drain);
    this.dispatcher.flush();
    const view = this.core.nodes().find((n) => n.name === node);
    if (!view) return { ok: false, error: { code: 'UNKNOWN_NODE', field: 'name', message: `no node named ${node}` } };
    return { ok: true, value: view };
  }

  async consent(pseudonym: string, status: ConsentStatus): Promise<Accepted<{ pseudonym: string; status: ConsentStatus }>> {
    const { answer, durable } = this.consentNow(pseudonym, status);
    await durable;
    return answer;
  }

  /**
   * A consent change's answer now, and when it is durable: as submitNow, an audit entry the
   * caller appends in the same turn commits in the same group and sync as the change.
   */
  consentNow(pseudonym: string, status: ConsentStatus): { answer: Accepted<{ pseudonym: string; status: ConsentStatus }>; durable: Promise<void> } {
    const { res, durable } = this.accept({ type: 'consent', pseudonym, status });
    if (!res.ok) return { answer: res, durable: RECORDED_NOTHING };
    // The gate's decision for each of the patient's unended jobs: held until consent allows it
    // again (its running tasks are stopped by the next pass; see handleDecisions).
    for (const [jobId, ps] of this.pseudonymsOf) {
      if (!ps.includes(pseudonym)) continue;
      const j = this.core.job(jobId);
      if (!j || isTerminalJobState(j.state) || consentAllows(j.purpose, status)) continue;
      this.audit({ actor: SYSTEM, client: null, action: 'consent.hold', object: `job ${j.displayId}`, outcome: 'held', pseudonyms: ps, detail: { purpose: j.purpose, consent: status } });
    }
    return { answer: { ok: true, value: { pseudonym, status } }, durable };
  }

  // ---------------------------------------------------------------- agents

  /**
   * Reconciles a (re)registering agent: completions it kept, then its nodes up, then what
   * it runs against what the core thinks runs there. Resolves with the attempts the agent
   * must stop, once every resulting event is on disk.
   */
  async agentHello(nodes: string[], running: TaskRef[], finished: Completion[]): Promise<TaskRef[]> {
    const nodeSet = new Set(nodes);
    const waits: Promise<void>[] = finished.map((c) => this.agentCompletion(c, nodeSet));
    const states = new Map(this.core.nodes().map((n) => [n.name, n.state]));
    for (const node of nodes) {
      if (states.get(node) === 'DOWN' && !this.adminDown.has(node)) waits.push(this.accept({ type: 'nodeUp', node }).durable);
    }
    // Whatever was in flight to this agent, its hello now says whether it runs.
    for (const [taskId, f] of this.inflight) if (nodeSet.has(f.node)) this.settle(taskId);
    const reported = new Map(running.map((r) => [r.taskId, r.attempt]));
    const kept = new Set<number>();
    for (const t of this.core.runningTasks()) {
      if (!nodeSet.has(t.node)) continue;
      if (reported.get(t.taskId) === this.attempts.get(t.taskId)?.attempt) kept.add(t.taskId);
      else waits.push(this.accept({ type: 'requeue', taskId: t.taskId }).durable);
    }
    this.auditUnrecorded([...running, ...finished.map((c) => c.task)]);
    await Promise.all(waits);
    return running.filter((r) => !kept.has(r.taskId));
  }

  /**
   * Attempts an agent ran that the journal never recorded starting: a crash took the pass's
   * group (and its dispatch entry) before it was synced. They read their patients' data all the
   * same, so the audit names them now, late but in the chain; the agent is told to stop them.
   */
  private auditUnrecorded(refs: readonly TaskRef[]): void {
    if (!this.opts.audit) return;
    const batch = new AuditBatch(DISPATCH_AUDIT_BATCH);
    for (const r of refs) {
      if (r.attempt <= (this.attempts.get(r.taskId)?.attempt ?? 0)) continue; // its start is in the journal
      const jobId = this.core.task(r.taskId)?.jobId;
      const ps = jobId === undefined ? undefined : this.pseudonymsOf.get(jobId);
      if (jobId !== undefined && ps !== undefined) batch.add(`job ${this.displayOf.get(jobId) ?? jobId} task ${r.taskId} attempt ${r.attempt}`, ps);
    }
    for (const b of batch.take()) {
      this.audit({ actor: SYSTEM, client: null, action: 'dispatch', object: `${b.tasks.length} task${b.tasks.length === 1 ? '' : 's'} an agent ran unrecorded`, outcome: 'unrecorded', pseudonyms: b.pseudonyms, detail: { tasks: b.tasks } });
    }
  }

  /** An agent acknowledged assignments (accepted run; refused go back to the queue). */
  agentAck(accepted: TaskRef[], refused: TaskRef[]): void {
    const now = this.time.now();
    for (const ref of accepted) {
      const f = this.inflight.get(ref.taskId);
      if (f && f.attempt === ref.attempt) this.opts.observer?.dispatched?.(now - f.decidedAt);
      if (f?.attempt === ref.attempt) this.settle(ref.taskId);
    }
    for (const ref of refused) {
      if (this.inflight.get(ref.taskId)?.attempt !== ref.attempt) continue;
      this.settle(ref.taskId);
      const t = this.core.task(ref.taskId);
      if (t?.state === 'RUNNING') void this.accept({ type: 'requeue', taskId: ref.taskId });
    }
  }

  /**
   * Several completions from one agent (one message): each as agentCompletion. Resolves once
   * all are on disk: the journal makes appends durable in order, so once the last is.
   */
  agentCompletions(items: readonly Completion[], nodes: ReadonlySet<string>): Promise<void> {
    let last = RECORDED_NOTHING;
    for (const c of items) {
      const durable = this.agentCompletion(c, nodes);
      if (durable !== RECORDED_NOTHING) last = durable;
    }
    return last;
  }

  /**
   * An attempt finished on an agent hosting `nodes`. Only the latest attempt of a task the
   * core has RUNNING on one of those nodes counts; anything else is stale and ignored.
   * Resolves once the result is on disk (the agent may then forget it).
   */
  agentCompletion(c: Completion, nodes: ReadonlySet<string>): Promise<void> {
    const { taskId, attempt } = c.task;
    if (this.inflight.get(taskId)?.attempt === attempt) this.settle(taskId); // it reached the agent
    if (c.outcome !== 'OUTCOME_COMPLETED' && c.outcome !== 'OUTCOME_FAILED') return RECORDED_NOTHING;
    const placed = this.attempts.get(taskId);
    if (placed?.attempt !== attempt || !nodes.has(placed.node)) return RECORDED_NOTHING;
    const outcome = c.outcome === 'OUTCOME_COMPLETED' ? 'completed' : 'failed';
    // Built field by field in the order the spread form had (the journal's msgpack keeps key
    // order): object spreads here cost a clone per completion, thousands a second in a burst.
    const result: TaskResult = { taskId, attempt, node: placed.node, outcome, cpuMs: c.cpuMs, wallMs: c.wallMs, kernel: c.kernel, summary: parseSummary(c.summaryJson) };
    if (c.error) result.error = c.error;
    if (c.kernel === EXEC_KERNEL) {
      result.exitCode = c.exitCode ?? 0;
      if (c.signal) result.signal = c.signal;
    }
    // The core has the last word: a task it no longer has RUNNING (requeued when its node
    // was declared down, ended by a cancel) refuses the report, which is then stale.
    return this.accept({ type: 'taskEnded', taskId, outcome }, result).durable;
  }

  /** Nodes whose agent fell silent past the heartbeat timeout: down, their tasks requeued by the core. */
  nodesSilent(nodes: string[]): void {
    const states = new Map(this.core.nodes().map((n) => [n.name, n.state]));
    const lost = new Set(nodes);
    for (const [taskId, f] of this.inflight) if (lost.has(f.node)) this.settle(taskId);
    for (const node of nodes) {
      if (states.get(node) !== undefined && states.get(node) !== 'DOWN') {
        this.log.warn({ node }, 'node silent past heartbeat timeout: down');
        void this.accept({ type: 'nodeDown', node });
      }
    }
  }

  /** An attempt is no longer in flight; a later attempt waiting for it may go. */
  private settle(taskId: number): void {
    this.inflight.delete(taskId);
    if (this.unacked.delete(taskId) && this.deferredSince !== null && this.unacked.size < this.window()) this.requestPass();
    const next = this.deferred.get(taskId);
    if (next) {
      this.deferred.delete(taskId);
      next();
    }
  }

  // ---------------------------------------------------------------- passes

  requestPass(): void {
    if (this.passQueued || this.closed) return;
    this.passQueued = true;
    this.passWantedAt ??= this.time.now();
    // A fixed 2 ms gap held each freed core 1 ms on average in a burst, 10 modelled s at
    // --time-scale 1e-4, where passes took ~0.3 ms; and it spaced passes ~24 modelled s apart,
    // so EASY's backfill (due every 30 s) ran every ~50 s instead. Timers are whole ms: a wait
    // under one runs at the next turn instead (the I/O read in this turn still shares the pass).
    const gap = Math.min(this.opts.minPassGapMs ?? 2, this.lastPassMs);
    const wait = this.lastPassAt + gap - this.time.now();
    this.queuedAs = wait < 1 ? 'turn' : 'gap';
    this.traceState();
    if (wait < 1) this.time.soon(() => this.runQueuedPass());
    else this.time.after(wait, () => this.runQueuedPass());
  }

  private traceState(): void {
    if (this.refill === null) return;
    let s: RefillState = 'idle';
    if (this.inPass) s = 'pass';
    else if (this.deferredSince !== null && this.unacked.size >= this.window()) s = 'deferred';
    else if (this.passQueued) s = this.queuedAs;
    this.refill.note(this.time.now(), s);
  }

  /** The queued pass, unless one ran meanwhile (passIfOverdue, runPassNow). */
  private runQueuedPass(): void {
    if (this.passQueued) this.runPass();
  }

  /**
   * Runs the queued pass now if the last one ran OVERDUE_PASS_MS ago or more. Called between
   * agents' messages: a backlog of them (after a GC pause, or a burst of small messages) is read
   * in one long stretch of I/O callbacks and microtasks, and the event loop reaches the queued
   * pass only after the last: in bench:ngc's live burst the cores those completions freed stood
   * idle meanwhile, thousands at a time. The price: the messages behind such a pass are read
   * that much later (bench/NGC-NOTES.md, the refill trace).
   */
  passIfOverdue(): void {
    if (!this.passQueued || this.inPass || this.closed) return;
    if (this.time.now() - this.lastPassAt < OVERDUE_PASS_MS) return;
    this.runPass();
  }

  /** A pass right away (e.g. so a cancel's kills go out before the HTTP answer), backlog or not. */
  private runPassNow(): void {
    this.runPass(true);
  }

  private window(): number {
    return this.opts.dispatchWindow ?? DEFAULT_DISPATCH_WINDOW;
  }

  /**
   * True if the pass must wait for agents to acknowledge what they were sent: the window is
   * full, and has not been full for DISPATCH_DEFER_MAX_MS yet. An acknowledgement that makes
   * room asks for the pass again (settle); the timer bounds the wait if none comes.
   */
  private dispatchBacklogged(): boolean {
    if (this.unacked.size < this.window()) {
      this.deferredSince = null;
      return false;
    }
    const now = this.time.now();
    this.deferredSince ??= now;
    const left = this.deferredSince + DISPATCH_DEFER_MAX_MS - now;
    if (left <= 0) {
      this.deferredSince = null;
      return false;
    }
    this.deferTimer ??= this.time.after(left, () => {
      this.deferTimer = null;
      this.requestPass();
    });
    return true;
  }

  private runPass(forced = false): void {
    this.inPass = true;
    this.traceState();
    const t0 = this.time.now();
    try {
      this.runPasses(forced);
    } finally {
      this.inPass = false;
      this.lastPassMs = this.time.now() - t0;
      this.traceState();
    }
  }

  private runPasses(forced: boolean): void {
    this.passQueued = false;
    if (this.closed) return;
    if (!forced && this.dispatchBacklogged()) return;
    const t0 = this.time.now();
    // From the first request to the pass that serves it: the gap, the event loop's lag, and any
    // wait for the dispatch window (sdiag's view of how late passes run).
    if (this.passWantedAt !== null) {
      this.opts.observer?.passWait?.(t0 - this.passWantedAt);
      this.passWantedAt = null;
    }
    // A pass stopped at the start cap leaves the rest of its walk due now, and the simulator
    // runs it at that same instant: here it runs in this turn too (each its own pass and
    // journal record) while agents keep up (the dispatch window), for at most
    // CAPPED_CHAIN_MS, then at the next turn of the event loop; not behind a timer and the pass
    // gap (which held it 20-150 ms a time on a loaded host, modelled minutes at --time-scale
    // 1e-4, the freed cores idle meanwhile). The chain is short because http2 writes the starts
    // to the socket only once the turn ends, and completions are read only between turns.
    // The turn's starts go out in one flush at its end (flushDispatch), when http2 writes them anyway.
    try {
      while (this.onePass()) {
        if (this.closed || this.dispatchBacklogged()) return;
        if (this.time.now() - t0 >= CAPPED_CHAIN_MS) {
          this.flushDispatch();
          this.passQueued = true;
          this.passWantedAt ??= this.time.now();
          this.queuedAs = 'chain';
          this.time.soon(() => this.runQueuedPass());
          return;
        }
      }
    } finally {
      this.flushDispatch();
    }
  }

  /** One pass of the core, its decisions sent; true if it stopped at the start cap having started some. */
  private onePass(): boolean {
    const now = this.clock.now();
    const t0 = this.time.now();
    this.decidedAt = t0;
    const limitsAt = this.limitsAt(now);
    const step = this.core.schedule(now, limitsAt);
    this.lastPassAt = this.time.now();
    this.opts.observer?.pass?.(this.lastPassAt - t0, step.decisions.length);
    this.store.append({ k: 's', now, d: decisionTexts(step.decisions), ...(limitsAt < now ? { l: limitsAt } : {}) }).catch((err: Error) => this.die(err));
    this.sinceSnapshot++;
    this.handleDecisions(step.decisions, true);
    // The core asks to run again at once (wakeAt = now) only when it stopped at the cap.
    const capped = step.wakeAt === now && step.decisions.some((d) => d.type === 'start');
    if (this.refill) {
      const c = this.core.cluster();
      this.refill.passed(this.time.now(), c.cores, c.coresUsed, c.pendingTasks, capped);
    }
    if (step.power !== undefined) this.powerDecisions(step.power);
    this.flushDispatchAudit(now);
    this.setWake(capped ? null : step.wakeAt);
    return capped;
  }

  /**
   * The pass's dispatches of tasks that read patient data, as audit entries of up to
   * DISPATCH_AUDIT_BATCH tasks each (one entry per task cost the scheduler about 7% of its
   * time in a burst): every dispatch is still named, with its patients, in the hash chain.
   */
  private flushDispatchAudit(now: Ms): void {
    if (!this.opts.audit) return;
    for (const b of this.dispatchAudit.take()) {
      const first = b.tasks[0] as string;
      const object = b.tasks.length === 1 ? first.slice(0, first.indexOf(' attempt ')) : `${b.tasks.length} tasks (pass at ${now})`;
      this.audit({ actor: SYSTEM, client: null, action: 'dispatch', object, outcome: 'started', pseudonyms: b.pseudonyms, detail: { tasks: b.tasks } });
    }
  }

  /**
   * Up to when this pass enforces time limits: `now`, less the modelled length of recent blocks
   * of the event loop (their completions may still sit unread). While that defers a deadline,
   * a pass is due when the grace ends.
   */
  private limitsAt(now: Ms): Ms {
    const g = this.stalls.grace();
    if (g.ms === 0) return now;
    if (this.graceTimer === null) {
      this.graceTimer = this.time.after(g.untilMs, () => {
        this.graceTimer = null;
        this.requestPass();
      });
    }
    return now - Math.ceil(g.ms / this.opts.timeScale);
  }

  private setWake(at: Ms | null): void {
    // Most passes in a burst ask for the same wake as the one before: keep its timer rather
    // than cancel and re-arm one per pass.
    if (at !== null && at === this.wakeAt && this.wakeTimer !== null && !this.closed) return;
    this.wakeTimer?.cancel();
    this.wakeTimer = null;
    this.wakeAt = null;
    if (at === null || this.closed) return;
    this.wakeAt = at;
    this.wakeTimer = this.time.after(Math.min(MAX_TIMER_MS, this.clock.wallDelayUntil(at)), () => {
      this.wakeTimer = null;
      this.wakeAt = null;
      this.requestPass();
    });
  }

  private handleDecisions(decisions: Decision[], live: boolean): void {
    for (const d of decisions) {
      switch (d.type) {
        case 'start': {
          const attempt = this.books.started(d);
          if (live) {
            this.dispatchStart(d, attempt);
            this.opts.observer?.started?.(d.jobId, d.taskId, d.node, d.cores);
            this.refill?.started(d.taskId, d.cores);
          }
          break;
        }
        case 'preempt':
        case 'kill': {
          if (!live) break;
          if ((d.type === 'preempt' && d.reason === 'consent') || (d.type === 'kill' && d.reason === 'consent-withdrawn')) {
            const ps = this.pseudonymsOf.get(d.jobId) ?? [];
            this.audit({ actor: SYSTEM, client: null, action: 'consent.stop', object: `job ${this.displayOf.get(d.jobId) ?? d.jobId} task ${d.taskId} on ${d.node}`, outcome: 'stopped', pseudonyms: ps, detail: { reason: d.reason } });
          }
          const attempt = this.attempts.get(d.taskId)?.attempt ?? 0;
          // A restart waiting for this attempt's acknowledgement is moot now; the attempt itself
          // stays in flight until its agent answers (or is lost), so a restart waits for that.
          this.deferred.delete(d.taskId);
          this.dispatcher.cancel(d.node, { taskId: d.taskId, attempt }, d.type === 'preempt' ? (d.reason === 'consent' ? 'consent' : 'preempted') : d.reason, this.graceOf.get(d.jobId));
          break;
        }
        case 'jobEnded':
          this.graceOf.delete(d.jobId); // its kills, if any, came before in this list
          this.jobEnded(d.jobId, d.state, live);
          break;
      }
    }
  }

  /** Power saving's decisions go to the nodes' agents (Slurm's SuspendProgram and ResumeProgram). */
  private powerDecisions(list: PowerDecision[]): void {
    const delay = this.core.config.powerSave?.resumeDelayMs ?? 0;
    for (const d of list) {
      this.log.info({ node: d.node }, d.type === 'powerDown' ? 'node suspended (power saving)' : 'node resuming (power saving)');
      this.dispatcher.power?.(d.node, d.type === 'powerDown', delay);
    }
  }

  /** What an agent registering these nodes must be told: the ones the core holds suspended or booting. */
  powerMarks(nodes: readonly string[]): { node: string; suspend: boolean; resumeDelayMs: number }[] {
    const mine = new Set(nodes);
    const delay = this.core.config.powerSave?.resumeDelayMs ?? 0;
    return this.core
      .nodes()
      .filter((n) => mine.has(n.name) && (n.state === 'SUSPENDED' || n.state === 'POWERING_UP'))
      .map((n) => ({ node: n.name, suspend: n.state === 'SUSPENDED', resumeDelayMs: delay }));
  }

  /** An agent reported a node's power state: a booting node that is on takes work (the core's poweredUp). */
  agentPower(node: string, state: NodePower): void {
    if (state !== 'NODE_POWER_ON') return; // suspended and booting only confirm what the core decided
    const now = this.core.nodes().find((n) => n.name === node)?.state;
    // Marked DOWN for booting past ResumeTimeout: up once it does come up (an operator's down stays).
    const event: CoreEvent = now === 'DOWN' && !this.adminDown.has(node) ? { type: 'nodeUp', node } : { type: 'poweredUp', node };
    const { res } = this.accept(event);
    if (res.ok) this.requestPass();
    else this.log.debug({ node, reason: res.error.message }, 'power report ignored');
  }

  private dispatchStart(d: Extract<Decision, { type: 'start' }>, attempt: number): void {
    const ps = this.pseudonymsOf.get(d.jobId);
    if (ps !== undefined && this.opts.audit) this.dispatchAudit.add(`job ${this.displayOf.get(d.jobId) ?? d.jobId} task ${d.taskId} on ${d.node} attempt ${attempt} kernel ${d.kernel ?? ''}`, ps);
    // At most one unacknowledged assignment per task: a later attempt waits for the earlier.
    // (No closure for the usual case: one start of thousands a second.)
    if (this.inflight.has(d.taskId)) {
      const decidedAt = this.decidedAt;
      this.deferred.set(d.taskId, () => { this.sendStart(d, attempt, decidedAt); this.flushDispatch(); });
    } else this.sendStart(d, attempt, this.decidedAt);
  }

  /**
   * Sends what the dispatcher queued, each assignment stamped with how long ago (wall ms) its
   * start was decided. The core counts a task's run from that decision (its end, reservations
   * and forecasts follow from it), so the agent holds the cores that much less: under time
   * compression a millisecond spent here would otherwise be 1/scale modelled ms added to the
   * task (10 modelled s at 1e-4), which the simulator, deciding and starting at one instant,
   * does not have. What the stamp cannot see (the write at the turn's end, the agent's read)
   * and the way back (completion to applied) still count.
   */
  private flushDispatch(): void {
    const now = this.time.now();
    const sent = this.unsent;
    for (let i = 0; i < sent.length; i++) (sent[i] as Assignment).lateMs = Math.max(0, now - (this.unsentDecidedAt[i] as number));
    sent.length = 0;
    this.unsentDecidedAt.length = 0;
    this.dispatcher.flush();
  }

  private sendStart(d: Extract<Decision, { type: 'start' }>, attempt: number, decidedAt: number): void {
    if (this.attempts.get(d.taskId)?.attempt !== attempt) return; // superseded while waiting
    this.inflight.set(d.taskId, { attempt, node: d.node, decidedAt: this.time.now() });
    const exec = this.commands.has(d.jobId) ? this.commands.execFor(d.jobId, this.core.task(d.taskId)?.index ?? 0, d.timeLimitMs) : null;
    const assignment: Assignment = {
      task: { taskId: d.taskId, attempt },
      jobId: d.jobId,
      node: d.node,
      cores: d.cores,
      memMb: d.memMb,
      timeLimitMs: d.timeLimitMs,
      durationMs: d.durationMs ?? 0,
      kernel: exec ? EXEC_KERNEL : (d.kernel ?? ''),
      displayId: this.displayOf.get(d.jobId) ?? String(d.jobId),
      exec,
      lateMs: 0,
    };
    if (!this.dispatcher.assign(d.node, assignment)) return;
    this.unacked.add(d.taskId);
    this.unsent.push(assignment);
    this.unsentDecidedAt.push(decidedAt);
  }

  private jobEnded(jobId: number, state: JobState, live: boolean): void {
    this.ended.set(jobId, this.time.now());
    const ps = this.pseudonymsOf.get(jobId);
    const observe = this.opts.observer?.jobEnded;
    // Only jobs reading patient data can end for consent (and only they are worth a look here).
    // The ended job's class, times and core-ms, not its whole view: one per job, in the pass.
    const needView = live && (observe !== undefined || ps !== undefined);
    const v = needView ? this.core.endedJob(jobId) : undefined;
    if (live && ps !== undefined && v?.endReason === 'ConsentWithdrawn') {
      this.audit({ actor: SYSTEM, client: null, action: 'consent.cancel', object: `job ${this.displayOf.get(jobId) ?? jobId}`, outcome: 'cancelled', pseudonyms: ps, detail: { reason: 'ConsentWithdrawn' } });
    }
    if (!live || !observe) return;
    if (!v || v.endedAt === null) return observe(state, jobId);
    observe(state, jobId, { class: v.class, submittedAt: v.submittedAt, endedAt: v.endedAt, coreMs: v.coreMs });
  }

  /**
   * Writes the accounting records of long-ended jobs and drops them from the core's memory.
   * One view per due job: an ended job's view needs no queue position, so it costs the job's
   * size, and a sweep costs what it forgets, not every job the core holds. The due jobs are
   * taken on FORGET_CHUNK jobs (or FORGET_CHUNK_TASKS tasks) per event-loop turn; one sweep at a time.
   */
  private forgetSweep(): void {
    if (this.sweeping !== null || this.closed) return;
    const cutoff = this.time.now() - this.opts.forgetAfterMs;
    const due: number[] = [];
    for (const [jobId, at] of this.ended) {
      if (at > cutoff || due.length >= FORGET_BATCH) break;
      due.push(jobId);
    }
    if (due.length === 0) return;
    this.sweeping = this.forgetInChunks(due).finally(() => {
      this.sweeping = null;
    });
  }

  /** Forgets `due` a chunk per turn; a job not ended any more by its turn is skipped. */
  private async forgetInChunks(due: readonly number[]): Promise<void> {
    let k = 0;
    while (k < due.length && !this.closed) {
      if (k > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let tasks = 0;
      for (let jobs = 0; k < due.length && jobs < FORGET_CHUNK && tasks < FORGET_CHUNK_TASKS && !this.closed; jobs++) tasks += this.forgetOne(due[k++] as number);
    }
  }

  /** Writes an ended job's record, and forgets it once written; how many tasks it had. */
  private forgetOne(jobId: number): number {
    if (!this.ended.delete(jobId)) return 0; // forgotten meanwhile
    const view = this.core.job(jobId);
    if (!view || !isTerminalJobState(view.state)) return 0;
    for (const t of view.tasks) {
      this.attempts.delete(t.id);
      this.inflight.delete(t.id);
      this.unacked.delete(t.id);
      this.deferred.delete(t.id);
    }
    const record: JobRecord = { ...view, results: this.results.get(jobId) ?? [] };
    // The core lets go of the job only once its record and index entries are on disk: until
    // then the core still answers for it, so the job never vanishes from GET /jobs/{id} or
    // sacct in between (it did for a few ms, longer under load). A crash in between leaves
    // the ended job in the core, and the first sweep after the restart writes it again.
    this.forgetting.add(jobId);
    Promise.all([this.store.putJob(record), this.acct.add(record)]).then(
      () => {
        this.forgetting.delete(jobId);
        if (!this.closed) this.accept({ type: 'forget', jobId });
      },
      (err: Error) => this.die(err),
    );
    return view.tasks.length;
  }

  // ---------------------------------------------------------------- reads

  /** A job by id: from the core while it knows it, else from the accounting records. */
  jobView(id: number): (JobView & { results?: TaskResult[] }) | undefined {
    const live = this.core.job(id);
    if (live) {
      const results = this.results.get(id);
      return results ? { ...live, results } : live;
    }
    return this.store.job(id);
  }

  /** A job's display id once it may have left the core's memory. */
  private storedDisplayId(id: number): string {
    return this.core.job(id)?.displayId ?? this.store.job(id)?.displayId ?? String(id);
  }

  /** Resolves `123` or `120_3` to a job id. */
  resolveJobId(text: string): number | undefined {
    if (/^\d{1,15}$/.test(text)) return Number(text);
    const m = /^(\d{1,15})_(\d{1,9})$/.exec(text);
    if (!m) return undefined;
    const known = this.displayIds.get(text);
    if (known !== undefined) return known;
    // A forgotten array element: its id is the base id plus its position among the indices.
    const base = Number(m[1]);
    const spec = this.store.arraySpec(base);
    const parsed = spec === undefined ? null : parseArraySpec(spec);
    if (parsed === null || typeof parsed === 'string') return undefined;
    const pos = parsed.indices.indexOf(Number(m[2]));
    return pos < 0 ? undefined : base + pos;
  }

  /**
   * The job ids of an array, given the array's own id (its first element's), in index order;
   * null if `id` is not an array's id. Elements have consecutive ids.
   */
  arrayElements(id: number): number[] | null {
    const spec = this.store.arraySpec(id);
    const parsed = spec === undefined ? null : parseArraySpec(spec);
    if (parsed === null || typeof parsed === 'string') return null;
    return parsed.indices.map((_i, pos) => id + pos);
  }

  /**
   * Cancels every element of an array still pending or running (running commands get
   * `graceMs` between SIGTERM and SIGKILL, as for one job); how many that was.
   */
  async cancelArray(id: number, graceMs?: number, journalled?: () => void): Promise<Accepted<{ jobId: number; state: JobState; elements: number }>> {
    const ids = this.arrayElements(id) ?? [];
    let cancelled = 0;
    const waits: Promise<void>[] = [];
    for (const e of ids) {
      if (graceMs !== undefined) this.graceOf.set(e, graceMs);
      const { res, durable } = this.accept({ type: 'cancel', jobId: e });
      if (!res.ok) {
        this.graceOf.delete(e);
        continue; // already ended (or forgotten): nothing to cancel
      }
      cancelled++;
      waits.push(durable);
    }
    if (cancelled === 0) {
      return { ok: false, error: { code: 'INVALID_STATE', field: 'id', message: `array job ${id} has no element pending or running` } };
    }
    journalled?.();
    await Promise.all(waits);
    this.runPassNow();
    return { ok: true, value: { jobId: id, state: 'CANCELLED', elements: cancelled } };
  }

  /**
   * A job-control event (hold, release, update, requeueJob) for one job, or for every element of
   * an array when `jobIds` lists several: applied to each element still active, journalled, then
   * a pass runs. Refused as a whole only when no element took it (the first refusal is returned).
   */
  async control(jobIds: number[], make: (jobId: number) => CoreEvent, journalled?: () => void): Promise<Accepted<{ jobId: number; applied: number; states: JobView[] }>> {
    const waits: Promise<void>[] = [];
    let first: Accepted<never> | null = null;
    const applied: number[] = [];
    for (const id of jobIds) {
      const { res, durable } = this.accept(make(id));
      if (!res.ok) {
        first ??= res;
        continue;
      }
      applied.push(id);
      waits.push(durable);
    }
    if (applied.length === 0 && first !== null) {
      if (jobIds.length === 1 || first.ok) return first;
      // An array's own id: say so, or the refusal reads as if only element _0 was asked.
      return { ok: false, error: { ...first.error, message: `array job ${jobIds[0]}: none of its ${jobIds.length} elements could take it (the first: ${first.error.message})` } };
    }
    journalled?.();
    await Promise.all(waits);
    this.runPassNow();
    const states = applied.map((id) => this.core.job(id)).filter((v): v is JobView => v !== undefined);
    return { ok: true, value: { jobId: jobIds[0] as number, applied: applied.length, states } };
  }

  /**
   * Sends a signal to the running commands of a job (scancel --signal), or of every element of
   * an array when `jobIds` lists several: nothing changes in the scheduler, and tasks that are
   * not real commands ignore it. Refused only when none of the jobs runs. How many attempts
   * were signalled.
   */
  signal(jobIds: number[], signal: string): Accepted<{ jobId: number; signalled: number }> {
    const running = jobIds.map((id) => this.core.job(id)).filter((j): j is JobView => j !== undefined && j.state === 'RUNNING');
    if (running.length === 0) {
      const id = jobIds[0] as number;
      const job = this.core.job(id);
      const what = jobIds.length > 1 ? `array job ${id} has no element running` : `job ${job?.displayId ?? id} is ${job?.state ?? 'not running'}`;
      return { ok: false, error: { code: 'INVALID_STATE', field: 'id', message: `${what}: only a running job can be signalled` } };
    }
    let signalled = 0;
    for (const job of running) {
      for (const t of job.tasks) {
        const placed = this.attempts.get(t.id);
        if (t.state !== 'RUNNING' || t.node === null || !placed) continue;
        this.dispatcher.signal?.(t.node, { taskId: t.id, attempt: placed.attempt }, signal);
        signalled++;
      }
    }
    return { ok: true, value: { jobId: jobIds[0] as number, signalled } };
  }

  /**
   * Creates an advance reservation (journalled, so it survives a restart) and runs a pass; the
   * view of the reservation as made (a core count resolved to nodes).
   */
  async createReservation(spec: ReservationSpec, journalled?: () => void): Promise<Accepted<AdvanceReservationView>> {
    const { res, durable } = this.accept({ type: 'reservationCreate', reservation: spec });
    if (!res.ok) return res;
    journalled?.();
    await durable;
    this.runPassNow();
    const view = this.core.advanceReservations().find((r) => r.name === spec.name);
    if (!view) return { ok: false, error: { code: 'UNKNOWN_RESERVATION', field: 'name', message: `reservation ${spec.name} vanished` } };
    return { ok: true, value: view };
  }

  async deleteReservation(name: string, journalled?: () => void): Promise<Accepted<AdvanceReservationView>> {
    const view = this.core.advanceReservations().find((r) => r.name === name);
    const { res, durable } = this.accept({ type: 'reservationDelete', name });
    if (!res.ok || !view) return res.ok ? { ok: false, error: { code: 'UNKNOWN_RESERVATION', field: 'name', message: `no reservation ${name}` } } : res;
    journalled?.();
    await durable;
    this.runPassNow();
    return { ok: true, value: view };
  }

  /**
   * scontrol reconfigure: applies a new cluster config if the state fits it (journalled, so a
   * restart replays it), else refuses with every conflict. `changed` is false when it is the
   * config in force already.
   */
  async reconfigure(config: ClusterConfig, journalled?: () => void): Promise<Accepted<{ changed: boolean; cluster: string }>> {
    if (configFingerprint(config) === configFingerprint(this.core.config)) return { ok: true, value: { changed: false, cluster: config.name } };
    const { res, durable } = this.accept({ type: 'reconfigure', config });
    if (!res.ok) return res;
    this.configRefusal = null;
    journalled?.();
    await durable;
    this.runPassNow();
    return { ok: true, value: { changed: true, cluster: config.name } };
  }

  /** Nodes drained or down, with why, who said so and when (sinfo -R). */
  nodeReasons(): NodeNote[] {
    const states = new Map(this.core.nodes().map((n) => [n.name, n.state]));
    return [...this.nodeNotes.values()].filter((n) => {
      const st = states.get(n.node);
      return st === 'DOWN' || st === 'DRAINING' || st === 'DRAINED';
    });
  }

  /** True if the core still holds this ended job (its record is written when it is forgotten). */
  isRemembered(jobId: number): boolean {
    return this.ended.has(jobId) || this.forgetting.has(jobId);
  }

  // ---------------------------------------------------------------- lifecycle

  /** One retention sweep now (also every so often when retention is on). */
  retentionSweep(): Promise<SweepReport> {
    return this.retention.sweep(this.clock.now());
  }

  private die(err: Error, what = 'journal write failed'): void {
    this.log.fatal({ err }, what);
    this.fatal?.(err);
  }

  /** One of the scheduler's own audit entries; the scheduler stops if it cannot be written (see opts.audit). */
  private audit(entry: AuditInput): void {
    this.opts.audit?.(entry)?.catch((err: Error) => this.die(err, `audit entry (${entry.action}) not written: stopping, so that no patient data is dispatched unaudited`));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeTimer?.cancel();
    this.deferTimer?.cancel();
    this.graceTimer?.cancel();
    this.stalls.close();
    this.forgetTimer.cancel();
    this.snapshotTimer.cancel();
    this.retentionTimer?.cancel();
    this.refillTimer?.cancel();
    this.refill?.write();
    await this.retention.settled();
    await this.sweeping;
    await this.snapshotting;
    await this.replica?.close();
    await this.store.flushed();
  }
}

function parseSummary(json: string): unknown {
  if (!json) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return { unparsed: json.slice(0, 200) };
  }
}
