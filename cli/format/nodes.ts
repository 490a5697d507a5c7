// How nodes read in gsched nodes: sinfo's grouped summary and its per-node long form.
import type { NodeState, NodeView } from '../../contract/index.js';
import { compressHostlist } from './hostlist.js';
import { formatMemMb } from './units.js';

/** Nodes whose cores cannot take work count as "other" (sinfo's O in A/I/O/T). */
const UNAVAILABLE: ReadonlySet<NodeState> = new Set(['DRAINING', 'DRAINED', 'DOWN']);

export interface CpuCounts {
  allocated: number;
  idle: number;
  other: number;
  total: number;
}

export function cpuCounts(nodes: readonly NodeView[]): CpuCounts {
  const c: CpuCounts = { allocated: 0, idle: 0, other: 0, total: 0 };
  for (const n of nodes) {
    c.allocated += n.coresUsed;
    c.total += n.cores;
    if (UNAVAILABLE.has(n.state)) c.other += n.cores - n.coresUsed;
    else c.idle += n.cores - n.coresUsed;
  }
  return c;
}

export function formatCpus(c: CpuCounts): string {
  return `${c.allocated}/${c.idle}/${c.other}/${c.total}`;
}

export interface NodeGroup {
  container: string;
  kind: string;
  state: NodeState;
  nodes: NodeView[];
}

/** Groups by container, node kind and state, in that order of sorting. */
export function groupNodes(nodes: readonly NodeView[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  for (const n of nodes) {
    const key = `${n.container}\u0000${n.kind}\u0000${n.state}`;
    const g = groups.get(key) ?? { container: n.container, kind: n.kind, state: n.state, nodes: [] };
    g.nodes.push(n);
    groups.set(key, g);
  }
  return [...groups.values()].sort(
    (a, b) => a.container.localeCompare(b.container) || a.kind.localeCompare(b.kind) || a.state.localeCompare(b.state),
  );
}

/**
 * The state as `gsched nodes` shows it: lower case, with Slurm's marks for power saving
 * (`idle~` suspended, `idle#` powering up), as sinfo prints them.
 */
export function stateText(state: NodeState): string {
  if (state === 'SUSPENDED') return 'idle~';
  if (state === 'POWERING_UP') return 'idle#';
  return state.toLowerCase();
}

export function summaryRows(nodes: readonly NodeView[]): string[][] {
  return groupNodes(nodes).map((g) => {
    const mem = new Set(g.nodes.map((n) => formatMemMb(n.memMb)));
    return [g.container, g.kind, stateText(g.state), String(g.nodes.length), formatCpus(cpuCounts(g.nodes)), [...mem].join(','), compressHostlist(g.nodes.map((n) => n.name))];
  });
}

export function longRows(nodes: readonly NodeView[]): string[][] {
  return [...nodes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((n) => [
      n.name,
      n.container,
      n.kind,
      n.cooling,
      stateText(n.state),
      formatCpus(cpuCounts([n])),
      `${formatMemMb(n.memUsedMb)}/${formatMemMb(n.memMb)}`,
      String(n.tasks),
    ]);
}
