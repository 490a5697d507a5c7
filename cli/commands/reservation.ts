// gsched reservation create|list|delete: advance reservations, as Slurm's scontrol
// create/show/delete reservation (also under `gsched scontrol`; `show reservation` prints them
// as scontrol show reservation does). Times are on the
// scheduler's clock: --start now+1hour, or a date when it runs at time scale 1.
import type { Command } from 'commander';
import { outputWidth, renderTable, type Column } from '../../common/index.js';
import type { ROUTES, ReplyOf } from '../../contract/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { compressHostlist, expandHostlist } from '../format/hostlist.js';
import { formatInstant } from '../format/show.js';
import { formatDuration, parseTimeLimit } from '../format/units.js';
import { print, printJson } from '../output.js';
import { parseBegin, schedulerNow } from './control.js';
import { scontrolOf } from './show.js';

type ReservationView = ReplyOf<typeof ROUTES.createReservation>;

const FLAGS = ['maint', 'ignore_jobs'] as const;

interface CreateOptions extends ConnectionOptions {
  name: string;
  nodes?: string;
  cores?: string;
  start: string;
  duration: string;
  flags?: string;
  accounts?: string;
  json?: boolean;
}

/** The request body from the flags; `now` is the scheduler's clock (for now+N starts). */
export function reservationRequest(o: Omit<CreateOptions, keyof ConnectionOptions | 'json'>, now: number): Record<string, unknown> {
  if ((o.nodes === undefined) === (o.cores === undefined)) throw new CliError('reservation create: give --nodes (e.g. c1-n[001-004]) or --cores N', 2);
  const body: Record<string, unknown> = { name: o.name };
  if (o.nodes !== undefined) {
    const nodes = o.nodes.split(/,(?![^[]*\])/).flatMap((part) => expandHostlist(part.trim()));
    if (nodes.length === 0 || nodes.some((n) => n === '')) throw new CliError(`--nodes ${o.nodes}: expected node names like c1-n001,c1-n002 or c1-n[001-004]`, 2);
    body.nodes = nodes;
  }
  if (o.cores !== undefined) {
    if (!/^\d{1,9}$/.test(o.cores) || Number(o.cores) < 1) throw new CliError(`--cores ${o.cores}: expected a whole number of at least 1`, 2);
    body.cores = Number(o.cores);
  }
  body.startAt = o.start === 'now' ? now : parseBegin(o.start, now, `--start ${o.start}`);
  const duration = parseTimeLimit(o.duration);
  if (duration === null) throw new CliError(`--duration ${o.duration}: expected a time like 30, 4:00:00 or 2-00`, 2);
  body.durationMs = duration;
  for (const f of (o.flags ?? '').split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '')) {
    if (!(FLAGS as readonly string[]).includes(f)) throw new CliError(`--flags ${o.flags}: unknown flag ${f} (flags: ${FLAGS.join(', ')})`, 2);
    body[f === 'maint' ? 'maint' : 'ignoreJobs'] = true;
  }
  if (o.accounts !== undefined) body.accounts = o.accounts.split(',').map((a) => a.trim()).filter((a) => a !== '');
  return body;
}

function line(r: ReservationView): string {
  const flags = [r.maint ? 'MAINT' : null, r.ignoreJobs ? 'IGNORE_JOBS' : null].filter((f) => f !== null).join(',');
  return `ReservationName=${r.name} StartTime=${formatInstant(r.startAt)} EndTime=${formatInstant(r.endAt)} Duration=${formatDuration(r.endAt - r.startAt)} Nodes=${compressHostlist(r.nodes)} CoreCnt=${r.cores} Flags=${flags || '(null)'} Accounts=${r.accounts.join(',') || '(null)'} State=${r.state}`;
}

const COLUMNS: Column[] = [
  { header: 'RESV_NAME', shrink: true },
  { header: 'STATE' },
  { header: 'START_TIME' },
  { header: 'END_TIME' },
  { header: 'DURATION', align: 'right' },
  { header: 'CORES', align: 'right' },
  { header: 'NODELIST', shrink: true },
  { header: 'FLAGS' },
  { header: 'ACCOUNTS', shrink: true },
  { header: 'JOBS', align: 'right' },
];

/** `show reservation [NAME]` (scontrol show reservation): one scontrol record per reservation. */
function addShowReservation(show: Command): void {
  addConnectionOptions(
    show
      .command('reservation')
      .description('advance reservations as scontrol records (every one without a name)')
      .argument('[name]', 'the reservation')
      .option('--json', 'print the reservation (without a name: the list) as JSON'),
  ).action(async (resv: string | undefined, opts: ConnectionOptions & { json?: boolean }) => {
    const { reservations } = await ApiClient.fromOptions(opts).call('listReservations');
    const picked = resv === undefined ? reservations : reservations.filter((r) => r.name === resv);
    if (resv !== undefined && picked.length === 0) throw new CliError(`no reservation ${resv} (gsched reservation list shows them)`, 1);
    if (opts.json) return printJson(resv === undefined ? picked : picked[0]);
    print(picked.length === 0 ? 'No reservations in the system' : picked.map(line).join('\n'));
  });
}

function addReservation(parent: Command, name: string): void {
  const cmd = parent.command(name).description('advance reservations: create, list (or show), delete; scontrol show reservation prints them as scontrol does');
  addConnectionOptions(
    cmd
      .command('create')
      .description('hold nodes or a core count over a window for some accounts, or for maintenance')
      .requiredOption('--name <name>', 'its name, e.g. maint-c1')
      .option('--nodes <list>', 'nodes, e.g. c1-n001,c1-n002 or c1-n[001-004]')
      .option('--cores <n>', 'a core count instead: whole nodes free by the start are picked')
      .requiredOption('--start <time>', 'now, now+30min, now+2hours, or a date (time scale 1)')
      .requiredOption('--duration <time>', 'how long: 30 (minutes), 4:00:00, 2-00')
      .option('--flags <list>', 'maint and/or ignore_jobs, comma separated')
      .option('--accounts <list>', 'accounts whose jobs may ask for it (required unless maint)')
      .option('--json', 'print the reservation as JSON'),
  ).action(async (opts: CreateOptions) => {
    const client = ApiClient.fromOptions(opts);
    const now = await schedulerNow(client);
    const r = await client.call('createReservation', {}, reservationRequest(opts, now));
    if (opts.json) return printJson(r);
    print(`Reservation created: ${line(r)}`);
  });
  addConnectionOptions(cmd.command('list').alias('show').description('every reservation, by start time').option('--json', 'print them as JSON')).action(
    async (opts: ConnectionOptions & { json?: boolean }) => {
      const r = await ApiClient.fromOptions(opts).call('listReservations');
      if (opts.json) return printJson(r.reservations);
      const rows = r.reservations.map((v) => [v.name, v.state, formatInstant(v.startAt), formatInstant(v.endAt), formatDuration(v.endAt - v.startAt), String(v.cores), compressHostlist(v.nodes), [v.maint ? 'MAINT' : '', v.ignoreJobs ? 'IGNORE_JOBS' : ''].filter((f) => f !== '').join(',') || '-', v.accounts.join(',') || '-', String(v.jobs)]);
      print(renderTable(COLUMNS, rows, { width: outputWidth() }).trimEnd());
    },
  );
  addConnectionOptions(cmd.command('delete').description('delete a reservation (refused while jobs asked for it)').argument('<name>', 'the reservation').option('--json', 'print what was deleted as JSON')).action(
    async (resv: string, opts: ConnectionOptions & { json?: boolean }) => {
      const r = await ApiClient.fromOptions(opts).call('deleteReservation', { name: resv });
      if (opts.json) return printJson(r);
      print(`Reservation ${r.name} deleted`);
    },
  );
}

export function registerReservationCommands(program: Command): void {
  addReservation(program, 'reservation');
  addReservation(scontrolOf(program), 'reservation');
  // Slurm's own word order, `scontrol show reservation`, beside show job and show node.
  for (const parent of [program, scontrolOf(program)]) {
    const show = parent.commands.find((c) => c.name() === 'show');
    if (show) addShowReservation(show);
  }
}
