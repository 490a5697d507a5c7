// gsched reconfigure (scontrol reconfigure): the scheduler reads its cluster config file again
// and applies it without a restart, or refuses it with every conflict (exit 1).
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { print, printJson } from '../output.js';
import { scontrolOf } from './show.js';

function addReconfigure(parent: Command): void {
  addConnectionOptions(
    parent
      .command('reconfigure')
      .description('reload the scheduler\'s cluster config file without a restart (admins); refused, with the conflicts, if the state does not fit it')
      .option('--json', 'print the answer as JSON'),
  ).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    const r = await ApiClient.fromOptions(opts).call('reconfigure', {}, {});
    if (opts.json) return printJson(r);
    print(r.changed ? `Reconfigured: cluster ${r.cluster} now runs under the config file's content` : `No change: the config file holds the config in force (cluster ${r.cluster})`);
  });
}

export function registerReconfigureCommands(program: Command): void {
  addReconfigure(program);
  addReconfigure(scontrolOf(program));
}
