// gsched cancel: the scancel of gsched. Cancels each id in turn; one failure does not
// stop the rest, but the exit code says so and names the ids that failed.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { print } from '../output.js';

const JOB_ID = /^\d+(?:_\d+)?$/;

export function registerCancelCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('cancel')
      .alias('scancel')
      .description('cancel jobs (like scancel)')
      .argument('<ids...>', 'job ids, e.g. 123 or 120_3')
      .option('-q, --quiet', 'print nothing on success'),
  ).action(async (ids: string[], opts: ConnectionOptions & { quiet?: boolean }) => {
    const badIds = ids.filter((id) => !JOB_ID.test(id));
    if (badIds.length > 0) throw new CliError(`cancel ${badIds.join(' ')}: expected job ids like 123 or 120_3`, 2);
    const client = ApiClient.fromOptions(opts);
    const failed: string[] = [];
    for (const id of ids) {
      try {
        const r = await client.cancel(id);
        if (!opts.quiet) print(`Cancelled job ${id} (${r.state})`);
      } catch (err) {
        if (!(err instanceof CliError) || err.exitCode === 3) throw err; // unreachable: the rest would fail too
        process.stderr.write(`gsched: cancel ${id}: ${err.message}\n`);
        failed.push(id);
      }
    }
    if (failed.length > 0) throw new CliError(`could not cancel job${failed.length > 1 ? 's' : ''} ${failed.join(', ')}`, 1);
  });
}
