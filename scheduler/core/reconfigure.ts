// scontrol reconfigure: a new cluster config applied to a running core. What may change:
// partitions (their containers, limits and rules), QoS, accounts (the tree, shares, limits),
// and the consent settings. A config that the state no longer fits is refused whole, with the
// list of what conflicts: a partition, QoS or account removed while unended jobs (or a
// reservation) use it, a waiting task no node of its partition can hold any more. Limits below
// the current usage are not conflicts (as in Slurm: what runs keeps running, new work waits).
// Nodes and the scheduler section are fixed for the life of a state folder: changing them is
// listed as a conflict too. Pure: the caller parsed the file.
import type { CoreState } from './core-state.js';
import { consentConfig } from './config.js';
import { FairShare } from './fairshare.js';
import { LimitBook } from './limits.js';
import { TERMINAL, type JobRt, type NodeRt, type PartitionRt } from './state.js';
import type { ClusterConfig, CoreRejection } from './types.js';

const MAX_IDS = 10;

/** "job 7 is" or "jobs 7, 8 and 3 more are": the subject and its verb agree with the count. */
function jobsAre(jobs: JobRt[], verbOne: string, verbMany: string): string {
  const list = jobs.slice(0, MAX_IDS).map((j) => j.displayId).join(', ') + (jobs.length > MAX_IDS ? ` and ${jobs.length - MAX_IDS} more` : '');
  return jobs.length === 1 ? `job ${list} ${verbOne}` : `jobs ${list} ${verbMany}`;
}

function push<K>(m: Map<K, JobRt[]>, k: K, j: JobRt): void {
  const list = m.get(k);
  if (list) list.push(j);
  else m.set(k, [j]);
}

/** What in the state the new config does not fit; empty when it may be applied. */
export function reconfigureConflicts(s: CoreState, next: ClusterConfig): string[] {
  const out: string[] = [];
  if (JSON.stringify(next.nodes) !== JSON.stringify(s.config.nodes)) out.push('nodes: the node list changed; nodes are fixed for the life of a state folder (start a new one to change them)');
  if (JSON.stringify(next.scheduler) !== JSON.stringify(s.config.scheduler)) out.push('scheduler: the scheduler section (policy, weights, backfill) changed; it is fixed for the life of a state folder');
  if (JSON.stringify(next.powerSave ?? null) !== JSON.stringify(s.config.powerSave ?? null)) out.push('powerSave: the power saving settings changed; they are fixed for the life of a state folder');
  const parts = new Map(next.partitions.map((p) => [p.name, p]));
  const qos = new Set(next.qos.map((q) => q.name));
  const accounts = new Set(next.accounts.map((a) => a.name));
  const byPart = new Map<string, JobRt[]>();
  const byQos = new Map<string, JobRt[]>();
  const byAccount = new Map<string, JobRt[]>();
  const byResv = new Map<string, JobRt[]>();
  const tooBig: string[] = [];
  for (const j of s.byId.values()) {
    if (TERMINAL.has(j.state)) continue;
    if (!parts.has(j.partition.spec.name)) push(byPart, j.partition.spec.name, j);
    if (!qos.has(j.qos.name)) push(byQos, j.qos.name, j);
    if (!accounts.has(j.account.name)) push(byAccount, j.account.name, j);
    if (j.reservation !== null) push(byResv, j.reservation, j);
    const p = parts.get(j.partition.spec.name);
    if (p === undefined || tooBig.length >= MAX_IDS) continue;
    const members = s.nodeList.filter((n) => p.containers.length === 0 || p.containers.includes(n.spec.container));
    for (const t of j.tasks) {
      if (t.state !== 'PENDING') continue;
      if (!members.some((n) => n.spec.cores >= t.cores && n.spec.memMb >= t.memMb)) {
        tooBig.push(`job ${j.displayId}: task ${t.name} needs ${t.cores} cores and ${t.memMb} MB on one node, which no node of partition ${p.name} would have`);
        break;
      }
    }
  }
  for (const [name, js] of byPart) out.push(`partition ${name}: removed, but ${jobsAre(js, 'is', 'are')} in it`);
  for (const [name, js] of byQos) out.push(`QoS ${name}: removed, but ${jobsAre(js, 'uses', 'use')} it`);
  for (const [name, js] of byAccount) out.push(`account ${name}: removed, but ${jobsAre(js, 'is', 'are')} charged to it`);
  out.push(...tooBig);
  for (const r of s.resv.values()) {
    const gone = r.accounts.filter((a) => !accounts.has(a));
    if (gone.length > 0) out.push(`reservation ${r.name}: ${gone.length === 1 ? `its account ${gone[0]} is` : `its accounts ${gone.join(', ')} are`} removed`);
  }
  return out;
}

/** Applies `next` if it fits (see reconfigureConflicts); the refusal lists every conflict. */
export function reconfigure(s: CoreState, next: ClusterConfig): CoreRejection | null {
  const conflicts = reconfigureConflicts(s, next);
  if (conflicts.length > 0) {
    return { code: 'CONFIG_CONFLICT', field: 'config', message: `the new config does not fit the scheduler's state (${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}):\n- ${conflicts.join('\n- ')}` };
  }
  // Nodes are unchanged: point them at the new config's specs (a snapshot then finds them there).
  next.nodes.forEach((spec, i) => {
    (s.nodeList[i] as { spec: NodeRt['spec'] }).spec = spec;
  });
  const preferred = [...s.nodeList].sort((a, b) => a.pref - b.pref);
  const partitions = new Map<string, PartitionRt>();
  for (const spec of next.partitions) {
    const nodes = preferred.filter((n) => spec.containers.length === 0 || spec.containers.includes(n.spec.container));
    const member = new Uint8Array(s.nodeList.length);
    for (const n of nodes) member[n.idx] = 1;
    partitions.set(spec.name, {
      spec,
      nodes,
      member,
      maxCores: Math.max(0, ...nodes.map((n) => n.spec.cores)),
      maxMem: Math.max(0, ...nodes.map((n) => n.spec.memMb)),
      open: nodes.filter((n) => n.up && !n.drain).length,
    });
  }
  const qos = new Map(next.qos.map((q) => [q.name, q]));
  const accounts = new Map(next.accounts.map((a) => [a.name, a]));
  // Jobs move to the new specs; a queued job is re-keyed (its partition's and QoS's priority
  // factors are part of its queue key, and whether it may preempt follows them).
  for (const j of s.byId.values()) {
    const p = partitions.get(j.partition.spec.name);
    const q = qos.get(j.qos.name);
    const a = accounts.get(j.account.name);
    const move = (): void => {
      if (p) j.partition = p;
      if (q) j.qos = q;
      if (a) (j as { account: JobRt['account'] }).account = a;
    };
    if (j.queued) s.requeueKey(j, move);
    else move();
  }
  // Keys may have changed for jobs out of the queue too: the cached walk order starts afresh.
  s.waiting.forgetOrder();
  s.partitions.clear();
  for (const [k, v] of partitions) s.partitions.set(k, v);
  s.qos.clear();
  for (const [k, v] of qos) s.qos.set(k, v);
  s.accounts.clear();
  for (const [k, v] of accounts) s.accounts.set(k, v);
  // Preemptible running tasks are counted by their partition.
  s.preemptibleRunning = 0;
  for (const n of s.nodeList) for (const t of n.running) if (t.job.partition.spec.preemptible) s.preemptibleRunning++;
  const fs = new FairShare(next.accounts, next.scheduler.weights.usageHalfLifeMs);
  fs.carryFrom(s.fs);
  s.fs = fs;
  if (s.weighted) {
    s.fs.rank(s.now);
    s.waiting.reprioritize(s.now);
  }
  s.limits = new LimitBook(next);
  s.limits.recount(s.byId.values());
  s.consentCfg = consentConfig(next);
  s.consentVersion++;
  s.config = next;
  s.freeStale = true;
  return null;
}
