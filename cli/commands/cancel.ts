// gsched cancel: the scancel of gsched. Cancels each id in turn; one failure does not
// stop the rest, but the exit code says so and names the ids that failed. An array job's
// own id cancels every element still active, as scancel does.
import type { Command } from 'commander';
import { signalName } from '../../common/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { ACTIVE_STATES, parseStateFilter } from '../format/jobs.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

const JOB_ID = /^\d+(?:_\d+)?$/;

interface CancelOptions extends ConnectionOptions {
  quiet?: boolean;
  json?: boolean;
  user?: string;
  account?: string;
  partition?: string;
  states?: string;
  jobName?: string;
  me?: boolean;
  signal?: string;
  grace?: string;
}

/** scancel's filters: the active jobs they select (display ids), when no id is given. */
async function selected(client: ApiClient, o: CancelOptions): Promise<string[]> {
  // Jobs are owned by the identity of the token that submitted them, not by a Unix user.
  const owner = o.me ? await client.whoami() : o.user;
  const states = o.states === undefined ? ACTIVE_STATES : parseStateFilter(o.states).filter((st) => ACTIVE_STATES.includes(st));
  if (states.length === 0) throw new CliError(`-t ${o.states}: only pending and running jobs can be cancelled`, 2);
  const { jobs } = await client.allJobs({ state: states, ...(owner ? { owner } : {}), ...(o.account ? { account: o.account } : {}), ...(o.partition ? { partition: o.partition } : {}) });
  return jobs.filter((j) => o.jobName === undefined || j.name === o.jobName).map((j) => j.displayId);
}

export function registerCancelCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('cancel')
      .alias('scancel')
      .description('cancel jobs (like scancel): by id, or every active job the filters select')
      .argument('[ids...]', 'job ids, e.g. 123 or 120_3 (an array\'s id: every element)')
      .option('-u, --user <owner>', 'the jobs of this owner')
      .option('--me', 'your own jobs (those of the token\'s identity)')
      .option('-A, --account <account>', 'the jobs of this account')
      .option('-p, --partition <partition>', 'the jobs in this partition')
      .option('-t, --states <states>', 'only jobs in these states: PD, R (default both)')
      .option('-n, --name <name>', 'the jobs of this name')
      .option('-s, --signal <signal>', 'send this signal (e.g. USR1) to the running commands instead of cancelling')
      .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL for running commands (default: the agents\' 30)')
      .option('-q, --quiet', 'print nothing on success')
      .option('--json', 'print one result per id as JSON: {id, state} or {id, error}'),
  ).action(async (ids: string[], opts: CancelOptions & { name?: string }) => {
    opts.jobName = opts.name;
    const filtered = opts.user !== undefined || opts.me === true || opts.account !== undefined || opts.partition !== undefined || opts.states !== undefined || opts.name !== undefined;
    if (filtered && ids.length > 0) throw new CliError('give job ids or filters (-u, --me, -A, -p, -t, -n), not both', 2);
    if (!filtered && ids.length === 0) throw new CliError('nothing to cancel: give job ids, or filters such as --me or -u NAME', 2);
    let graceMs: number | undefined;
    if (opts.grace !== undefined) {
      if (!/^\d+(\.\d+)?$/.test(opts.grace)) throw new CliError(`--grace ${opts.grace}: expected a number of seconds`, 2);
      graceMs = Math.round(Number(opts.grace) * 1000);
    }
    if (opts.signal !== undefined && signalName(opts.signal) === null) throw new CliError(`--signal ${opts.signal}: not a signal: expected a name like USR1 or TERM, or a number like 10`, 2);
    const badIds = ids.filter((id) => !JOB_ID.test(id));
    if (badIds.length > 0) throw new CliError(`cancel ${badIds.join(' ')}: expected job ids like 123 or 120_3`, 2);
    const client0 = ApiClient.fromOptions(opts);
    if (filtered) {
      ids = await selected(client0, opts);
      if (ids.length === 0) {
        if (opts.json) printJson([]);
        else if (!opts.quiet) print('No active job matches');
        return;
      }
    }
    if (opts.signal !== undefined) {
      const sig = opts.signal.toUpperCase();
      const failedSig: string[] = [];
      const results: unknown[] = [];
      for (const id of ids) {
        try {
          const r = await client0.call('signalJob', { id }, { signal: sig });
          results.push({ id, signalled: r.signalled });
          if (!opts.quiet && !opts.json) print(`Signalled job ${id} with ${sig} (${r.signalled} running task${r.signalled === 1 ? '' : 's'})`);
        } catch (err) {
          if (!(err instanceof CliError) || err.exitCode === 3) throw err;
          results.push({ id, error: err.message });
          if (!opts.json) process.stderr.write(`gsched: signal ${id}: ${err.message}\n`);
          failedSig.push(id);
        }
      }
      if (opts.json) printJson(results);
      if (failedSig.length > 0) throw new CliError(`could not signal job${failedSig.length > 1 ? 's' : ''} ${failedSig.join(', ')}`, 1);
      return;
    }
    const client = ApiClient.fromOptions(opts);
    const failed: string[] = [];
    const results: ({ id: string; state: string; elements?: number } | { id: string; error: string })[] = [];
    const say = (text: string): void => {
      if (!opts.quiet && !opts.json) print(text);
    };
    for (const id of ids) {
      try {
        // One request each: an array's own id cancels every active element on the scheduler,
        // in one step (listing them here and cancelling one by one raced their ends).
        const r = graceMs === undefined ? await client.cancel(id) : await client.call('cancelJob', { id }, undefined, new URLSearchParams({ graceMs: String(graceMs) }));
        if (r.elements === undefined) {
          results.push({ id, state: r.state });
          say(`Cancelled job ${id} (${r.state})`);
          continue;
        }
        results.push({ id, state: r.state, elements: r.elements });
        say(`Cancelled array job ${id} (${r.elements} active element${r.elements === 1 ? '' : 's'})`);
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
