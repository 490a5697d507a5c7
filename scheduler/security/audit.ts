// The audit log: append-only and hash-chained. Each entry's hash is an HMAC (under a key
// derived from the site secret) of the previous entry's hash and the entry itself, and a
// head record names the last entry, so an edited, inserted or removed entry breaks the
// chain at a place `verify` names. Entries are stored as JSON text under their sequence number.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Database } from 'lmdb';
import { CHAIN_GENESIS, walkChain, type ChainVerdict } from '../../common/index.js';
import type { Principal } from './roles.js';

export interface AuditActor {
  id: string;
  name: string;
  role: string;
}

export interface AuditInput {
  actor: Principal | AuditActor;
  /** The client's address, or null for the scheduler's own decisions. */
  client: string | null;
  /** What happened: `auth.failed`, `job.submit`, `consent.change`, `consent.refuse`, `dispatch`… */
  action: string;
  /** What it happened to: `job 12`, `token t_ab12`, `node c1-n001`, `consent p_…`. */
  object: string;
  /** `ok`, `refused`, `held`, `stopped`, … */
  outcome: string;
  /** Patient pseudonyms the action concerns (so an auditor can follow one patient). */
  pseudonyms?: string[];
  detail?: AuditDetail;
}

/** What else an entry says: flat values, so an auditor can read it without a schema. */
export type AuditDetail = Record<string, string | number | boolean | null | string[]>;

export interface AuditEntry {
  seq: number;
  at: number;
  actor: AuditActor;
  client: string | null;
  action: string;
  object: string;
  outcome: string;
  pseudonyms: string[];
  detail: Record<string, unknown>;
  /** Hash of the previous entry (64 zeros for the first). */
  prev: string;
  hash: string;
}

export type AuditVerdict = ChainVerdict;

export interface AuditQuery {
  pseudonym?: string;
  since?: number;
  limit?: number;
  /** Entries after this sequence number (paging). */
  after?: number;
}

/**
 * Writes an entry (its stored text) and, in the same commit, `head` as the head record (key
 * 0, naming this entry and its hash); resolves once both are committed and synced. The state folder's journal gives one that
 * commits the entry with the journal records of the same turn (Store.auditTarget).
 */
export type AuditWriter = (seq: number, text: string, head: string, unawaited?: boolean) => Promise<void>;

const GENESIS = CHAIN_GENESIS;
const HEAD = 0; // key of the head record; entries are numbered from 1

/** The head record's text: the last entry's number and hash, as the constructor reads them. */
const headText = (seq: number, hash: string): string => JSON.stringify({ seq, hash });

function hmacHex(key: KeyObject, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

function chainHash(key: KeyObject, entry: Omit<AuditEntry, 'hash'>): string {
  // Fixed field order: the hashed text does not depend on how the object was built. append
  // builds this same text from its fieldTexts (each field's JSON once): change both together.
  const text = JSON.stringify([entry.seq, entry.at, entry.actor.id, entry.actor.name, entry.actor.role, entry.client, entry.action, entry.object, entry.outcome, entry.pseudonyms, entry.detail, entry.prev]);
  return hmacHex(key, text);
}

/** An entry's fields as JSON texts (a missing client is null, as in the hashed array). */
function fieldTexts(e: AuditEntry) {
  const j = JSON.stringify;
  return {
    seq: String(e.seq),
    at: j(e.at),
    actorId: j(e.actor.id),
    actorName: j(e.actor.name),
    actorRole: j(e.actor.role),
    client: e.client === null || e.client === undefined ? 'null' : j(e.client),
    action: j(e.action),
    object: j(e.object),
    outcome: j(e.outcome),
    pseudonyms: j(e.pseudonyms),
    detail: j(e.detail),
    prev: j(e.prev),
  };
}

export class AuditLog {
  private lastSeq = 0;
  private lastHash = GENESIS;
  private pending: Promise<unknown> = Promise.resolve();
  /** The head record is behind the last entry appended; written once per lmdb batch. */
  private headBehind = false;

  /** The chain's HMAC key, imported once (createHmac with raw bytes imports them on every call). */
  private readonly key: KeyObject;

  constructor(
    private readonly db: Database<string, number>,
    key: Buffer,
    private readonly now: () => number = Date.now,
    private readonly writer?: AuditWriter,
  ) {
    this.key = createSecretKey(key);
    const head = db.get(HEAD);
    if (head !== undefined) {
      try {
        const h = JSON.parse(head) as { seq: number; hash: string };
        this.lastSeq = h.seq;
        this.lastHash = h.hash;
      } catch {
        // a damaged head: verify reports it; new entries continue after the last stored one
        for (const k of db.getKeys({ reverse: true, limit: 1 })) this.lastSeq = k;
      }
    }
    if (writer !== undefined) return; // the writer seals each group of entries itself
    // The head names the last entry. lmdb puts the writes of one event turn in one batch, one
    // transaction, and calls this just before it closes the batch: a head written here commits
    // with the entries it seals, once per batch rather than once per entry (a put and a JSON
    // text per entry, a few % of the scheduler's CPU per submitted job).
    db.on('beforecommit', () => {
      if (!this.headBehind) return;
      this.headBehind = false;
      void this.db.put(HEAD, headText(this.lastSeq, this.lastHash)).catch(() => undefined); // its entries' puts report a failed commit
    });
  }

  /**
   * Appends an entry (its place in the chain is fixed now); resolves once it is committed and synced.
   * `actor` and `client` may be given apart from `input` (the API's requests do), so the caller
   * does not copy its entry to add them. `unawaited`: no request waits for this entry (the
   * scheduler's own, such as dispatches), so the writer may hold it back briefly to share a sync.
   */
  append(input: Omit<AuditInput, 'actor' | 'client'> & Partial<Pick<AuditInput, 'actor' | 'client'>>, actor?: AuditInput['actor'], client?: string | null, unawaited = false): Promise<AuditEntry> {
    const a = actor ?? input.actor;
    if (a === undefined) return Promise.reject(new TypeError('an audit entry names its actor'));
    const seq = ++this.lastSeq;
    const entry: AuditEntry = {
      seq,
      at: this.now(),
      actor: { id: a.id, name: a.name, role: a.role },
      client: client !== undefined ? client : (input.client ?? null),
      action: input.action,
      object: input.object,
      outcome: input.outcome,
      pseudonyms: input.pseudonyms ?? [],
      detail: input.detail ?? {},
      prev: this.lastHash,
      hash: '',
    };
    // Each field is turned into JSON once, for both the hashed text and the stored one: the
    // same texts JSON.stringify gives for the array chainHash hashes and for the whole entry.
    const f = fieldTexts(entry);
    entry.hash = hmacHex(this.key, `[${f.seq},${f.at},${f.actorId},${f.actorName},${f.actorRole},${f.client},${f.action},${f.object},${f.outcome},${f.pseudonyms},${f.detail},${f.prev}]`);
    this.lastHash = entry.hash;
    const stored = `{"seq":${f.seq},"at":${f.at},"actor":{"id":${f.actorId},"name":${f.actorName},"role":${f.actorRole}},"client":${f.client},"action":${f.action},"object":${f.object},"outcome":${f.outcome},"pseudonyms":${f.pseudonyms},"detail":${f.detail},"prev":${f.prev},"hash":"${entry.hash}"}`;
    let write: Promise<unknown>;
    if (this.writer !== undefined) {
      write = this.writer(seq, stored, headText(seq, entry.hash), unawaited);
    } else {
      this.headBehind = true;
      // Resolves once the entry is on disk, not only committed: lmdb syncs after the commit
      // (overlappingSync), and a job the journal holds durably must not lose its entry to a power cut.
      write = this.db.put(seq, stored).then(() => this.db.flushed);
    }
    this.pending = write;
    return write.then(() => entry);
  }

  /** Waits for every entry appended so far. */
  async drained(): Promise<void> {
    await this.pending;
  }

  get length(): number {
    return this.lastSeq;
  }

  /** Entries in order, filtered; a damaged entry is shown as far as it can be read. */
  query(q: AuditQuery = {}): AuditEntry[] {
    const out: AuditEntry[] = [];
    const limit = q.limit ?? 1000;
    for (const { key, value } of this.db.getRange({ start: (q.after ?? 0) + 1 })) {
      if (key === HEAD) continue;
      let e: AuditEntry;
      try {
        e = JSON.parse(value) as AuditEntry;
      } catch {
        continue;
      }
      if (q.since !== undefined && e.at < q.since) continue;
      if (q.pseudonym !== undefined && !(Array.isArray(e.pseudonyms) && e.pseudonyms.includes(q.pseudonym))) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Walks the whole chain; names the first entry that was edited, inserted or removed. */
  verify(): AuditVerdict {
    return walkChain(this.db.getRange({ start: 1 }), this.db.get(HEAD), (rest, hash) => typeof rest.actor === 'object' && rest.actor !== null && chainHash(this.key, rest as unknown as Omit<AuditEntry, 'hash'>) === hash);
  }
}
