// Turns what the operator typed (flags and #GSCHED lines, still strings) into a JobSpec.
// Pure apart from reading defaults from the environment it is handed. Every refusal is a
// CliError with exit code 2 naming the flag and the form expected.
import { isAbsolute, resolve } from 'node:path';
import type { Dependency, DependencyKind, JobCommand, JobSpec, Purpose, TaskSpec } from '../../contract/index.js';
import { looksLikeCpr, parseArraySpec as parseCoreArraySpec } from '../../scheduler/core/index.js';
import { CliError } from '../errors.js';
import { parseMemMb, parseTimeLimit } from '../format/units.js';

/** Submit options as strings, the way commander and the script parser hand them over. */
export interface SubmitFlags {
  name?: string;
  account?: string;
  partition?: string;
  qos?: string;
  purpose?: string;
  pseudonym?: string[];
  cores?: string;
  mem?: string;
  time?: string;
  tasks?: string;
  array?: string;
  dependency?: string;
  owner?: string;
  duration?: string;
  kernel?: string;
  class?: string;
  /** sbatch's --wrap: a command line run by /bin/sh. */
  wrap?: string;
  output?: string;
  error?: string;
  chdir?: string;
  hold?: boolean;
  /** sbatch --begin, already turned into the scheduler's clock by the caller. */
  beginAt?: number;
  nice?: string;
  reservation?: string;
}

export const SUBMIT_DEFAULTS = {
  partition: 'clinical',
  qos: 'normal',
  cores: 1,
  memMb: 1000,
  tasks: 1,
  name: 'job',
};

const MAX_TASKS = 100_000;
const MAX_CORES = 4096;

/** `--mem 4X: expected ...`; a flag given as `Key=` (scontrol update) joins its value: `Dependency=x`. */
function bad(flag: string, value: string, expected: string): CliError {
  return new CliError(`${flag}${flag.endsWith('=') ? '' : ' '}${value}: expected ${expected}`, 2);
}

function positiveInt(flag: string, value: string, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw bad(flag, value, `a whole number from 1 to ${max}`);
  return n;
}

const DEP_KINDS: readonly DependencyKind[] = ['after', 'afterany', 'afterok', 'afternotok', 'aftercorr'];

/**
 * Slurm's --dependency: `afterok:12,afterany:13:14` (all of them), `afterok:12?afternotok:13`
 * (any one of them), `singleton`, or a mix of `,` lists with singleton. Kinds: after, afterany,
 * afterok, afternotok, aftercorr (an array's id: element i waits for its element i).
 */
export function parseDependencySpec(text: string, flag = '--dependency'): { dependencies: Dependency[]; singleton: boolean; any: boolean } {
  const expected = 'a list like afterok:12,afterany:13 (all), afterok:12?afterok:13 (any one) or singleton';
  const any = text.includes('?');
  if (any && text.includes(',')) throw bad(flag, text, `${expected}; "," and "?" cannot be mixed`);
  const dependencies: Dependency[] = [];
  let singleton = false;
  for (const part of text.split(any ? '?' : ',')) {
    const p = part.trim();
    if (p === 'singleton') {
      if (any) throw bad(flag, text, `${expected}; singleton cannot be one of "?" alternatives`);
      singleton = true;
      continue;
    }
    const [kind, ...ids] = p.split(':');
    if (!DEP_KINDS.includes(kind as DependencyKind)) throw bad(flag, text, `${expected} (kinds: ${DEP_KINDS.join(', ')})`);
    if (ids.length === 0) throw bad(flag, text, expected);
    for (const id of ids) {
      if (!/^\d+$/.test(id) || !Number.isSafeInteger(Number(id)) || Number(id) < 1) {
        throw bad(flag, text, `${expected} (job ids like 12, or array elements like 120_3)`);
      }
      dependencies.push({ kind: kind as DependencyKind, jobId: Number(id) });
    }
  }
  return { dependencies, singleton, any: any && dependencies.length > 1 };
}

/**
 * Slurm names an array element `120_3` in a dependency; the API takes job ids. Rewrites each
 * `ID_INDEX` in a --dependency text to the element's id, asking the scheduler (`lookup`); an
 * element it does not know is bad input, named.
 */
export async function resolveDependencyElements(text: string, lookup: (displayId: string) => Promise<number | null>, flag = '--dependency'): Promise<string> {
  const elements = [...new Set(text.match(/\b\d+_\d+\b/g) ?? [])];
  let out = text;
  for (const e of elements) {
    const id = await lookup(e);
    if (id === null) throw bad(flag, text, `a dependency on jobs that exist (no job ${e})`);
    out = out.replace(new RegExp(`\\b${e}\\b`, 'g'), String(id));
  }
  return out;
}

export interface ArraySpec {
  indices: number[];
  /** How many elements may run at once (`%N`); null when unlimited. */
  limit: number | null;
}

/** `0-9`, `1,3,5-7`, `0-20:5`, each optionally with `%N` (the core's grammar, so the CLI
 *  refuses exactly what the scheduler would). Indices come back sorted and without repeats. */
export function parseArraySpec(text: string): ArraySpec {
  const parsed = parseCoreArraySpec(text.replace(/\s+/g, ''));
  if (typeof parsed === 'string') throw bad('--array', text, `indices like 0-9, 1,3,5-7, 0-20:5 or 0-99%10 (${parsed})`);
  if (parsed.indices.length > MAX_TASKS + 1) throw bad('--array', text, `at most ${MAX_TASKS + 1} elements`);
  return { indices: parsed.indices, limit: Number.isFinite(parsed.limit) ? parsed.limit : null };
}

/** A modelled run time for no-op kernels: `0`, `250ms`, `5s`, or a Slurm time like `1:30`. */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  const m = /^(\d+)(ms|s)?$/.exec(t);
  if (m && (m[2] !== undefined || m[1] === '0')) return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  const ms = parseTimeLimit(t);
  if (ms === null) throw bad('--duration', text, 'a run time like 0, 250ms, 5s or 1:30');
  return ms;
}


export interface SpecContext {
  /** Environment for GSCHED_ACCOUNT. */
  env: NodeJS.ProcessEnv;
  /** Name used when --name is not given (the script's file name, or `job`). */
  defaultName: string;
  /** The batch script's text, when one was given: if it holds commands, they are the job's command. */
  script?: string;
  /** Where relative --chdir paths start, and the working directory when none is given (sbatch's submit directory). */
  cwd?: string;
}

/** True if a script has a line that is neither blank nor a comment (`#GSCHED` lines are comments). */
export function hasCommands(script: string): boolean {
  return script.split(/\r?\n/).some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/** The command the job runs, from a script with commands or --wrap; null for a simulated job. */
function jobCommand(f: SubmitFlags, ctx: SpecContext): JobCommand | null {
  if (f.wrap !== undefined && ctx.script !== undefined) throw new CliError('--wrap and a script file are mutually exclusive: give one', 2);
  let script: string | null = null;
  if (f.wrap !== undefined) {
    if (f.wrap.trim() === '') throw new CliError('--wrap: expected a command line, e.g. --wrap "hostname"', 2);
    script = `#!/bin/sh\n# This script was created by gsched submit --wrap.\n${f.wrap}\n`;
  } else if (ctx.script !== undefined && hasCommands(ctx.script)) {
    script = ctx.script;
  }
  if (script === null) {
    const given = (['output', 'error', 'chdir'] as const).find((k) => f[k] !== undefined);
    if (given) throw new CliError(`--${given} applies to a job that runs a command: submit a script with commands, or use --wrap "cmd"`, 2);
    return null;
  }
  if (f.kernel !== undefined && f.kernel !== 'exec') {
    throw new CliError(`--kernel ${f.kernel}: a job with a command runs it (kernel exec); drop --kernel, or submit without commands to run the ${f.kernel} kernel`, 2);
  }
  const cwd = ctx.cwd ?? process.cwd();
  const chdir = f.chdir === undefined ? cwd : isAbsolute(f.chdir) ? f.chdir : resolve(cwd, f.chdir);
  // Slurm's SLURM_SUBMIT_DIR is where sbatch ran, whatever --chdir says.
  const cmd: JobCommand = { script, chdir, submitDir: cwd };
  for (const k of ['output', 'error'] as const) {
    const v = f[k];
    if (v === undefined) continue;
    if (v.trim() === '') throw new CliError(`--${k}: expected a file name pattern like gsched-%j.${k === 'output' ? 'out' : 'err'}`, 2);
    cmd[k] = v;
  }
  return cmd;
}

export function buildJobSpec(f: SubmitFlags, ctx: SpecContext): JobSpec {
  const account = f.account ?? ctx.env.GSCHED_ACCOUNT;
  if (account === undefined || account.trim() === '') {
    throw new CliError('--account is required (or set GSCHED_ACCOUNT), e.g. --account rh-genetics', 2);
  }
  // Absent, the scheduler derives it from the partition and account (research there is research).
  const purpose = f.purpose;
  if (purpose !== undefined && purpose !== 'treatment' && purpose !== 'research') throw bad('--purpose', purpose, 'treatment or research');

  const pseudonyms = (f.pseudonym ?? []).map((p) => p.trim());
  for (const p of pseudonyms) {
    if (p === '') throw new CliError('--pseudonym: expected a non-empty pseudonym', 2);
    // A CPR number must never be sent as a pseudonym, nor echoed back: the error names the flag only.
    if (looksLikeCpr(p)) throw new CliError('--pseudonym: that looks like a CPR number; pass the patient\'s pseudonym, never the CPR number', 2);
  }

  const cores = f.cores === undefined ? SUBMIT_DEFAULTS.cores : positiveInt('--cores', f.cores, MAX_CORES);
  let memMb = SUBMIT_DEFAULTS.memMb;
  if (f.mem !== undefined) {
    const mb = parseMemMb(f.mem);
    if (mb === null) throw bad('--mem', f.mem, 'a size like 4G or 500M');
    memMb = mb;
  }
  let timeLimitMs: number | undefined;
  if (f.time !== undefined) {
    const ms = parseTimeLimit(f.time);
    if (ms === null) throw bad('--time', f.time, 'a time limit like 30, 30:00, 4:00:00, 2-00 or 2-12:00');
    timeLimitMs = ms;
  }
  const taskCount = f.tasks === undefined ? SUBMIT_DEFAULTS.tasks : positiveInt('--tasks', f.tasks, MAX_TASKS);
  const durationMs = f.duration === undefined ? undefined : parseDurationMs(f.duration);

  const command = jobCommand(f, ctx);
  const task: TaskSpec = { cores, memMb };
  if (timeLimitMs !== undefined) task.timeLimitMs = timeLimitMs;
  if (durationMs !== undefined) task.durationMs = durationMs;
  if (command !== null) task.kernel = 'exec';
  else if (f.kernel !== undefined) task.kernel = f.kernel;
  const tasks: TaskSpec[] = Array.from({ length: taskCount }, () => ({ ...task }));

  const name = f.name ?? ctx.defaultName;
  if (name.trim() === '') throw new CliError('--name: expected a non-empty name', 2);
  // The owner is the token's identity unless --owner names another (admins and operators may).
  const owner = f.owner;
  if (owner !== undefined && owner.trim() === '') throw new CliError('--owner: expected a non-empty owner', 2);

  const spec: JobSpec = {
    name,
    account,
    partition: f.partition ?? SUBMIT_DEFAULTS.partition,
    qos: f.qos ?? SUBMIT_DEFAULTS.qos,
    pseudonyms,
    tasks,
  };
  if (owner !== undefined) spec.owner = owner;
  if (purpose !== undefined) spec.purpose = purpose;
  if (f.dependency !== undefined) {
    const dep = parseDependencySpec(f.dependency);
    if (dep.dependencies.length > 0) spec.dependencies = dep.dependencies;
    if (dep.any) spec.dependencyAny = true;
    if (dep.singleton) spec.singleton = true;
  }
  if (f.array !== undefined) {
    parseArraySpec(f.array); // refuse bad syntax here, with the flag named; the scheduler expands it
    spec.array = f.array.replace(/\s+/g, '');
  }
  if (f.class !== undefined) spec.class = f.class;
  if (command !== null) spec.command = command;
  if (f.hold === true) spec.hold = true;
  if (f.reservation !== undefined) spec.reservation = f.reservation;
  if (f.beginAt !== undefined) spec.beginAt = f.beginAt;
  if (f.nice !== undefined) {
    if (!/^-?\d{1,7}$/.test(f.nice.trim())) throw bad('--nice', f.nice, 'a whole number, e.g. 100 (negative raises the priority; operators only)');
    spec.nice = Number(f.nice);
  }
  return spec;
}
