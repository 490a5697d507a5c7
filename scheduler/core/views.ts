// Read-only snapshots of the core's state, as plain JSON-able objects for the API, CLI and sim.
import { predecessorLists, predecessorsOf, shownTime, type JobRt, type NodeRt, type TaskRt } from './state.js';
import type { ClusterView, ContainerView, JobView, NodeState, NodeView, PendingReason, PriorityBreakdown, TaskView } from './types.js';

/** Where a task runs, or for one that has ended where it last ran; none while it waits. */
function shownNode(t: TaskRt): string | null {
  if (t.node) return t.node.spec.name;
  return t.state === 'PENDING' ? null : (t.lastNode?.spec.name ?? null);
}

/** `after`: its predecessors, when the caller has them (a job's view reads all its tasks' at once). */
export function taskView(t: TaskRt, after: number[] = predecessorsOf(t.job.successors, t.index)): TaskView {
  return {
    id: t.id,
    index: t.index,
    name: t.name,
    state: t.state,
    cores: t.cores,
    memMb: t.memMb,
    timeLimitMs: t.timeLimitMs,
    after,
    node: shownNode(t),
    startedAt: shownTime(t.startedAt),
    endedAt: shownTime(t.endedAt),
    attempts: t.attempts,
    preemptions: t.preemptions,
    requeues: t.requeues,
    durationMs: t.durationMs,
    kernel: t.kernel,
  };
}

/** The views of a job's tasks, with one pass over its successor table for all their `after` lists. */
function viewsOfTasks(job: JobRt): TaskView[] {
  const after = predecessorLists(job.successors, job.tasks.length);
  return job.tasks.map((t) => taskView(t, after[t.index] as number[]));
}

export function jobView(job: JobRt, reason: PendingReason, queuePosition: number | null, priority: PriorityBreakdown): JobView {
  const nodes = new Set<string>();
  for (const t of job.tasks) {
    const n = shownNode(t);
    if (n !== null) nodes.add(n);
  }
  return {
    id: job.id,
    displayId: job.displayId,
    name: job.name,
    owner: job.owner,
    account: job.account.name,
    partition: job.partition.spec.name,
    qos: job.qos.name,
    purpose: job.purpose,
    class: job.cls,
    state: job.state,
    reason,
    endReason: job.endReason,
    queuePosition,
    priority: { ...priority },
    submittedAt: job.submittedAt,
    startedAt: shownTime(job.startedAt),
    endedAt: shownTime(job.endedAt),
    cores: job.totalCores,
    pseudonyms: [...job.pseudonyms],
    dependencies: job.deps.map((d) => ({ ...d })),
    dependencyAny: job.depsAny,
    arrayJobId: job.array?.baseId ?? null,
    arrayIndex: job.arrayIndex,
    tasks: viewsOfTasks(job),
    nodes: [...nodes].sort(),
    hold: job.hold,
    beginAt: job.beginAt > 0 ? job.beginAt : null,
    nice: job.nice,
    reservation: job.reservation,
  };
}

export function nodeState(n: NodeRt): NodeState {
  if (!n.up) return 'DOWN';
  if (n.drain) return n.running.size > 0 ? 'DRAINING' : 'DRAINED';
  if (n.power !== 'on') return n.power === 'off' ? 'SUSPENDED' : 'POWERING_UP';
  const used = n.spec.cores - n.freeCores;
  return used === 0 ? 'IDLE' : n.freeCores === 0 ? 'ALLOCATED' : 'MIXED';
}

export function nodeView(n: NodeRt): NodeView {
  return {
    name: n.spec.name,
    container: n.spec.container,
    kind: n.spec.kind,
    cooling: n.spec.cooling,
    state: nodeState(n),
    cores: n.spec.cores,
    coresUsed: n.spec.cores - n.freeCores,
    memMb: n.spec.memMb,
    memUsedMb: n.spec.memMb - n.freeMem,
    tasks: n.running.size,
  };
}

export function clusterView(
  name: string,
  containers: readonly string[],
  nodes: readonly NodeRt[],
  counts: { pendingJobs: number; runningJobs: number; pendingTasks: number; runningTasks: number },
): ClusterView {
  const per = new Map<string, ContainerView>(containers.map((c) => [c, { name: c, nodes: 0, cores: 0, coresUsed: 0, coresDown: 0 }]));
  for (const n of nodes) {
    const c = per.get(n.spec.container) as ContainerView;
    c.nodes++;
    c.cores += n.spec.cores;
    c.coresUsed += n.spec.cores - n.freeCores;
    if (!n.up) c.coresDown += n.spec.cores;
  }
  const list = [...per.values()];
  const cores = list.reduce((s, c) => s + c.cores, 0);
  const coresUsed = list.reduce((s, c) => s + c.coresUsed, 0);
  const coresDown = list.reduce((s, c) => s + c.coresDown, 0);
  return { name, containers: list, cores, coresUsed, coresIdle: cores - coresUsed - coresDown, coresDown, ...counts };
}
