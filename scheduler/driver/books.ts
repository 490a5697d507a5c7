// The driver's own books beside the core's state: the latest attempt of each task, agents'
// results, display ids of array elements, real commands, idempotency keys, pseudonyms, and why
// nodes are drained or down. Replaying the journal rebuilds them and snapshots carry them; the
// live driver and the snapshot replica (replica.ts) keep them with this same code.
import { layoutFingerprint, parseArraySpec, restoreInto, snapshotOf, type ClusterConfig, type CoreEvent, type CoreSnapshot, type Decision, type EventResult, type JobSpec } from '../core/index.js';
import type { IdempotencyKey, TaskResult } from '../store/index.js';
import { CommandBook } from './commands.js';
import type { CoreApi } from './core-api.js';

export interface Placement {
  attempt: number;
  node: string;
  jobId: number;
}

/** Why a node is drained or down (sinfo -R's REASON, USER, TIMESTAMP). */
export interface NodeNote {
  node: string;
  state: 'drain' | 'down';
  reason: string;
  by: string;
  /** Wall time it was said, ms since the epoch; null when the journal did not record it. */
  at: number | null;
}

export interface IdempotentAnswer {
  hash: string;
  jobIds: number[];
  /** Resolves once the submit it answers is on disk. */
  durable: Promise<void>;
}

/** What a snapshot's header chunk holds besides the core's object entries. */
export interface SnapshotHeader {
  format: 1;
  /**
   * The core's state layout (layoutFingerprint) of the gsched that wrote it: another layout
   * cannot be read back (restore.ts rebuilds from what else the folder holds). Absent before 2026-12-02.
   */
  layout?: string;
  config: ClusterConfig;
  core: Omit<CoreSnapshot, 'objs'>;
  /** The driver's own bookkeeping (attempts, display ids, results, commands, idempotency keys, pseudonyms, node notes). */
  book: CoreSnapshot;
}

/** The books as a snapshot carries them. */
interface BookData {
  attempts: Map<number, Placement>;
  results: Map<number, TaskResult[]>;
  displayIds: Map<string, number>;
  displayOf: Map<number, string>;
  commands: CommandBook;
  idempotent: [string, string, number[]][];
  /** Absent from snapshots written before they were carried (restored empty then). */
  pseudonymsOf?: Map<number, string[]>;
  nodeNotes?: Map<string, NodeNote>;
  adminDown?: Set<string>;
}

/** Idempotency keys remembered (the oldest are dropped first): a retry comes within minutes. */
const MAX_IDEMPOTENCY_KEYS = 100_000;

export class Books {
  /** Latest start of each task: attempt number (from 1), node and job. */
  readonly attempts = new Map<number, Placement>();
  readonly results = new Map<number, TaskResult[]>();
  /** Array elements only (`120_3`): display id → job id and back; plain jobs display their id. */
  readonly displayIds = new Map<string, number>();
  readonly displayOf = new Map<number, string>();
  /** Pseudonyms of the jobs in the core that read patient data (for the audit of dispatches). */
  readonly pseudonymsOf = new Map<number, string[]>();
  /** Why nodes are drained or down, as the operator (or the liveness sweep) said. */
  readonly nodeNotes = new Map<string, NodeNote>();
  /** Nodes an operator marked down: an agent's hello does not bring them up. */
  readonly adminDown = new Set<string>();
  /** Real commands (the exec kernel) of jobs the core holds. */
  readonly commands = new CommandBook();
  /** Idempotency-Key → the submit it made, so a retried POST gets the first answer. */
  readonly idempotent = new Map<string, IdempotentAnswer>();

  /** Bookkeeping for an accepted event, shared by live and replay. */
  note(event: CoreEvent, res: EventResult, result?: TaskResult, idem?: IdempotencyKey, durable: Promise<void> = Promise.resolve()): void {
    if (event.type === 'submit' && res.ok) {
      const ids = res.jobIds ?? [];
      const ps = event.job.pseudonyms;
      if (Array.isArray(ps) && ps.length > 0) for (const id of ids) this.pseudonymsOf.set(id, ps);
      if (event.job.command !== undefined) this.commands.noteSubmit(ids, event.job, arrayIndices(event.job));
      if (idem) this.remember(idem, ids, durable);
      // Only array elements display otherwise than their id: a plain job (most submissions) has nothing to book.
      if (typeof event.job.array === 'string') {
        displayIdsOf(ids, event.job).forEach((d, i) => {
          const id = ids[i] as number;
          if (d === String(id)) return;
          this.displayIds.set(d, id);
          this.displayOf.set(id, d);
        });
      }
    } else if (event.type === 'taskEnded' && result) {
      const job = this.attempts.get(event.taskId)?.jobId;
      if (job !== undefined) {
        const list = this.results.get(job) ?? [];
        list.push(result);
        this.results.set(job, list);
      }
    } else if (event.type === 'drain' || event.type === 'nodeDown') {
      if (event.type === 'nodeDown' && event.admin) this.adminDown.add(event.node);
      const prior = this.nodeNotes.get(event.node);
      // A node going silent keeps the reason an operator gave it.
      if (event.reason !== undefined || prior === undefined) {
        this.nodeNotes.set(event.node, { node: event.node, state: event.type === 'drain' ? 'drain' : 'down', reason: event.reason ?? (event.type === 'drain' ? 'none given' : 'Not responding'), by: event.by ?? 'gsched', at: event.at ?? null });
      }
    } else if (event.type === 'resume') {
      if (this.nodeNotes.get(event.node)?.state === 'drain') this.nodeNotes.delete(event.node);
    } else if (event.type === 'nodeUp') {
      // An agent's hello clears "Not responding", not an operator's drain or down.
      if (event.admin) {
        this.adminDown.delete(event.node);
        this.nodeNotes.delete(event.node);
      } else if (!this.adminDown.has(event.node) && this.nodeNotes.get(event.node)?.state === 'down') {
        this.nodeNotes.delete(event.node);
      }
    } else if (event.type === 'forget') {
      this.pseudonymsOf.delete(event.jobId);
      this.commands.forget(event.jobId);
      this.results.delete(event.jobId);
      const d = this.displayOf.get(event.jobId);
      if (d !== undefined) this.displayIds.delete(d);
      this.displayOf.delete(event.jobId);
    }
  }

  /** A pass started a task: its attempt number (from 1). */
  started(d: Extract<Decision, { type: 'start' }>): number {
    const attempt = (this.attempts.get(d.taskId)?.attempt ?? 0) + 1;
    this.attempts.set(d.taskId, { attempt, node: d.node, jobId: d.jobId });
    return attempt;
  }

  remember(idem: IdempotencyKey, jobIds: number[], durable: Promise<void>): void {
    this.idempotent.set(idem.key, { hash: idem.hash, jobIds, durable });
    if (this.idempotent.size > MAX_IDEMPOTENCY_KEYS) {
      for (const oldest of this.idempotent.keys()) {
        this.idempotent.delete(oldest);
        break;
      }
    }
  }

  /** The books as plain data (snapshotOf's entries). */
  snapshot(): CoreSnapshot {
    const data: BookData = {
      attempts: this.attempts,
      results: this.results,
      displayIds: this.displayIds,
      displayOf: this.displayOf,
      commands: this.commands,
      idempotent: [...this.idempotent].map(([key, a]) => [key, a.hash, a.jobIds]),
      pseudonymsOf: this.pseudonymsOf,
      nodeNotes: this.nodeNotes,
      adminDown: this.adminDown,
    };
    return snapshotOf(data, {});
  }

  /** Takes on the books a snapshot carried (into these, which must be empty). */
  restore(snap: CoreSnapshot): void {
    const fresh: BookData = { attempts: new Map(), results: new Map(), displayIds: new Map(), displayOf: new Map(), commands: this.commands, idempotent: [], pseudonymsOf: new Map(), nodeNotes: new Map(), adminDown: new Set() };
    restoreInto(fresh, {}, snap);
    for (const [k, v] of fresh.pseudonymsOf ?? []) this.pseudonymsOf.set(k, v);
    for (const [k, v] of fresh.nodeNotes ?? []) this.nodeNotes.set(k, v);
    for (const n of fresh.adminDown ?? []) this.adminDown.add(n);
    for (const [k, v] of fresh.attempts) this.attempts.set(k, v);
    for (const [k, v] of fresh.results) this.results.set(k, v);
    for (const [k, v] of fresh.displayIds) this.displayIds.set(k, v);
    for (const [k, v] of fresh.displayOf) this.displayOf.set(k, v);
    for (const [key, hash, jobIds] of fresh.idempotent) this.idempotent.set(key, { hash, jobIds, durable: Promise.resolve() });
  }
}

/** A snapshot of a core and the books kept beside it: the header chunk and the core's entries. */
export function takeSnapshot(core: CoreApi, books: Books): { header: SnapshotHeader; objs: unknown[][] } {
  const { objs, ...coreHead } = core.snapshot();
  return { header: { format: 1, layout: layoutFingerprint(), config: core.config, core: coreHead, book: books.snapshot() }, objs };
}

function arrayIndices(spec: JobSpec): number[] | null {
  const parsed = typeof spec.array === 'string' ? parseArraySpec(spec.array) : null;
  return parsed === null || typeof parsed === 'string' ? null : parsed.indices;
}

/** Display ids of the jobs one submission created: `120_3` for array elements (base id = the
 *  first element's id, indices in ascending order, as the core numbers them), else the id. */
export function displayIdsOf(jobIds: number[], spec: JobSpec): string[] {
  const base = jobIds[0];
  const parsed = typeof spec.array === 'string' ? parseArraySpec(spec.array) : null;
  if (base === undefined || parsed === null || typeof parsed === 'string') return jobIds.map(String);
  return jobIds.map((_id, i) => `${base}_${parsed.indices[i] ?? i}`);
}
