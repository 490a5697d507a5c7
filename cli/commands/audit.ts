// gsched audit show|verify: the append-only, hash-chained audit log (auditor).
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type AuditEntryView, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

function line(e: AuditEntryView): string {
  const who = `${e.actor.name}(${e.actor.role})`;
  const ps = e.pseudonyms.length > 0 ? ` [${e.pseudonyms.join(',')}]` : '';
  return `${String(e.seq).padStart(6)}  ${new Date(e.at).toISOString()}  ${who.padEnd(24)} ${(e.client ?? '-').padEnd(15)} ${e.action.padEnd(16)} ${e.outcome.padEnd(9)} ${e.object}${ps}`;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('read and verify the audit log (auditor)');

  addConnectionOptions(
    audit
      .command('show')
      .description('audit entries in order: who did what, from where, to what')
      .option('--pseudonym <p>', 'only entries concerning this patient')
      .option('--since <time>', 'only entries from this time (ISO 8601, e.g. 2026-12-01T10:00:00Z)')
      .option('--json', 'print the entries as JSON'),
  ).action(async (opts: ConnectionOptions & { pseudonym?: string; since?: string; json?: boolean }) => {
    const client = ApiClient.fromOptions(opts);
    const all: AuditEntryView[] = [];
    for (let after: number | undefined; ; ) {
      const page = await client.audit({ ...(opts.pseudonym ? { pseudonym: opts.pseudonym } : {}), ...(opts.since ? { since: opts.since } : {}), ...(after === undefined ? {} : { after }), limit: 5000 });
      all.push(...page.entries);
      if (page.next === null) break;
      after = page.next;
    }
    if (opts.json) return printJson(all);
    for (const e of all) print(line(e));
  });

  addConnectionOptions(audit.command('verify').description('check the hash chain: exit 1 naming the first edited, inserted or removed entry').option('--json', 'print the verdict as JSON')).action(
    async (opts: ConnectionOptions & { json?: boolean }) => {
      const v = await ApiClient.fromOptions(opts).auditVerify();
      if (opts.json) printJson(v);
      else if (v.ok) print(`audit log intact: ${v.entries} entries, chain head ${(v.head ?? '').slice(0, 16)}…`);
      if (!v.ok) throw new CliError(`audit log broken at entry ${v.firstBad ?? '?'}: ${v.reason ?? 'unknown'} (${v.entries} entries verified before it)`, 1);
    },
  );
}
