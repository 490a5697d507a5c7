// gsched nodes: the sinfo of gsched.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { longRows, summaryRows } from '../format/nodes.js';
import { outputWidth, renderTable, type Column } from '../../common/index.js';
import { print, printJson } from '../output.js';

export const SUMMARY_COLUMNS: Column[] = [
  { header: 'CONTAINER' },
  { header: 'KIND' },
  { header: 'STATE' },
  { header: 'NODES', align: 'right' },
  { header: 'CPUS(A/I/O/T)', align: 'right' },
  { header: 'MEMORY', align: 'right' },
  { header: 'NODELIST', shrink: true },
];

export const LONG_COLUMNS: Column[] = [
  { header: 'NODE' },
  { header: 'CONTAINER' },
  { header: 'KIND' },
  { header: 'COOLING' },
  { header: 'STATE' },
  { header: 'CPUS(A/I/O/T)', align: 'right' },
  { header: 'MEMORY(U/T)', align: 'right' },
  { header: 'TASKS', align: 'right' },
];

export function registerNodesCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('nodes')
      .alias('sinfo')
      .description('show nodes grouped by container, kind and state (like sinfo)')
      .option('-N, --long', 'one line per node')
      .option('-R, --list-reasons', 'nodes drained or down, with why, who and when')
      .option('--json', 'print the nodes as JSON'),
  ).action(async (opts: ConnectionOptions & { long?: boolean; json?: boolean; listReasons?: boolean }) => {
    if (opts.listReasons) {
      const { reasons } = await ApiClient.fromOptions(opts).call('listNodes');
      if (opts.json) return printJson(reasons);
      const cols: Column[] = [{ header: 'REASON', shrink: true }, { header: 'USER' }, { header: 'TIMESTAMP' }, { header: 'STATE' }, { header: 'NODELIST' }];
      const rows = reasons.map((r) => [r.reason, r.by, r.at === null ? 'Unknown' : new Date(r.at).toISOString().slice(0, 19), r.state, r.node]);
      return print(renderTable(cols, rows, { width: outputWidth() }));
    }
    const nodes = await ApiClient.fromOptions(opts).nodes();
    if (opts.json) return printJson(nodes);
    const table = opts.long
      ? renderTable(LONG_COLUMNS, longRows(nodes), { width: outputWidth() })
      : renderTable(SUMMARY_COLUMNS, summaryRows(nodes), { width: outputWidth() });
    print(table);
  });
}
