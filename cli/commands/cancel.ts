// gsched cancel: the scancel of gsched. Cancels each id in turn; one failure does not
// stop the rest, but the exit code says so and names the ids that failed. An array job's
// own id cancels every element still active, as scancel does.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { ACTIVE_STATES } from '../format/jobs.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

const JOB_ID = /^\d+(?:_\d+)?$/;

/** For an array job's own id, the display ids of its active elements; null for any other id. */
async function arrayElements(client: ApiClient, id: string): Promise<string[] | null> {
  if (id.includes('_')) return null;
  const job = await client.getJob(id);
  if (job.arrayJobId === null || job.arrayJobId !== job.id) return null;
  const { jobs } = await client.allJobs({ state: ACTIVE_STATES, owner: job.owner });
  return jobs.filter((j) => j.arrayJobId === job.arrayJobId).map((j) => j.displayId);
}

export function registerCancelCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('cancel')
      .alias('scancel')
      .description('cancel jobs (like scancel)')
      .argument('<ids...>', 'job ids, e.g. 123 or 120_3')
      .option('-q, --quiet', 'print nothing on success')
      .option('--json', 'print one result per id as JSON: {id, state} or {id, error}'),
  ).action(async (ids: string[], opts: ConnectionOptions & { quiet?: boolean; json?: boolean }) => {
    const badIds = ids.filter((id) => !JOB_ID.test(id));
    if (badIds.length > 0) throw new CliError(`cancel ${badIds.join(' ')}: expected job ids like 123 or 120_3`, 2);
    const client = ApiClient.fromOptions(opts);
    const failed: string[] = [];
    const results: ({ id: string; state: string; elements?: number } | { id: string; error: string })[] = [];
    const say = (text: string): void => {
      if (!opts.quiet && !opts.json) print(text);
    };
    for (const id of ids) {
      try {
        const elements = await arrayElements(client, id);
        if (elements === null) {
          const r = await client.cancel(id);
          results.push({ id, state: r.state });
          say(`Cancelled job ${id} (${r.state})`);
          continue;
        }
        for (const e of elements) await client.cancel(e);
        results.push({ id, state: 'CANCELLED', elements: elements.length });
        say(`Cancelled array job ${id} (${elements.length} active element${elements.length === 1 ? '' : 's'})`);
      } catch (err) {
        if (!(err instanceof CliError) || err.exitCode === 3) throw err; // unreachable: the rest would fail too
        if (!opts.json) process.stderr.write(`gsched: cancel ${id}: ${err.message}\n`);
        results.push({ id, error: err.message });
        failed.push(id);
      }
    }
    if (opts.json) printJson(results);
    if (failed.length > 0) throw new CliError(`could not cancel job${failed.length > 1 ? 's' : ''} ${failed.join(', ')}`, 1);
  });
}
