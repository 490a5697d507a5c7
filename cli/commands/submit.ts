// gsched submit: the sbatch of gsched. Options come from flags and from the script's
// leading `#GSCHED` lines; flags win.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type SubmitResponse } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';
import { parseDirectives } from '../submit/directives.js';
import { buildJobSpec, resolveDependencyElements, type SubmitFlags } from '../submit/spec.js';
import { parseBegin, schedulerNow } from './control.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The job options shared by the command line and `#GSCHED` lines (sbatch's short forms included). */
function addJobOptions(cmd: Command): Command {
  return cmd
    .option('-J, --name <name>', 'job name (default: the script file name)')
    .option('-A, --account <account>', 'account to charge (env GSCHED_ACCOUNT)')
    .option('-p, --partition <partition>', 'partition (default clinical)')
    .option('-q, --qos <qos>', 'quality of service: urgent, normal, low (default normal)')
    .option('--purpose <purpose>', 'treatment or research (default: research on a research partition or account, else treatment; a contradiction is refused)')
    .option('--pseudonym <pseudonym>', 'patient pseudonym the job reads (repeatable; never a CPR number)', collect)
    .option('-c, --cores <n>', 'cores per task (default 1)')
    .option('--mem <size>', 'memory per task, e.g. 4G or 500M (default 1000M)')
    .option('-t, --time <limit>', 'time limit per task: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM (default: the partition default)')
    .option('-n, --tasks <n>', 'number of tasks (default 1)')
    .option('-a, --array <indices>', 'job array, e.g. 0-9, 1,3,5-7 or 0-99%10')
    .option('-d, --dependency <list>', 'e.g. afterok:12,afterany:13 or singleton')
    .option('--owner <owner>', 'owner (default: the token\'s identity; only admin and operator tokens may name another)')
    .option('--duration <time>', 'modelled run time for no-op kernels, e.g. 0, 250ms, 5s, 1:30')
    .option('--kernel <kernel>', 'which kernel the agent runs for each task (a job with a command runs "exec")')
    .option('--class <label>', 'free-form workload label, e.g. wgs-trio')
    .option('--wrap <command>', 'run this command line with /bin/sh instead of a script')
    .option('-o, --output <pattern>', 'standard output file (%j job id, %A array id, %a index, %x name, %u user, %N node, %t task); default gsched-%j.out')
    .option('-e, --error <pattern>', 'standard error file (default: with the output)')
    .option('-D, --chdir <dir>', 'working directory of the command (default: the current directory)')
    .option('-H, --hold', 'submit held: it waits (JobHeldUser) until gsched release')
    .option('-b, --begin <time>', 'do not start before: now+90 (seconds), now+2hours, now+30min, or a date like 2026-12-24T18:00')
    .option('--nice <n>', 'lower the priority by n points (negative raises it)')
    .option('--reservation <name>', 'run in this advance reservation: on its nodes, in its window');
}

/** Parses each `#GSCHED` line with the same option definitions as the command line. */
export function flagsFromScript(text: string, file: string): SubmitFlags {
  const merged: SubmitFlags = {};
  for (const d of parseDirectives(text)) {
    const cmd = addJobOptions(new Command('gsched-script'))
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} })
      .allowExcessArguments(false);
    try {
      cmd.parse(d.args, { from: 'user' });
    } catch (err) {
      const msg = err instanceof CommanderError ? err.message.replace(/^error: /, '') : String(err);
      throw new CliError(`${file} line ${d.line}: #GSCHED ${msg}`, 2);
    }
    const o = cmd.opts<SubmitFlags>();
    Object.assign(merged, o, o.pseudonym ? { pseudonym: [...(merged.pseudonym ?? []), ...o.pseudonym] } : {});
  }
  return merged;
}

export function submittedMessage(r: SubmitResponse, array: boolean): string {
  const first = r.displayIds[0];
  const last = r.displayIds[r.displayIds.length - 1];
  if (array && first !== undefined && last !== undefined && first.includes('_')) {
    const arrayId = first.slice(0, first.indexOf('_'));
    return `Submitted array job ${arrayId} (${first}..${last})`;
  }
  if (r.displayIds.length > 1) return `Submitted jobs ${r.displayIds.join(' ')}`;
  return `Submitted job ${first ?? r.jobIds[0] ?? '?'}`;
}

interface SubmitOptions extends SubmitFlags, ConnectionOptions {
  json?: boolean;
  parsable?: boolean;
}

export function registerSubmitCommands(program: Command): void {
  const cmd = program
    .command('submit')
    .alias('sbatch')
    .description('submit a job (like sbatch); a script may carry options on leading #GSCHED lines')
    .argument('[script]', 'batch script whose leading #GSCHED lines hold options');
  addJobOptions(cmd);
  addConnectionOptions(cmd)
    .option('--json', 'print the scheduler\'s response as JSON')
    .option('--parsable', 'print only the job id (the array job id for arrays)')
    .action(async (script: string | undefined, opts: SubmitOptions) => {
      let fromScript: SubmitFlags = {};
      let text: string | undefined;
      if (script !== undefined) {
        try {
          text = readFileSync(script, 'utf8');
        } catch (err) {
          throw new CliError(`cannot read script ${script}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
        }
        fromScript = flagsFromScript(text, script);
      }
      const { json, parsable, url, token, state, stateDir, timeout, ...flags } = opts;
      // --begin is read against the scheduler's clock, which only the scheduler can tell.
      const { begin, ...rest } = flags as SubmitFlags & { begin?: string };
      const { begin: scriptBegin, ...scriptRest } = fromScript as SubmitFlags & { begin?: string };
      fromScript = scriptRest;
      const beginText = begin ?? scriptBegin;
      const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as SubmitFlags;
      if (beginText !== undefined) {
        given.beginAt = parseBegin(beginText, await schedulerNow(ApiClient.fromOptions({ url, token, state, stateDir, timeout })));
      }
      // Slurm's `afterok:120_3` names an array element; the API takes its job id.
      for (const f of [fromScript, given]) {
        if (f.dependency?.includes('_')) {
          const client = ApiClient.fromOptions({ url, token, state, stateDir, timeout });
          f.dependency = await resolveDependencyElements(f.dependency, (e) => client.jobIdOf(e));
        }
      }
      const spec = buildJobSpec({ ...fromScript, ...given }, {
        env: process.env,
        defaultName: script === undefined ? 'job' : basename(script),
        ...(text !== undefined ? { script: text } : {}),
        cwd: process.cwd(),
      });
      const res = await ApiClient.fromOptions({ url, token, state, stateDir, timeout }).submit(spec);
      if (json) return printJson(res);
      if (parsable) {
        const first = res.displayIds[0] ?? String(res.jobIds[0] ?? '');
        return print(spec.array !== undefined && first.includes('_') ? first.slice(0, first.indexOf('_')) : first);
      }
      print(submittedMessage(res, spec.array !== undefined));
    });
}
