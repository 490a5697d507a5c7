// gsched run: sequencing runs as a lab reports them. `run submit FILE` posts one run-completion
// marker; `run watch DIR` posts every marker dropped in a folder, as a lab's pipeline would,
// and moves each aside once the scheduler has taken it in (`.done`) or refused it (`.rejected`).
// The scheduler takes a run in once per run id, so posting a marker twice is harmless.
import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type RunBody, type RunResponse } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

/** A marker that does not parse is left alone this long (the lab may still be writing it), then refused. */
const SETTLE_MS = 5_000;

/** A marker's text as a run body; a CliError (exit 2) names what is wrong. */
export function parseMarker(text: string, file: string): RunBody {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file}: not JSON (${(err as Error).message}); a run marker is {"run", "lab", "samples": [{"pseudonym", "class"}]}`, 2);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`${file}: expected an object {"run", "lab", "samples"}`, 2);
  const o = v as Record<string, unknown>;
  if (typeof o.run !== 'string') throw new CliError(`${file}: "run" must be the run id (a string)`, 2);
  if (o.lab !== 'east' && o.lab !== 'west') throw new CliError(`${file}: "lab" must be "east" or "west"`, 2);
  if (!Array.isArray(o.samples)) throw new CliError(`${file}: "samples" must be a list of {"pseudonym", "class"}`, 2);
  // The scheduler checks each sample and names the field; the CLI only frames the request.
  return o as unknown as RunBody;
}

function summary(r: RunResponse): string {
  const head = `Run ${r.run} (${r.lab}): ${r.created ? '' : 'already taken in; '}${r.submitted} analys${r.submitted === 1 ? 'is' : 'es'} submitted, ${r.refused} refused`;
  const refused = r.analyses.filter((a) => a.error).map((a) => `  sample ${a.sample + 1} (${a.class}): ${a.error?.code}: ${a.error?.message}`);
  return [head, ...refused].join('\n');
}

export interface WatchOutcome {
  file: string;
  status: 'done' | 'rejected' | 'waiting';
  answer?: RunResponse;
  error?: string;
}

/**
 * One look at `dir`: posts each `*.json` marker in name order and renames it `.done` or
 * `.rejected`. A scheduler that cannot be reached stops the sweep (the markers stay for the next).
 */
export async function sweep(client: ApiClient, dir: string, now = Date.now()): Promise<WatchOutcome[]> {
  const out: WatchOutcome[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
  for (const f of files) {
    const path = join(dir, f);
    let body: RunBody;
    try {
      body = parseMarker(readFileSync(path, 'utf8'), path);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (now - statSync(path).mtimeMs < SETTLE_MS) {
        out.push({ file: f, status: 'waiting', error: err.message });
        continue;
      }
      renameSync(path, `${path}.rejected`);
      out.push({ file: f, status: 'rejected', error: err.message });
      continue;
    }
    try {
      const answer = await client.submitRun(body);
      renameSync(path, `${path}.done`);
      out.push({ file: f, status: 'done', answer });
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode === 3) throw err;
      renameSync(path, `${path}.rejected`);
      out.push({ file: f, status: 'rejected', error: err.message });
    }
  }
  return out;
}

interface WatchOptions extends ConnectionOptions {
  intervalMs: string;
  once?: boolean;
  json?: boolean;
}

export function registerRunCommands(program: Command): void {
  const run = program.command('run').description('sequencing runs: one analysis per sample, with the consent gate applied');
  addConnectionOptions(
    run
      .command('submit')
      .description('post one run-completion marker ({"run", "lab", "samples": [{"pseudonym", "class"}]})')
      .argument('<file>', 'the marker file (JSON)')
      .option('--json', 'print the reply as JSON'),
  ).action(async (file: string, opts: ConnectionOptions & { json?: boolean }) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
    }
    const r = await ApiClient.fromOptions(opts).submitRun(parseMarker(text, file));
    if (opts.json) printJson(r);
    else print(summary(r));
  });

  addConnectionOptions(
    run
      .command('watch')
      .description('post every run marker (*.json) dropped in DIR, then rename it .done or .rejected')
      .argument('<dir>', 'the folder the labs drop markers in')
      .option('--interval-ms <ms>', 'how often to look', '2000')
      .option('--once', 'one look, then exit (for cron or a test)')
      .option('--json', 'one JSON line per marker'),
  ).action(async (dir: string, opts: WatchOptions) => {
    const interval = Number(opts.intervalMs);
    if (!Number.isInteger(interval) || interval < 10) throw new CliError(`--interval-ms ${opts.intervalMs}: expected a whole number of milliseconds, at least 10`, 2);
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new CliError(`cannot watch ${dir}: ${(err as Error).message}`, 2);
    }
    const client = ApiClient.fromOptions(opts);
    let stop = false;
    const onSignal = (): void => {
      stop = true;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      for (;;) {
        for (const o of await sweep(client, dir)) {
          if (o.status === 'waiting') continue;
          if (opts.json) process.stdout.write(JSON.stringify(o) + '\n');
          else if (o.answer) print(`${o.file}: ${summary(o.answer)}`);
          else process.stderr.write(`gsched: ${o.file}: refused: ${o.error ?? ''}\n`);
        }
        if (opts.once || stop) return;
        await new Promise((r) => setTimeout(r, interval));
        if (stop) return;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
