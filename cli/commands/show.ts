// gsched show job ID: the scontrol show job of gsched. `gsched scontrol show job ID` is the
// same command under Slurm's name (scontrol's other verbs are added to it by their own modules).
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { showJob } from '../format/show.js';
import { print, printJson } from '../output.js';

function addShow(parent: Command): void {
  const show = parent.command('show').description('show one object in detail (like scontrol show)');
  addConnectionOptions(
    show
      .command('job')
      .description('a job\'s state, priority breakdown, tasks and their nodes')
      .argument('<id>', 'job id, e.g. 123 or 120_3')
      .option('--json', 'print the job as JSON'),
  ).action(async (id: string, opts: ConnectionOptions & { json?: boolean }) => {
    if (!/^\d+(?:_\d+)?$/.test(id)) throw new CliError(`show job ${id}: expected a job id like 123 or 120_3`, 2);
    const job = await ApiClient.fromOptions(opts).getJob(id);
    if (opts.json) return printJson(job);
    print(showJob(job, typeof job.now === 'number' ? job.now : Date.now())); // the scheduler's clock may run fast
  });
}

/** The `scontrol` command group, created once; other modules add their verbs to it. */
export function scontrolOf(program: Command): Command {
  return program.commands.find((c) => c.name() === 'scontrol') ?? program.command('scontrol').description('Slurm\'s scontrol verbs: show job, and the job-control verbs');
}

export function registerShowCommands(program: Command): void {
  addShow(program);
  addShow(scontrolOf(program));
}
