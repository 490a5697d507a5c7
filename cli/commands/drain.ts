// gsched drain / resume: take a node out of service (running tasks finish) and bring it back.
import type { Command } from 'commander';
import type { NodeView } from '../../contract/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { print, printJson } from '../output.js';

function report(node: NodeView, json: boolean | undefined): void {
  if (json) return printJson(node);
  print(`${node.name}: ${node.state.toLowerCase()} (${node.tasks} task${node.tasks === 1 ? '' : 's'} running, ${node.coresUsed}/${node.cores} cores in use)`);
}

export function registerDrainCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('drain')
      .description('stop placing work on a node; running tasks finish')
      .argument('<node>', 'node name, e.g. c1-n001')
      .option('--reason <text>', 'why, for the other operators')
      .option('--json', 'print the node as JSON'),
  ).action(async (node: string, opts: ConnectionOptions & { reason?: string; json?: boolean }) => {
    report(await ApiClient.fromOptions(opts).drain(node, opts.reason), opts.json); // the scheduler records who: the token's identity
  });

  addConnectionOptions(
    program
      .command('down')
      .description('mark a node DOWN: its tasks are stopped and requeued; it stays down until resumed')
      .argument('<node>', 'node name, e.g. c1-n001')
      .requiredOption('--reason <text>', 'why (required, as scontrol asks), shown by gsched nodes -R')
      .option('--json', 'print the node as JSON'),
  ).action(async (node: string, opts: ConnectionOptions & { reason: string; json?: boolean }) => {
    report(await ApiClient.fromOptions(opts).down(node, opts.reason), opts.json);
  });

  addConnectionOptions(
    program
      .command('resume')
      .description('return a drained or downed node to service')
      .argument('<node>', 'node name, e.g. c1-n001')
      .option('--json', 'print the node as JSON'),
  ).action(async (node: string, opts: ConnectionOptions & { json?: boolean }) => {
    report(await ApiClient.fromOptions(opts).resume(node), opts.json);
  });
}
