// gsched consent grant|restrict|withdraw|show: the consent registry (consent-officer; show
// also for auditors). A CPR number is accepted only here and is turned into the patient's
// keyed pseudonym by the scheduler at once; the pseudonym is what is printed and used.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type ConsentAction, type ConsentRecordView } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

interface ChangeOptions extends ConnectionOptions {
  pseudonym?: string;
  cpr?: string;
  document?: string;
  note?: string;
  json?: boolean;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function show(r: ConsentRecordView): void {
  print(`${r.pseudonym}: ${r.status}`);
  print(r.written ? `written consent: ${r.written.documentRef}, recorded by ${r.written.recordedBy.name} at ${when(r.written.recordedAt)}` : 'written consent: none on record');
  print('history:');
  for (const h of r.history) {
    print(`  ${when(h.at)}  ${h.action.padEnd(8)}  by ${h.by.name} (${h.by.role})${h.documentRef ? `  document ${h.documentRef}` : ''}${h.note ? `  "${h.note}"` : ''}`);
  }
}

const HELP: Record<ConsentAction, string> = {
  grant: 'record written consent: the data may be analysed for treatment and used for research',
  restrict: 'restrict the data to the patient\'s own treatment: research may never read it',
  withdraw: 'withdraw consent: no analysis may read the data; running work on it is stopped',
};

export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description('the consent registry: grant, restrict, withdraw, show');
  for (const action of ['grant', 'restrict', 'withdraw'] as const) {
    addConnectionOptions(
      consent
        .command(action)
        .description(HELP[action])
        .option('--pseudonym <p>', 'the patient\'s pseudonym')
        .option('--cpr <cpr>', 'the patient\'s CPR number (DDMMYY-XXXX): turned into the pseudonym by the scheduler, never stored')
        .option('--document <ref>', 'reference of the signed consent (required when none is on record yet)')
        .option('--note <text>', 'a note kept in the history')
        .option('--json', 'print the record as JSON'),
    ).action(async (opts: ChangeOptions) => {
      if ((opts.pseudonym === undefined) === (opts.cpr === undefined)) throw new CliError('give exactly one of --pseudonym and --cpr', 2);
      const r = await ApiClient.fromOptions(opts).consent({
        action,
        ...(opts.pseudonym === undefined ? {} : { pseudonym: opts.pseudonym }),
        ...(opts.cpr === undefined ? {} : { cpr: opts.cpr }),
        ...(opts.document === undefined ? {} : { documentRef: opts.document }),
        ...(opts.note === undefined ? {} : { note: opts.note }),
      });
      if (opts.json) return printJson(r.record);
      print(`${r.pseudonym}: ${r.status}`);
    });
  }
  addConnectionOptions(consent.command('show').description('a patient\'s consent and its history').argument('<pseudonym>', 'the patient\'s pseudonym').option('--json', 'print as JSON')).action(
    async (pseudonym: string, opts: ConnectionOptions & { json?: boolean }) => {
      const r = await ApiClient.fromOptions(opts).consentOf(pseudonym);
      if (opts.json) return printJson(r);
      show(r);
    },
  );
}
