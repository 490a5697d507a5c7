// Everything security keeps in the state folder, opened together: tokens and consent registry
// in their own lmdb environment (security.lmdb, apart from the journal), the audit log in the
// journal's data file (its entries commit with the journal records they concern), the site
// secret and the admin token file (both mode 600).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { AuditLog, type AuditWriter } from './audit.js';
import { ConsentRegistry, type ConsentRecord } from './consent-registry.js';
import { SecurityError } from './errors.js';
import { Pseudonymizer, ensureSiteSecret } from './pseudonym.js';
import { TokenStore, type TokenRecord } from './tokens.js';

/** Where the audit log lives when not in security.lmdb: the state folder's journal (Store.auditTarget). */
export interface AuditPlace {
  db: Database<string, number>;
  write: AuditWriter;
}

/**
 * Moves the entries an older scheduler kept in security.lmdb into `to`, once. While `to` is
 * empty they are copied in one transaction; at a later open, with the copy read back from
 * disk after a restart, the old ones are dropped (not before: the copy's sync may not have
 * finished when this process stops).
 */
function moveAuditEntries(from: Database<string, number>, to: Database<string, number>): void {
  let fromAny = false;
  for (const _ of from.getKeys({ limit: 1 })) fromAny = true;
  if (!fromAny) return;
  let toAny = false;
  for (const _ of to.getKeys({ limit: 1 })) toAny = true;
  if (toAny) {
    from.dropSync();
    return;
  }
  to.transactionSync(() => {
    for (const { key, value } of from.getRange()) to.putSync(key, value);
  });
}

export class Security {
  private constructor(
    private readonly root: RootDatabase,
    readonly tokens: TokenStore,
    readonly consent: ConsentRegistry,
    readonly audit: AuditLog,
    readonly pseudonyms: Pseudonymizer,
    readonly dir: string,
  ) {}

  /**
   * Opens (creating on first use) the security state in `stateDir`. With `audit` (the scheduler
   * passes its store's), the audit log is kept there; without, in security.lmdb.
   */
  static open(stateDir: string, audit?: AuditPlace): Security {
    let root: RootDatabase;
    try {
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      root = open({ path: join(stateDir, 'security.lmdb') });
    } catch (err) {
      throw new SecurityError(`cannot open ${join(stateDir, 'security.lmdb')}: ${(err as Error).message}`);
    }
    const pseudonyms = new Pseudonymizer(ensureSiteSecret(join(stateDir, 'site-secret')));
    const tokens = new TokenStore(root.openDB<TokenRecord, string>({ name: 'tokens' }));
    const consent = new ConsentRegistry(root.openDB<ConsentRecord, string>({ name: 'consent' }));
    const own = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    if (audit !== undefined) moveAuditEntries(own, audit.db);
    const log = audit === undefined ? new AuditLog(own, pseudonyms.derive('audit-chain')) : new AuditLog(audit.db, pseudonyms.derive('audit-chain'), Date.now, audit.write);
    return new Security(root, tokens, consent, log, pseudonyms, stateDir);
  }

  /**
   * Resolves once every write to security.lmdb so far is synced to disk. Token writes commit
   * synchronously (putSync) and lmdb syncs after: a route waits for this before it answers.
   */
  async flushed(): Promise<void> {
    await this.root.flushed;
  }

  /** The admin token file the local CLI reads (`<state>/api-token`). */
  get tokenFile(): string {
    return join(this.dir, 'api-token');
  }

  /**
   * First start: an admin token, hashed here and written in clear only to `api-token` (600).
   * `adminToken` (tests) makes that token the admin one instead of a random one.
   */
  bootstrap(adminToken?: string): void {
    if (adminToken !== undefined && this.tokens.size === 0) {
      this.tokens.create({ role: 'admin', name: 'admin', createdBy: 'first start' }, adminToken);
      return;
    }
    this.tokens.bootstrap(this.tokenFile);
  }

  async close(): Promise<void> {
    await this.audit.drained();
    await this.root.close();
  }
}
