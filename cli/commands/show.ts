// gsched show job ID: the scontrol show job of gsched. `gsched scontrol show job ID` is the
// same command under Slurm's name (scontrol's other verbs are added to it by their own modules).
import type { Command } from 'commander';
import { ApiClient, addConnectionOptions, type ConnectionOptions, type JobDetail, type NodeView } from '../client.js';
import { CliError } from '../errors.js';
import { formatInstant, showJob } from '../format/show.js';
import { print, printJson } from '../output.js';

type NodeReason = Awaited<ReturnType<ApiClient['nodeList']>>['reasons'][number];

/** GETs in flight at once when a job names many others (a dependency list can be long). */
const LOOKUPS_AT_ONCE = 16;

/** The elements of `first`'s array, in index order (`first` itself when the list has none). */
async function arrayElements(client: ApiClient, first: JobDetail): Promise<JobDetail[]> {
  // The scheduler answers an array's own id with its elements; an older one did not.
  if (first.elements !== undefined) return first.elements.length > 0 ? first.elements : [first];
  const { jobs } = await client.allJobs({ jobs: String(first.arrayJobId) });
  // The filter again: a scheduler that predates `jobs=` ignores it and lists every job.
  const elements = jobs.filter((j) => j.arrayJobId === first.arrayJobId).sort((a, b) => (a.arrayIndex ?? 0) - (b.arrayIndex ?? 0));
  return elements.length > 0 ? elements : [first];
}

/** scontrol show node: one record per node, with the drain or down reason when there is one. */
export function showNode(n: NodeView, reason: NodeReason | undefined): string {
  const lines = [
    `NodeName=${n.name} Container=${n.container} Kind=${n.kind} Cooling=${n.cooling}`,
    `   State=${n.state} CPUAlloc=${n.coresUsed} CPUTot=${n.cores} RealMemory=${n.memMb} AllocMem=${n.memUsedMb} Tasks=${n.tasks}`,
  ];
  if (reason) lines.push(`   Reason=${reason.reason} [${reason.by}@${reason.at === null ? 'Unknown' : formatInstant(reason.at)}]`);
  return lines.join('\n') + '\n';
}

/** Dependencies name jobs by id; an array element (not the array) reads as Slurm's `120_3` (one GET per target, a few at once). */
async function dependencyNames(client: ApiClient, jobs: JobDetail[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const ids = [...new Set(jobs.flatMap((j) => j.dependencies.map((d) => d.jobId)))];
  for (let i = 0; i < ids.length; i += LOOKUPS_AT_ONCE) {
    const chunk = ids.slice(i, i + LOOKUPS_AT_ONCE);
    const targets = await Promise.all(chunk.map((id) => client.getJob(String(id)).catch(() => null))); // gone: keep its number
    chunk.forEach((id, k) => {
      const target = targets[k];
      // An array's own id (its element _0's) stands for the whole array: it stays `120`.
      if (target && target.arrayJobId !== null && target.arrayJobId !== id) names.set(id, target.displayId);
    });
  }
  return names;
}

function addShow(parent: Command): void {
  const show = parent.command('show').description('show one object in detail (like scontrol show)');
  addConnectionOptions(
    show
      .command('node')
      .description('a node\'s state, cores, memory and drain or down reason (every node without a name)')
      .argument('[name]', 'node name, e.g. c1-n001')
      .option('--json', 'print the node as JSON'),
  ).action(async (name: string | undefined, opts: ConnectionOptions & { json?: boolean }) => {
    const { nodes, reasons } = await ApiClient.fromOptions(opts).nodeList();
    const picked = name === undefined ? nodes : nodes.filter((n) => n.name === name);
    if (picked.length === 0) throw new CliError(`no node named ${name} (gsched nodes --long lists them)`, 1);
    if (opts.json) return printJson(name === undefined ? picked : picked[0]);
    print(picked.map((n) => showNode(n, reasons.find((r) => r.node === n.name))).join('\n'));
  });
  addConnectionOptions(
    show
      .command('job')
      .description('a job\'s state, priority breakdown, tasks and their nodes')
      .argument('<id>', 'job id, e.g. 123 or 120_3 (an array\'s id: every element)')
      .option('--json', 'print the job as JSON (an array\'s id: a list of its elements)'),
  ).action(async (id: string, opts: ConnectionOptions & { json?: boolean }) => {
    if (!/^\d+(?:_\d+)?$/.test(id)) throw new CliError(`show job ${id}: expected a job id like 123 or 120_3`, 2);
    const client = ApiClient.fromOptions(opts);
    const job = await client.getJob(id);
    const now = typeof job.now === 'number' ? job.now : Date.now(); // the scheduler's clock may run fast
    // An array's own id (`120`, not `120_0`) shows every element the scheduler still holds, as
    // scontrol show job does, one record after another.
    const jobs = !id.includes('_') && job.arrayJobId === job.id ? await arrayElements(client, job) : [job];
    if (opts.json) return printJson(jobs.length === 1 ? jobs[0] : jobs);
    const names = await dependencyNames(client, jobs);
    print(jobs.map((j) => showJob(j, now, names)).join('\n')); // each record ends in a newline: one blank line between
  });
}

/** The `scontrol` command group, created once; other modules add their verbs to it. */
export function scontrolOf(program: Command): Command {
  return program.commands.find((c) => c.name() === 'scontrol') ?? program.command('scontrol').description('Slurm\'s scontrol verbs: show job, and the job-control verbs');
}

export function registerShowCommands(program: Command): void {
  addShow(program);
  addShow(scontrolOf(program));
}
