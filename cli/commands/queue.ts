// gsched queue: the squeue of gsched.
import { Option, type Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type ForecastEntry, type ForecastResponse, type JobDetail } from '../client.js';
import { formatInstant } from '../format/show.js';
import { formatDuration } from '../format/units.js';
import { CliError } from '../errors.js';
import { ACTIVE_STATES, compareJobs, jobIdMatcher, jobNodeNames, jobNodes, jobTime, parseStateFilter, stateCode } from '../format/jobs.js';
import { compressHostlist } from '../format/hostlist.js';
import { outputWidth, renderTable, type Column } from '../../common/index.js';
import { print, printJson } from '../output.js';

interface QueueColumn extends Column {
  value: (job: JobDetail, now: number) => string;
}

export const QUEUE_COLUMNS: Record<string, QueueColumn> = {
  JOBID: { header: 'JOBID', align: 'right', value: (j) => j.displayId },
  NAME: { header: 'NAME', shrink: 3, value: (j) => j.name },
  OWNER: { header: 'OWNER', shrink: true, value: (j) => j.owner },
  ACCOUNT: { header: 'ACCOUNT', shrink: true, value: (j) => j.account },
  PARTITION: { header: 'PARTITION', shrink: true, value: (j) => j.partition },
  QOS: { header: 'QOS', value: (j) => j.qos },
  PURPOSE: { header: 'PURPOSE', value: (j) => j.purpose },
  ST: { header: 'ST', value: (j) => stateCode(j.state) },
  STATE: { header: 'STATE', value: (j) => j.state },
  REASON: { header: 'REASON', shrink: true, value: (j) => (j.state === 'PENDING' ? j.reason : '') },
  POS: { header: 'POS', align: 'right', value: (j) => (j.queuePosition === null ? '' : String(j.queuePosition)) },
  PRIORITY: { header: 'PRIORITY', align: 'right', value: (j) => String(Math.round(j.priority.total)) },
  TIME: { header: 'TIME', align: 'right', value: (j, now) => jobTime(j, now) },
  TASKS: { header: 'TASKS', align: 'right', value: (j) => String(j.tasks.length) },
  CPUS: { header: 'CPUS', align: 'right', value: (j) => String(j.cores) },
  NODES: { header: 'NODES', shrink: 2, value: (j) => jobNodes(j) },
  NODELIST: { header: 'NODELIST', shrink: 2, value: (j) => compressHostlist(jobNodeNames(j)) },
};

export const DEFAULT_QUEUE_FORMAT = 'JOBID,NAME,ACCOUNT,PARTITION,ST,REASON,POS,TIME,NODES';

export function parseQueueFormat(text: string): QueueColumn[] {
  return text.split(',').map((raw) => {
    const col = QUEUE_COLUMNS[raw.trim().toUpperCase()];
    if (!col) throw new CliError(`--format ${text}: unknown column ${raw.trim()} (columns: ${Object.keys(QUEUE_COLUMNS).join(', ')})`, 2);
    return col;
  });
}

export function renderQueue(jobs: JobDetail[], columns: QueueColumn[], now: number, width: number | null): string {
  const rows = [...jobs].sort(compareJobs).map((j) => columns.map((c) => c.value(j, now)));
  return renderTable(columns, rows, { width });
}

interface QueueOptions extends ConnectionOptions {
  state?: string;
  account?: string;
  partition?: string;
  owner?: string;
  me?: boolean;
  jobs?: string;
  all?: boolean;
  format?: string;
  json?: boolean;
  start?: boolean;
}

export function registerQueueCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('queue')
      .alias('squeue')
      .description('list pending and running jobs (like squeue)')
      .option('-t, --state <states>', 'only jobs in these states, e.g. PD,R or completed')
      .option('-A, --account <name>', 'only jobs of this account')
      .option('-p, --partition <name>', 'only jobs in this partition')
      .option('-u, --owner <name>', 'only jobs of this owner')
      .option('--me', 'only your own jobs (those of the token\'s identity)')
      .option('-j, --jobs <ids>', 'only these jobs, e.g. 12,120 or 120_3 (an array\'s id: every element), finished ones included')
      .option('-a, --all', 'include finished jobs')
      .option('-o, --format <columns>', `comma list of columns (default ${DEFAULT_QUEUE_FORMAT}; also ${Object.keys(QUEUE_COLUMNS).join(',')})`)
      .option('--start', 'expected start and end of each pending and running job, from a simulation forked off the scheduler (like squeue --start)')
      .option('--json', 'print the jobs as JSON')
      // Slurm's long names for -t and -u, kept out of the help to keep it short.
      .addOption(new Option('--states <states>').hideHelp())
      .addOption(new Option('--user <name>').hideHelp()),
    { stateFlag: false },
  ).action(async (given: QueueOptions & { states?: string; user?: string }) => {
    const { states, user, ...rest } = given;
    if ((states !== undefined && rest.state !== undefined) || (user !== undefined && rest.owner !== undefined)) throw new CliError('give -t/--state/--states once, and -u/--owner/--user once', 2);
    const opts: QueueOptions = { ...rest, ...(states !== undefined ? { state: states } : {}), ...(user !== undefined ? { owner: user } : {}) };
    if (opts.me && opts.owner !== undefined) throw new CliError('give --me or -u/--owner, not both', 2);
    const wanted = opts.jobs === undefined ? null : jobIdMatcher(opts.jobs);
    if (opts.start) return queueStart(opts);
    const columns = parseQueueFormat(opts.format ?? DEFAULT_QUEUE_FORMAT);
    const state = opts.state !== undefined ? parseStateFilter(opts.state) : opts.all || wanted ? undefined : ACTIVE_STATES;
    const client = ApiClient.fromOptions({ ...opts, state: undefined }); // --state filters jobs here
    const owner = opts.me ? await client.whoami() : opts.owner;
    const listed = await client.allJobs({
      ...(state ? { state } : {}),
      ...(opts.account ? { account: opts.account } : {}),
      ...(opts.partition ? { partition: opts.partition } : {}),
      ...(owner ? { owner } : {}),
      ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    });
    const now = listed.now;
    const jobs = wanted === null ? listed.jobs : listed.jobs.filter(wanted);
    if (opts.json) return printJson(jobs);
    print(renderQueue(jobs, columns, now ?? Date.now(), outputWidth()));
  });
}

/** A forecast's target column: met, MISSED, or ? (the end lies beyond the forecast); blank without a target. */
function targetText(j: ForecastEntry): string {
  if (j.target === null) return '';
  return j.target.met === null ? '?' : j.target.met ? 'met' : 'MISSED';
}

export function renderForecast(f: ForecastResponse, width: number | null): string {
  const cols: Column[] = [
    { header: 'JOBID', align: 'right' },
    { header: 'NAME', shrink: 3 },
    { header: 'ACCOUNT', shrink: true },
    { header: 'QOS' },
    { header: 'ST' },
    { header: 'START_TIME' },
    { header: 'END_TIME' },
    { header: 'IN', align: 'right' },
    { header: 'TARGET_8H' },
  ];
  const rows = f.jobs.map((j) => [
    j.displayId,
    j.name,
    j.account,
    j.qos,
    stateCode(j.state),
    j.expectedStart === null ? 'N/A' : formatInstant(j.expectedStart),
    j.expectedEnd === null ? 'N/A' : formatInstant(j.expectedEnd),
    j.expectedEnd === null ? '' : formatDuration(j.expectedEnd - f.now),
    targetText(j),
  ]);
  const note = f.complete ? '' : `\n(forecast cut off at ${formatInstant(f.until)}: N/A lies beyond it)`;
  return renderTable(cols, rows, { width }) + note;
}

async function queueStart(opts: QueueOptions): Promise<void> {
  if (opts.format !== undefined || opts.state !== undefined || opts.all || opts.jobs !== undefined) throw new CliError('--start shows its own columns for pending and running jobs: it takes no --format, --state, --all or --jobs', 2);
  const client = ApiClient.fromOptions({ ...opts, state: undefined });
  const owner = opts.me ? await client.whoami() : opts.owner;
  const f = await client.forecast({ ...(opts.account ? { account: opts.account } : {}), ...(opts.partition ? { partition: opts.partition } : {}), ...(owner ? { owner } : {}) });
  if (opts.json) return printJson(f);
  print(renderForecast(f, outputWidth()));
}
