// gsched analysis submit: one analysis from its pipeline template (POST /api/v1/analyses):
// the class names the DAG, the pseudonyms the patients whose data it reads.
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type AnalysisBody, type ConnectionOptions } from '../client.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

interface AnalysisOptions extends ConnectionOptions {
  class: string;
  pseudonyms: string;
  account?: string;
  lab?: string;
  name?: string;
  seed?: string;
  json?: boolean;
}

/** The request body from the flags; bad flags are a usage error (exit 2) naming the flag. */
export function analysisBody(o: Pick<AnalysisOptions, 'class' | 'pseudonyms' | 'account' | 'lab' | 'name' | 'seed'>): AnalysisBody {
  const pseudonyms = o.pseudonyms.split(',').map((p) => p.trim());
  if (pseudonyms.some((p) => p === '')) throw new CliError(`--pseudonyms ${JSON.stringify(o.pseudonyms)}: expected pseudonyms separated by commas, e.g. P1,P2,P3`, 2);
  const body: AnalysisBody = { class: o.class, pseudonyms };
  if (o.lab !== undefined) {
    if (o.lab !== 'east' && o.lab !== 'west') throw new CliError(`--lab ${o.lab}: expected east or west`, 2);
    body.lab = o.lab;
  }
  if (o.account !== undefined) body.account = o.account;
  if (o.name !== undefined) body.name = o.name;
  if (o.seed !== undefined) {
    const seed = Number(o.seed);
    if (!/^\d+$/.test(o.seed) || !Number.isSafeInteger(seed)) throw new CliError(`--seed ${o.seed}: expected a non-negative integer`, 2);
    body.seed = seed;
  }
  return body;
}

export function registerAnalysisCommands(program: Command): void {
  const analysis = program.command('analysis').description('analyses from pipeline templates (wgs-single, wgs-trio, wgs-rapid, wgs-tumour-normal, exome, panel, …)');
  addConnectionOptions(
    analysis
      .command('submit')
      .description('submit one analysis: its class picks the DAG, QoS and partition')
      .requiredOption('--class <class>', 'analysis class, e.g. wgs-trio')
      .requiredOption('--pseudonyms <list>', 'patient pseudonyms, comma-separated (a trio: proband,mother,father)')
      .option('-A, --account <account>', "account to charge (default: the lab's genetics or oncology department)")
      .option('--lab <lab>', 'sequencing lab: east or west (default east)')
      .option('-J, --name <name>', 'job name (default <class>-<first pseudonym>)')
      .option('--seed <n>', 'seed of the modelled run times (default: the nominal analysis)')
      .option('--json', 'print the reply as JSON'),
  ).action(async (opts: AnalysisOptions) => {
    const body = analysisBody(opts);
    const r = await ApiClient.fromOptions(opts).submitAnalysis(body);
    if (opts.json) printJson(r);
    else print(`Submitted ${body.class} analysis as job ${r.displayIds[0] ?? r.jobIds[0]}`);
  });
}
