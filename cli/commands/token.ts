// gsched token create|list|revoke: API tokens with an identity and a role (admin only). A new
// token is shown once; the scheduler keeps only its hash.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type Role, type TokenInfo } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';
import { renderTable } from '../../common/index.js';

const ROLES: readonly Role[] = ['admin', 'operator', 'submitter', 'consent-officer', 'auditor', 'viewer'];

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function table(tokens: TokenInfo[]): string {
  const rows = tokens.map((t) => [t.id, t.name, t.role, t.accounts.join(',') || '-', when(t.createdAt), t.createdBy, t.revokedAt === null ? 'active' : `revoked ${when(t.revokedAt)}`]);
  return renderTable([{ header: 'ID' }, { header: 'NAME', shrink: true }, { header: 'ROLE' }, { header: 'ACCOUNTS', shrink: true }, { header: 'CREATED' }, { header: 'BY', shrink: true }, { header: 'STATE' }], rows, { width: process.stdout.columns ?? null });
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens (admin): identities with one role each');

  addConnectionOptions(
    token
      .command('create')
      .description('create a token; it is printed once and only its hash is kept')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--account <account>', 'an account a submitter may use (repeat for more)', collect)
      .option('--name <name>', 'identity: shown as job owner and in the audit log (default <role>-<id>)')
      .option('--json', 'print {token, id, role} as JSON'),
  ).action(async (opts: ConnectionOptions & { role: string; account?: string[]; name?: string; json?: boolean }) => {
    if (!(ROLES as readonly string[]).includes(opts.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(opts.role)}`, 2);
    const spec = { role: opts.role as Role, ...(opts.name === undefined ? {} : { name: opts.name }), ...(opts.account === undefined ? {} : { accounts: opts.account }) };
    const t = await ApiClient.fromOptions(opts).createToken(spec);
    if (opts.json) return printJson({ token: t.token, id: t.id, role: t.role, name: t.name, accounts: t.accounts });
    print(`token ${t.id} (${t.role}${t.accounts.length > 0 ? ` on ${t.accounts.join(', ')}` : ''}) for ${t.name}:`);
    print(t.token);
    print('it is shown only this once: give it to its holder (GSCHED_TOKEN or --token)');
  });

  addConnectionOptions(token.command('list').description('list tokens (never their secrets)').option('--json', 'print as JSON')).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    const list = await ApiClient.fromOptions(opts).tokens();
    if (opts.json) return printJson(list);
    print(table(list));
  });

  addConnectionOptions(token.command('revoke').description('revoke a token at once').argument('<id>', 'token id (t_…), from gsched token list').option('--json', 'print the revoked token as JSON')).action(
    async (id: string, opts: ConnectionOptions & { json?: boolean }) => {
      const t = await ApiClient.fromOptions(opts).revokeToken(id);
      if (opts.json) return printJson(t);
      print(`token ${t.id} (${t.role}, ${t.name}) revoked`);
    },
  );
}
