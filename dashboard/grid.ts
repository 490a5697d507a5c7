// The containers drawn as grids of their nodes: a cell's fill is how much of the node is
// allocated; down nodes are dark, drained ones striped; a blue edge marks warm-water cooling.
import type { ClusterReply, NodeView } from '../contract/schemas.js';
import type { ContainerStats } from '../contract/stats.js';
import { el, fmt, kw } from './dom.js';

/** Allocation as a colour from pale (idle) to deep teal (full). */
function fill(frac: number): string {
  const f = Math.max(0, Math.min(1, frac));
  const light = 94 - f * 62;
  return `hsl(${172 - f * 12} ${30 + f * 45}% ${light}%)`;
}

export function renderContainers(host: HTMLElement, cluster: ClusterReply, nodes: NodeView[], stats: ContainerStats[]): void {
  const byContainer = new Map<string, NodeView[]>();
  for (const n of nodes) byContainer.set(n.container, [...(byContainer.get(n.container) ?? []), n]);
  const power = new Map(stats.map((s) => [s.name, s]));
  host.replaceChildren(
    ...cluster.containers.map((c) => {
      const list = byContainer.get(c.name) ?? [];
      const warm = list.filter((n) => n.cooling === 'warm-water').length;
      const s = power.get(c.name);
      const grid = el('div', { class: 'node-grid' });
      for (const n of list) {
        const cell = el('div', {
          class: `node ${n.cooling === 'warm-water' ? 'warm' : 'air'} state-${n.state.toLowerCase()}`,
          title: `${n.name} (${n.kind}, ${n.cooling}): ${n.state}, ${n.coresUsed}/${n.cores} cores, ${n.tasks} tasks`,
          'data-node': n.name,
        });
        if (n.state !== 'DOWN') cell.style.background = fill(n.cores > 0 ? n.coresUsed / n.cores : 0);
        grid.append(cell);
      }
      return el(
        'section',
        { class: 'container', 'data-testid': 'container', 'data-name': c.name },
        el('h3', {}, c.name, el('span', { class: 'muted' }, ` ${fmt.format(c.coresUsed)}/${fmt.format(c.cores)} cores busy · ${list.length} nodes (${warm} warm-water)`)),
        s ? el('div', { class: 'muted small' }, `${kw(s.powerWatts)} drawn · ${kw(s.heatWatts)} to the heat loop`) : null,
        grid,
      );
    }),
  );
}
