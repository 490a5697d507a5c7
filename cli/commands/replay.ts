// gsched replay --state DIR: runs a scheduler's journal through the simulator's replay of the
// core and compares the decisions pass by pass. Exit 0 when no pass diverged, 1 at the first
// that did (printed with the live and the replayed decisions), 2 for bad input.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadClusterConfig } from '../../common/index.js';
import { isPolicy, SchedulerCore, type ClusterConfig, type Policy } from '../../scheduler/core/index.js';
import { Store } from '../../scheduler/store/index.js';
import { replayJournal, type JournalReplay } from '../../sim/index.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

interface ReplayOptions {
  state: string;
  cluster?: string;
  policy?: string;
  json?: boolean;
}

export function registerReplayCommands(program: Command): void {
  program
    .command('replay')
    .description("replay a scheduler's journal through the simulator's core and compare its decisions pass by pass")
    .requiredOption('--state <dir>', "the scheduler's state folder (it may be running)")
    .option('--cluster <file>', 'cluster config (default: the one the scheduler recorded when it started)')
    .option('--policy <policy>', 'replay under another policy (fcfs, easy, conservative) to see where it would have decided otherwise')
    .option('--json', 'print the result as JSON')
    .action((opts: ReplayOptions) => {
      const result = replay(opts);
      if (opts.json) printJson(result);
      else print(describe(result));
      const d = result.divergence;
      if (d) throw new CliError(`replay diverged at pass ${d.pass} of ${result.passes}`, 1);
    });
}

function replay(opts: ReplayOptions): JournalReplay {
  if (!existsSync(opts.state)) throw new CliError(`--state: no state folder at ${opts.state}`, 2);
  if (opts.policy !== undefined && !isPolicy(opts.policy)) throw new CliError(`--policy: expected fcfs, easy or conservative, got ${JSON.stringify(opts.policy)}`, 2);
  const store = new Store(opts.state, { readOnly: true });
  try {
    if (store.journalBase() > 0) {
      throw new CliError(`--state: the journal up to record ${store.journalBase()} was compacted into a snapshot; replay needs it from the start`, 2);
    }
    let config: ClusterConfig | undefined = opts.cluster === undefined ? recordedCluster(store) : loadClusterConfig(opts.cluster);
    if (!config) throw new CliError('--cluster: this state folder has no recorded cluster config (a scheduler older than replay); pass the file it ran with', 2);
    if (opts.policy !== undefined) config = { ...config, scheduler: { ...config.scheduler, policy: opts.policy as Policy } };
    return replayJournal((function* () {
      for (const { record } of store.replay()) yield record;
    })(), new SchedulerCore(config));
  } finally {
    void store.close();
  }
}

function recordedCluster(store: Store): ClusterConfig | undefined {
  return store.meta.get('cluster') as ClusterConfig | undefined;
}

function describe(r: JournalReplay): string {
  const counts = `${r.events.toLocaleString('en-US')} events, ${r.passes.toLocaleString('en-US')} passes (${r.compared.toLocaleString('en-US')} with recorded decisions)`;
  const d = r.divergence;
  if (!d) return `replayed ${counts}: no pass diverged`;
  if (d.kind === 'event') return `replayed ${counts}: before pass ${d.pass} (t=${d.now}) the replayed core refused a ${d.event} event the live one accepted: ${d.error}`;
  const show = (list: string[]): string => (list.length === 0 ? '    (none)' : list.map((s, i) => `  ${i === d.at ? '>' : ' '} ${s}`).join('\n'));
  return [
    `replayed ${counts}: pass ${d.pass} (t=${d.now}) diverged at decision ${d.at + 1}`,
    'live:',
    show(d.live),
    'replay:',
    show(d.replay),
  ].join('\n');
}
