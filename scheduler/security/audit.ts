// The audit log: append-only and hash-chained. Each entry's hash is an HMAC (under a key
// derived from the site secret) of the previous entry's hash and the entry itself, and a
// head record names the last entry, so an edited, inserted or removed entry breaks the
// chain at a place `verify` names. Entries are stored as JSON text under their sequence number.
import { createHash, createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';
import type { Database } from 'lmdb';
import { CHAIN_GENESIS, chainHeadText, walkChain, type ChainVerdict } from '../../common/index.js';
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
 * Writes an entry (its stored text) and, in the same commit, a head record (key 0,
 * chainHeadText(seq, hash), naming this entry) for the last entry of the commit; resolves once
 * both are committed and synced. The state folder's journal gives one that commits the entry
 * with the journal records of the same turn (Store.auditTarget).
 */
export type AuditWriter = (seq: number, text: string, hash: string, unawaited?: boolean) => Promise<void>;

const GENESIS = CHAIN_GENESIS;
const HEAD = 0; // key of the head record; entries are numbered from 1

function hmacHex(key: KeyObject, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

function chainHash(key: KeyObject, entry: Omit<AuditEntry, 'hash'>): string {
  // Fixed field order: the hashed text does not depend on how the object was built. append
  // builds this same text from each field's JSON, made once: change both together.
  const text = JSON.stringify([entry.seq, entry.at, entry.actor.id, entry.actor.name, entry.actor.role, entry.client, entry.action, entry.object, entry.outcome, entry.pseudonyms, entry.detail, entry.prev]);
  return hmacHex(key, text);
}

/**
 * HMAC-SHA256 (RFC 2104) under one key, as two one-shot hashes over the key's padded blocks,
 * made once: H((K ^ opad) || H((K ^ ipad) || text)). createHmac builds a Hmac object and binds
 * the key on every call, a fifth of an entry's hashing; the digest is the same (tested).
 */
export class ChainHmac {
  private readonly ipad = Buffer.alloc(64, 0x36);
  private readonly outer = Buffer.alloc(64 + 32, 0x5c);
  /** `ipad` then the text: grown when a text does not fit. */
  private scratch = Buffer.alloc(64 + 4096);

  constructor(key: Buffer) {
    const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
    for (let i = 0; i < k.length; i++) {
      (this.ipad[i] as number) ^= k[i] as number;
      (this.outer[i] as number) ^= k[i] as number;
    }
    this.ipad.copy(this.scratch);
  }

  hex(text: string): string {
    // A UTF-8 text takes at most 3 bytes per UTF-16 unit.
    if (64 + text.length * 3 > this.scratch.length) {
      this.scratch = Buffer.alloc(64 + text.length * 3);
      this.ipad.copy(this.scratch);
    }
    const n = this.scratch.write(text, 64, 'utf8');
    hash('sha256', this.scratch.subarray(0, 64 + n), 'buffer').copy(this.outer, 64);
    return hash('sha256', this.outer, 'hex');
  }
}

/** An actor's fields as JSON texts, with the fields they were made from. */
interface ActorTexts {
  id: string;
  name: string;
  role: string;
  text: { id: string; name: string; role: string };
}

export class AuditLog {
  private lastSeq = 0;
  private lastHash = GENESIS;
  private pending: Promise<unknown> = Promise.resolve();
  /** The head record is behind the last entry appended; written once per lmdb batch. */
  private headBehind = false;

  /** The chain's HMAC key, imported once (createHmac with raw bytes imports them on every call): verify's. */
  private readonly key: KeyObject;
  /** append's HMAC under the same key. */
  private readonly hmac: ChainHmac;
  /** `lastHash` as JSON (a head read back from disk may hold anything). */
  private lastHashText: string;
  /**
   * The JSON texts of each actor's fields, made once per actor object: a request's actor is its
   * token's principal, the same object for every request of that token. Checked against the
   * actor's fields at each use, so a changed field is never written from a stale text.
   */
  private readonly actorTexts = new WeakMap<object, ActorTexts>();
  /** The last client address and its JSON text (one client sends many requests in a row). */
  private lastClient: string | null = null;
  private lastClientText = 'null';

  constructor(
    private readonly db: Database<string, number>,
    key: Buffer,
    private readonly now: () => number = Date.now,
    private readonly writer?: AuditWriter,
  ) {
    this.key = createSecretKey(key);
    this.hmac = new ChainHmac(key);
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
    this.lastHashText = JSON.stringify(this.lastHash);
    if (writer !== undefined) return; // the writer seals each group of entries itself
    // The head names the last entry. lmdb puts the writes of one event turn in one batch, one
    // transaction, and calls this just before it closes the batch: a head written here commits
    // with the entries it seals, once per batch rather than once per entry (a put and a JSON
    // text per entry, a few % of the scheduler's CPU per submitted job).
    db.on('beforecommit', () => {
      if (!this.headBehind) return;
      this.headBehind = false;
      void this.db.put(HEAD, chainHeadText(this.lastSeq, this.lastHash)).catch(() => undefined); // its entries' puts report a failed commit
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
    const seqText = String(seq);
    const at = JSON.stringify(entry.at);
    const actorT = this.actorText(entry.actor, a);
    const clientT = this.clientText(entry.client);
    const action = JSON.stringify(entry.action);
    const object = JSON.stringify(entry.object);
    const outcome = JSON.stringify(entry.outcome);
    const pseudonyms = entry.pseudonyms.length === 0 ? '[]' : JSON.stringify(entry.pseudonyms);
    const detail = JSON.stringify(entry.detail);
    const prev = this.lastHashText;
    entry.hash = this.hmac.hex(`[${seqText},${at},${actorT.id},${actorT.name},${actorT.role},${clientT},${action},${object},${outcome},${pseudonyms},${detail},${prev}]`);
    this.lastHash = entry.hash;
    // A hex digest needs no escaping: its JSON is itself in quotes.
    this.lastHashText = `"${entry.hash}"`;
    const stored = `{"seq":${seqText},"at":${at},"actor":{"id":${actorT.id},"name":${actorT.name},"role":${actorT.role}},"client":${clientT},"action":${action},"object":${object},"outcome":${outcome},"pseudonyms":${pseudonyms},"detail":${detail},"prev":${prev},"hash":"${entry.hash}"}`;
    let write: Promise<unknown>;
    if (this.writer !== undefined) {
      write = this.writer(seq, stored, entry.hash, unawaited);
    } else {
      this.headBehind = true;
      // Resolves once the entry is on disk, not only committed: lmdb syncs after the commit
      // (overlappingSync), and a job the journal holds durably must not lose its entry to a power cut.
      write = this.db.put(seq, stored).then(() => this.db.flushed);
    }
    this.pending = write;
    return write.then(() => entry);
  }

  private actorText(copy: AuditActor, of: object): ActorTexts['text'] {
    const c = this.actorTexts.get(of);
    if (c !== undefined && c.id === copy.id && c.name === copy.name && c.role === copy.role) return c.text;
    const t: ActorTexts = { id: copy.id, name: copy.name, role: copy.role, text: { id: JSON.stringify(copy.id), name: JSON.stringify(copy.name), role: JSON.stringify(copy.role) } };
    this.actorTexts.set(of, t);
    return t.text;
  }

  private clientText(client: string | null): string {
    if (client === null || client === undefined) return 'null';
    if (client !== this.lastClient) {
      this.lastClient = client;
      this.lastClientText = JSON.stringify(client);
    }
    return this.lastClientText;
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
