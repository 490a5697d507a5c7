// Everything security keeps in the state folder, opened together: tokens, consent registry and
// audit log in their own lmdb environment (security.lmdb, apart from the journal), the site
// secret and the admin token file (both mode 600).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { AuditLog } from './audit.js';
import { ConsentRegistry, type ConsentRecord } from './consent-registry.js';
import { SecurityError } from './errors.js';
import { Pseudonymizer, ensureSiteSecret } from './pseudonym.js';
import { TokenStore, type TokenRecord } from './tokens.js';

export class Security {
  private constructor(
    private readonly root: RootDatabase,
    readonly tokens: TokenStore,
    readonly consent: ConsentRegistry,
    readonly audit: AuditLog,
    readonly pseudonyms: Pseudonymizer,
    readonly dir: string,
  ) {}

  /** Opens (creating on first use) the security state in `stateDir`. */
  static open(stateDir: string): Security {
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
    const audit = new AuditLog(root.openDB<string, number>({ name: 'audit', encoding: 'string' }), pseudonyms.derive('audit-chain'));
    return new Security(root, tokens, consent, audit, pseudonyms, stateDir);
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
