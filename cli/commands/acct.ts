// Accounting, Slurm-named: acct (sacct), report (sreport), share (sshare), prio (sprio).
import type { Command } from 'commander';
import { outputWidth, renderTable, type Column } from '../../common/index.js';
import type { ROUTES, ReplyOf } from '../../contract/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { compressHostlist } from '../format/hostlist.js';
import { jobIdMatcher, parseStateFilter } from '../format/jobs.js';
import { formatInstant, formatNumber } from '../format/show.js';
import { formatDuration, formatMemMb } from '../format/units.js';
import { print, printJson } from '../output.js';
import { parseBegin, schedulerNow } from './control.js';

type AcctRow = ReplyOf<typeof ROUTES.accounting>['jobs'][number];

interface AcctColumn extends Column {
  value(r: AcctRow): string;
}

/** sacct's field names (case-insensitive), with gsched's additions. */
export const ACCT_FIELDS: Record<string, AcctColumn> = {
  JOBID: { header: 'JobID', value: (r) => r.jobId },
  JOBNAME: { header: 'JobName', shrink: 2, value: (r) => r.name },
  USER: { header: 'User', value: (r) => r.user },
  ACCOUNT: { header: 'Account', value: (r) => r.account },
  PARTITION: { header: 'Partition', value: (r) => r.partition },
  QOS: { header: 'QOS', value: (r) => r.qos },
  CLASS: { header: 'Class', value: (r) => r.class ?? '' },
  STATE: { header: 'State', value: (r) => r.state },
  SUBMIT: { header: 'Submit', value: (r) => formatInstant(r.submit) },
  START: { header: 'Start', value: (r) => formatInstant(r.start) },
  END: { header: 'End', value: (r) => formatInstant(r.end) },
  ELAPSED: { header: 'Elapsed', align: 'right', value: (r) => formatDuration(r.elapsedMs) },
  ALLOCCPUS: { header: 'AllocCPUS', align: 'right', value: (r) => String(r.cores) },
  COREHOURS: { header: 'CoreHours', align: 'right', value: (r) => r.coreHours.toFixed(2) },
  TOTALCPU: { header: 'TotalCPU', align: 'right', value: (r) => formatDuration(r.cpuMs) },
  REQMEM: { header: 'ReqMem', align: 'right', value: (r) => formatMemMb(r.memMb) },
  NODELIST: { header: 'NodeList', shrink: 3, value: (r) => (r.nodes.length === 0 ? 'None assigned' : compressHostlist(r.nodes)) },
  EXITCODE: { header: 'ExitCode', align: 'right', value: (r) => r.exitCode },
  CONSUMEDENERGY: { header: 'ConsumedEnergy', align: 'right', value: (r) => energy(r.energyJ) },
};

export const DEFAULT_ACCT_FORMAT = 'JobID,JobName,Account,Partition,AllocCPUS,State,Elapsed,CoreHours,ExitCode';

function energy(j: number): string {
  return j >= 1e6 ? `${(j / 1e6).toFixed(2)}M` : j >= 1e3 ? `${(j / 1e3).toFixed(2)}K` : String(j);
}

export function parseAcctFormat(text: string): AcctColumn[] {
  return text.split(',').map((raw) => {
    const col = ACCT_FIELDS[raw.trim().toUpperCase()];
    if (!col) throw new CliError(`--format ${text}: unknown field ${raw.trim()} (fields: ${Object.values(ACCT_FIELDS).map((c) => c.header).join(', ')})`, 2);
    return col;
  });
}

/** A table, sacct --parsable2 (`|` between fields) or CSV (quoted where needed). */
export function renderAcct(rows: AcctRow[], cols: AcctColumn[], style: 'table' | 'parsable2' | 'csv', width: number | null): string {
  const cells = rows.map((r) => cols.map((c) => c.value(r)));
  if (style === 'table') return renderTable(cols, cells, { width });
  const sep = style === 'csv' ? ',' : '|';
  const q = (s: string): string => (style === 'csv' && /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [cols.map((c) => q(c.header)), ...cells.map((r) => r.map(q))].map((r) => r.join(sep)).join('\n') + '\n';
}

interface AcctOptions extends ConnectionOptions {
  jobs?: string;
  user?: string;
  account?: string;
  partition?: string;
  state?: string;
  starttime?: string;
  endtime?: string;
  allusers?: boolean;
  format?: string;
  parsable2?: boolean;
  csv?: boolean;
  json?: boolean;
}

/** -S/-E (`flag`): `now`, `now-2hours` (or `now+N`) on the scheduler's clock, or a date; errors name the flag. */
export function acctTime(text: string, flag: string, now: number): number {
  const what = `${flag} ${text}`;
  const minus = /^now-(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (minus) return now - (parseBegin(`now+${minus[1]}${minus[2] ?? ''}`, now, what) - now);
  return parseBegin(text, now, what, 'now-N');
}

/** -S/-E: now-relative forms on the scheduler's clock, or dates, or `now`. */
async function windowOf(client: ApiClient, o: { starttime?: string; endtime?: string }): Promise<URLSearchParams> {
  const p = new URLSearchParams();
  if (o.starttime === undefined && o.endtime === undefined) return p;
  const now = await schedulerNow(client);
  const at = (text: string, flag: string): number => acctTime(text, flag, now);
  if (o.starttime !== undefined) p.set('start', String(Math.max(0, at(o.starttime, '-S'))));
  if (o.endtime !== undefined) p.set('end', String(Math.max(0, at(o.endtime, '-E'))));
  return p;
}

/** sreport's title line; a window open at the start (no -S: from 0) says so, not "+0:00". */
export function reportTitle(start: number, end: number, by: string): string {
  return start <= 0 ? `Usage up to ${formatInstant(end)} by ${by}` : `Usage ${formatInstant(start)} - ${formatInstant(end)} by ${by}`;
}

export function registerAcctCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('acct')
      .alias('sacct')
      .description('accounting: jobs with elapsed time, cores, core-hours, memory, nodes, exit code, energy (like sacct)')
      .option('-j, --jobs <ids>', 'these jobs (comma-separated; an array\'s id: every element)')
      .option('-u, --user <owners>', 'these owners (default: everyone)')
      .option('-A, --account <accounts>', 'these accounts')
      .option('-r, --partition <partitions>', 'these partitions')
      .option('-s, --state <states>', 'these states: CD, F, CA, TO, NF, R, PD')
      .option('-S, --starttime <time>', 'jobs not ended before: now-2hours, now-1day, a date (time scale 1)')
      .option('-E, --endtime <time>', 'jobs submitted by: now, now-30min, a date')
      .option('-o, --format <fields>', `fields (default ${DEFAULT_ACCT_FORMAT}); also User, QOS, Class, Submit, Start, End, TotalCPU, ReqMem, NodeList, ConsumedEnergy`)
      .option('-P, --parsable2', 'fields separated by |, no padding')
      .option('--csv', 'comma-separated values with a header line')
      .option('--json', 'the rows as JSON'),
    { stateFlag: false },
  ).action(async (o: AcctOptions) => {
    const cols = parseAcctFormat(o.format ?? DEFAULT_ACCT_FORMAT);
    // -s is sacct's state filter here, never the state folder (that is --state-dir).
    const client = ApiClient.fromOptions({ url: o.url, token: o.token, stateDir: o.stateDir, timeout: o.timeout });
    const p = await windowOf(client, o);
    if (o.jobs) p.set('job', o.jobs);
    if (o.user) p.set('user', o.user);
    if (o.account) p.set('account', o.account);
    if (o.partition) p.set('partition', o.partition);
    if (o.state) p.set('state', parseStateFilter(o.state).join(','));
    const r = await client.call('accounting', {}, undefined, p);
    if (o.json) return printJson(r);
    print(renderAcct(r.jobs, cols, o.parsable2 ? 'parsable2' : o.csv ? 'csv' : 'table', o.parsable2 || o.csv ? null : outputWidth()));
    if (r.truncated) process.stderr.write('gsched: more jobs match than were listed; narrow the query (-S, -u, -A, -s)\n');
  });

  addConnectionOptions(
    program
      .command('report')
      .alias('sreport')
      .description('usage over a window: core-hours and energy per account, region or analysis class (like sreport)')
      .option('--by <what>', 'account, region or class', 'account')
      .option('-S, --starttime <time>', 'window start: now-1day, a date (default: the beginning)')
      .option('-E, --endtime <time>', 'window end (default: now)')
      .option('-P, --parsable2', 'fields separated by |')
      .option('--json', 'the report as JSON'),
  ).action(async (o: ConnectionOptions & { by: string; starttime?: string; endtime?: string; parsable2?: boolean; json?: boolean }) => {
    if (o.by !== 'account' && o.by !== 'region' && o.by !== 'class') throw new CliError(`--by ${o.by}: expected account, region or class`, 2);
    const client = ApiClient.fromOptions(o);
    const p = await windowOf(client, o);
    p.set('by', o.by);
    const r = await client.call('usageReport', {}, undefined, p);
    if (o.json) return printJson(r);
    const total = r.rows.reduce((s, x) => s + x.coreHours, 0);
    const cols: Column[] = [{ header: o.by === 'account' ? 'Account' : o.by === 'region' ? 'Region' : 'Class' }, { header: 'Jobs', align: 'right' }, { header: 'CoreHours', align: 'right' }, { header: 'Share', align: 'right' }, { header: 'EnergyKWh', align: 'right' }];
    const rows = r.rows.map((x) => [x.key, String(x.jobs), x.coreHours.toFixed(2), total === 0 ? '0.0%' : `${((100 * x.coreHours) / total).toFixed(1)}%`, x.energyKWh.toFixed(3)]);
    if (!o.parsable2) print(reportTitle(r.start, r.end, o.by));
    print(o.parsable2 ? [cols.map((c) => c.header), ...rows].map((x) => x.join('|')).join('\n') : renderTable(cols, rows, { width: outputWidth() }));
  });

  addConnectionOptions(
    program
      .command('share')
      .alias('sshare')
      .description('Fair Tree fair-share: each account\'s shares, decayed usage and factor (like sshare)')
      .option('--json', 'the accounts as JSON'),
  ).action(async (o: ConnectionOptions & { json?: boolean }) => {
    const r = await ApiClient.fromOptions(o).call('fairshare');
    if (o.json) return printJson(r);
    const depth = new Map<string, number>();
    const parentOf = new Map(r.accounts.map((a) => [a.account, a.parent]));
    const level = (a: string): number => {
      const known = depth.get(a);
      if (known !== undefined) return known;
      const p = parentOf.get(a);
      const d = p === null || p === undefined || p === 'root' ? 0 : level(p) + 1;
      depth.set(a, d);
      return d;
    };
    const cols: Column[] = [{ header: 'Account' }, { header: 'RawShares', align: 'right' }, { header: 'RawUsage', align: 'right' }, { header: 'FairShare', align: 'right' }];
    const rows = r.accounts.map((a) => [`${' '.repeat(level(a.account))}${a.account}`, formatNumber(a.shares), String(Math.round(a.usageCoreMs / 1000)), a.factor.toFixed(6)]);
    print(renderTable(cols, rows, { width: outputWidth() }));
  });

  addConnectionOptions(
    program
      .command('prio')
      .alias('sprio')
      .description('every pending job\'s priority and its weighted factors (like sprio)')
      .option('-u, --user <owner>', 'only this owner\'s jobs')
      .option('-A, --account <account>', 'only this account\'s jobs')
      .option('-j, --jobs <ids>', 'only these jobs, e.g. 12,120 or 120_3 (an array\'s id: every pending element)')
      .option('--json', 'the jobs\' breakdowns as JSON'),
  ).action(async (o: ConnectionOptions & { user?: string; account?: string; jobs?: string; json?: boolean }) => {
    const wanted = o.jobs === undefined ? null : jobIdMatcher(o.jobs);
    const listed = await ApiClient.fromOptions(o).allJobs({ state: ['PENDING'], ...(o.user ? { owner: o.user } : {}), ...(o.account ? { account: o.account } : {}) });
    const jobs = wanted === null ? listed.jobs : listed.jobs.filter(wanted);
    if (o.json) return printJson(jobs.map((j) => ({ jobId: j.displayId, user: j.owner, account: j.account, ...j.priority, nice: j.nice })));
    const cols: Column[] = ['JOBID', 'USER', 'ACCOUNT', 'PRIORITY', 'AGE', 'FAIRSHARE', 'QOS', 'PARTITION', 'JOBSIZE', 'NICE'].map((h, i) => ({ header: h, align: i >= 3 ? 'right' : 'left' }));
    const f = (x: number): string => x.toFixed(0);
    const rows = jobs.map((j) => [j.displayId, j.owner, j.account, f(j.priority.total), f(j.priority.age), f(j.priority.fairshare), f(j.priority.qos), f(j.priority.partition), f(j.priority.size), String(j.nice)]);
    print(renderTable(cols, rows, { width: outputWidth() }));
  });
}
