// Job control, Slurm-named: hold / uhold / release, requeue / requeuehold, update JOB
// key=value..., top. Each is a gsched command and a `gsched scontrol <verb>`; an array's own id
// addresses every element. One failure does not stop the other ids; the exit code says so.
import type { Command } from 'commander';
import type { ControlReply, JobUpdate } from '../../contract/index.js';
import { ApiClient, addConnectionOptions, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { parseTimeLimit } from '../format/units.js';
import { print, printJson } from '../output.js';
import { parseDependencySpec, resolveDependencyElements } from '../submit/spec.js';
import { scontrolOf } from './show.js';

const JOB_ID = /^\d+(?:_\d+)?$/;

type Verb = 'hold' | 'uhold' | 'release' | 'requeue' | 'requeuehold' | 'top';

const VERBS: Record<Verb, { describe: string; done: string; call(c: ApiClient, id: string): Promise<ControlReply> }> = {
  // No kind: the scheduler holds as the token may, an operator's hold for an operator, the owner's for a submitter.
  hold: { describe: 'hold pending jobs (an operator\'s hold, JobHeldAdmin; a submitter\'s token holds as the owner, JobHeldUser)', done: 'held', call: (c, id) => c.call('holdJob', { id }, {}) },
  uhold: { describe: 'hold pending jobs as their owner (JobHeldUser)', done: 'held', call: (c, id) => c.call('holdJob', { id }, { kind: 'user' }) },
  release: { describe: 'release held jobs', done: 'released', call: (c, id) => c.call('releaseJob', { id }, {}) },
  requeue: { describe: 'stop running jobs and queue them again', done: 'requeued', call: (c, id) => c.call('requeueJob', { id }, {}) },
  requeuehold: { describe: 'requeue jobs and hold them (JobHeldAdmin)', done: 'requeued and held', call: (c, id) => c.call('requeueJob', { id }, { hold: true }) },
  top: { describe: 'put pending jobs first in the queue (operators)', done: 'moved to the top', call: (c, id) => c.call('topJob', { id }) },
};

function summary(id: string, verb: string, r: ControlReply): string {
  const states = r.jobs.map((j) => (j.state === 'PENDING' ? `PD ${j.reason}` : j.state)).filter((s, i, a) => a.indexOf(s) === i);
  const what = r.applied > 1 ? `array job ${id} (${r.applied} elements)` : `job ${id}`;
  return `${what} ${verb}: ${states.join(', ')}`;
}

/** Runs `run` for each id, prints per id, and fails with exit 1 naming the ids that failed. */
async function eachId(ids: string[], opts: { json?: boolean; quiet?: boolean }, verb: string, run: (id: string) => Promise<ControlReply>, done: string): Promise<void> {
  const bad = ids.filter((id) => !JOB_ID.test(id));
  if (bad.length > 0) throw new CliError(`${verb} ${bad.join(' ')}: expected job ids like 123 or 120_3`, 2);
  const failed: string[] = [];
  const out: unknown[] = [];
  for (const id of ids) {
    try {
      const r = await run(id);
      out.push({ id, ...r });
      if (!opts.json && !opts.quiet) print(summary(id, done, r));
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode === 3) throw err;
      out.push({ id, error: err.message });
      if (!opts.json) process.stderr.write(`gsched: ${verb} ${id}: ${err.message}\n`);
      failed.push(id);
    }
  }
  if (opts.json) printJson(out);
  if (failed.length > 0) throw new CliError(`could not ${verb} job${failed.length > 1 ? 's' : ''} ${failed.join(', ')}`, 1);
}

/** `TimeLimit=1:00:00 QOS=urgent Nice=100 Dependency=afterok:12 ArrayTaskThrottle=2 StartTime=now+1hour`, Slurm's keys. */
export function parseUpdate(pairs: string[], now: number): JobUpdate {
  const u: JobUpdate = {};
  if (pairs.length === 0) throw new CliError('update: give one or more key=value pairs, e.g. TimeLimit=2:00:00 QOS=urgent Nice=100', 2);
  for (const p of pairs) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(p);
    if (!m) throw new CliError(`update ${p}: expected key=value, e.g. TimeLimit=2:00:00`, 2);
    const key = (m[1] as string).toLowerCase();
    const value = m[2] as string;
    switch (key) {
      case 'timelimit': {
        const ms = parseTimeLimit(value);
        if (ms === null) throw new CliError(`update TimeLimit=${value}: expected a time limit like 30, 30:00, 4:00:00 or 2-12:00`, 2);
        u.timeLimitMs = ms;
        break;
      }
      case 'qos':
        u.qos = value;
        break;
      case 'partition':
        u.partition = value;
        break;
      case 'nice': {
        if (!/^-?\d+$/.test(value)) throw new CliError(`update Nice=${value}: expected a whole number`, 2);
        u.nice = Number(value);
        break;
      }
      case 'dependency':
      {
        const dep = value === '' ? { dependencies: [], singleton: false, any: false } : parseDependencySpec(value, 'update Dependency=');
        // The API keeps singleton from the submit only; taking the rest would drop it silently.
        if (dep.singleton) throw new CliError(`update Dependency=${value}: singleton can only be given at submit`, 2);
        u.dependencies = dep.dependencies;
        if (dep.any) u.dependencyAny = true;
      }
        break;
      case 'arraytaskthrottle':
        if (!/^\d+$/.test(value)) throw new CliError(`update ArrayTaskThrottle=${value}: expected a whole number (0 lifts the limit)`, 2);
        u.throttle = Number(value);
        break;
      case 'starttime':
      case 'begintime':
        u.beginAt = value === '' || value.toLowerCase() === 'now' ? null : parseBegin(value, now, `update ${m[1]}=${value}`);
        break;
      default:
        throw new CliError(`update ${m[1]}: not a field gsched can change; use TimeLimit, Partition, QOS, Nice, Dependency, ArrayTaskThrottle or StartTime`, 2);
    }
  }
  return u;
}

const UNIT_MS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000 };

/**
 * sbatch --begin on the scheduler's clock (`now`, which may run faster than the wall's):
 * `now+90` (seconds), `now+2hours`, `now+30min`, or an ISO date/time when the scheduler's clock
 * is the wall clock (time scale 1). `what` names the input in errors (`--start now+2x`, ...).
 */
export function parseBegin(text: string, now: number, what = `--begin ${text}`, relative = 'now+N'): number {
  const rel = /^now(?:\+(\d+)\s*([a-z]*))?$/i.exec(text.trim());
  if (rel) {
    if (rel[1] === undefined) return now;
    const unit = (rel[2] ?? '').toLowerCase();
    const per = unit === '' ? 1000 : UNIT_MS[unit];
    if (per === undefined) throw new CliError(`${what}: unknown unit "${rel[2]}" (seconds, minutes, hours or days)`, 2);
    return now + Number(rel[1]) * per;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new CliError(`${what}: expected ${relative}[seconds|minutes|hours|days] or a date like 2026-12-24T18:00`, 2);
  if (now < 1e11) throw new CliError(`${what}: this scheduler's clock is not the wall clock (time scale other than 1); use ${relative}`, 2);
  return at;
}

/** The scheduler's clock, read from any answer that carries it. */
export async function schedulerNow(client: ApiClient): Promise<number> {
  const page = await client.listJobs({ limit: 1 });
  return typeof page.now === 'number' ? page.now : Date.now();
}

function addVerb(parent: Command, verb: Verb, alias?: string): void {
  const v = VERBS[verb];
  const cmd = parent.command(verb).description(v.describe).argument('<ids...>', 'job ids, e.g. 123, 120_3, or an array\'s id for every element');
  if (alias) cmd.alias(alias);
  addConnectionOptions(cmd.option('--json', 'print the jobs as they are now, as JSON').option('-q, --quiet', 'print nothing on success')).action(
    async (ids: string[], opts: ConnectionOptions & { json?: boolean; quiet?: boolean }) => {
      const client = ApiClient.fromOptions(opts);
      await eachId(ids, opts, verb, (id) => v.call(client, id), v.done);
    },
  );
}

function addUpdate(parent: Command): void {
  addConnectionOptions(
    parent
      .command('update')
      .description('change a job: TimeLimit=, Partition=, QOS=, Nice=, Dependency=, ArrayTaskThrottle=, StartTime= (Partition, QOS and Dependency only while pending)')
      .argument('<id>', 'job id (an array\'s id changes every element)')
      .argument('<pairs...>', 'key=value pairs, Slurm\'s names')
      .option('--json', 'print the jobs as they are now, as JSON'),
  ).action(async (id: string, pairs: string[], opts: ConnectionOptions & { json?: boolean }) => {
    // `scontrol update JobId=12 TimeLimit=...` works too.
    const m = /^jobid=(.*)$/i.exec(id);
    const jobId = m ? (m[1] as string) : id;
    const client = ApiClient.fromOptions(opts);
    // Slurm's `Dependency=afterok:120_3` names an array element; the API takes its job id.
    pairs = await Promise.all(pairs.map(async (p) => (/^dependency=.*_/i.test(p) ? `Dependency=${await resolveDependencyElements(p.slice(p.indexOf('=') + 1), (e) => client.jobIdOf(e), 'update Dependency=')}` : p)));
    const changes = parseUpdate(pairs, pairs.some((p) => /^(start|begin)time=/i.test(p)) ? await schedulerNow(client) : 0);
    await eachId([jobId], opts, 'update', (one) => client.call('updateJob', { id: one }, changes), 'updated');
  });
}

export function registerControlCommands(program: Command): void {
  const scontrol = scontrolOf(program);
  for (const verb of Object.keys(VERBS) as Verb[]) {
    addVerb(program, verb);
    addVerb(scontrol, verb);
  }
  addUpdate(program);
  addUpdate(scontrol);
}
