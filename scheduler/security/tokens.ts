// API tokens: an identity, one role and (for submitters) accounts. Only a SHA-256 of each token
// is kept (tokens are 256 random bits, so a fast hash is enough); the token is shown once.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Database } from 'lmdb';
import { containsCpr } from '../../common/index.js';
import { SecurityError } from './errors.js';
import type { Principal, Role } from './roles.js';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  accounts: string[];
  /** SHA-256 of the token, hex. */
  hash: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
}

/** A token as listed: everything but its hash. */
export type TokenInfo = Omit<TokenRecord, 'hash'>;

export interface NewToken {
  role: Role;
  name?: string;
  accounts?: string[];
  createdBy: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export class TokenError extends SecurityError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

function hashOf(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A token id's shape: `t_` and 10 random hex digits (one in a few thousand is all digits). */
export const TOKEN_ID = /^t_[0-9a-f]{10}$/;

/**
 * A token id (`t_` and ten hex digits). Ten hex digits are now and then ten decimal ones shaped
 * like a CPR number (about one id in 3,000), which the API refuses in a path (DELETE
 * /api/v1/tokens/{id} answered 400 CPR_NOT_ALLOWED): such an id is drawn again.
 */

export function newTokenId(random: (bytes: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = `t_${random(5).toString('hex')}`;
    if (!containsCpr(id)) return id;
  }
}

export function newTokenSecret(): string {
  return `gst_${randomBytes(32).toString('base64url')}`;
}

export class TokenStore {
  /** Active tokens by hash; rebuilt from lmdb at start, kept in step on every change. */
  private readonly byHash = new Map<string, TokenRecord>();
  private revocations = 0;

  constructor(
    private readonly db: Database<TokenRecord, string>,
    private readonly now: () => number = Date.now,
  ) {
    for (const { value } of db.getRange()) if (value.revokedAt === null) this.byHash.set(value.hash, value);
  }

  /** Changes whenever a token is revoked: whoever keeps verified principals drops them then. */
  get generation(): number {
    return this.revocations;
  }

  get size(): number {
    return this.db.getCount();
  }

  /** The identity `token` stands for, or null if it is unknown or revoked. */
  verify(token: string): Principal | null {
    if (token.length < 16 || token.length > 200) return null;
    const h = hashOf(token);
    const rec = this.byHash.get(h);
    // The map lookup is by hash, so timing reveals nothing of the token; compare anyway.
    if (!rec || !timingSafeEqual(Buffer.from(rec.hash, 'hex'), Buffer.from(h, 'hex'))) return null;
    return { id: rec.id, name: rec.name, role: rec.role, accounts: rec.accounts };
  }

  /** Creates a token; the returned `token` exists nowhere else (only its hash is stored). */
  create(spec: NewToken, secret: string = newTokenSecret()): { token: string; record: TokenInfo } {
    const accounts = [...new Set(spec.accounts ?? [])];
    if (spec.role === 'submitter' && accounts.length === 0) throw new TokenError('a submitter token needs at least one account (--account A)', 'accounts');
    if (spec.role !== 'submitter' && accounts.length > 0) throw new TokenError(`only submitter tokens are bound to accounts; a ${spec.role} token acts on all of them`, 'accounts');
    let id: string;
    do id = newTokenId();
    while (this.db.get(id) !== undefined);
    const name = spec.name ?? `${spec.role}-${id.slice(2)}`;
    if (!NAME.test(name)) throw new TokenError(`token name ${JSON.stringify(name)} must be 1-64 letters, digits, _ . @ or - (it is the identity shown as owner and in the audit log)`, 'name');
    const record: TokenRecord = { id, name, role: spec.role, accounts, hash: hashOf(secret), createdAt: this.now(), createdBy: spec.createdBy, revokedAt: null };
    // Synchronous: a token exists on disk before anyone is told it.
    this.db.putSync(id, record);
    this.byHash.set(record.hash, record);
    return { token: secret, record: infoOf(record) };
  }

  list(): TokenInfo[] {
    return [...this.db.getRange()].map(({ value }) => infoOf(value)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  get(id: string): TokenInfo | undefined {
    const r = this.db.get(id);
    return r ? infoOf(r) : undefined;
  }

  /** Revokes a token by id; revoking one already revoked is a no-op. Undefined if unknown. */
  revoke(id: string): TokenInfo | undefined {
    const r = this.db.get(id);
    if (!r) return undefined;
    if (r.revokedAt !== null) return infoOf(r);
    const revoked: TokenRecord = { ...r, revokedAt: this.now() };
    this.db.putSync(id, revoked);
    this.byHash.delete(r.hash);
    this.revocations++;
    return infoOf(revoked);
  }

  /**
   * First start: with no token yet, an admin token is created and written to `file` (mode 600)
   * for the local CLI. A token already in that file (a state folder from before tokens were
   * stored hashed) becomes the admin token instead. Returns the created record, if any.
   */
  bootstrap(file: string): TokenInfo | null {
    if (this.size > 0) {
      if (existsSync(file)) chmodSync(file, 0o600);
      return null;
    }
    let secret: string | undefined;
    if (existsSync(file)) {
      chmodSync(file, 0o600);
      const t = readFileSync(file, 'utf8').trim();
      if (t.length >= 16) secret = t;
    }
    if (secret === undefined) {
      secret = newTokenSecret();
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const { record } = this.create({ role: 'admin', name: 'admin', createdBy: 'first start' }, secret);
    return record;
  }
}

function infoOf(r: TokenRecord): TokenInfo {
  const { hash: _hash, ...info } = r;
  return info;
}
