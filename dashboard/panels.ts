// The panels around the grids: core totals, the queue by class and by pending reason, the
// fair-share tree and the recent events.
import type { DashboardStats } from '../contract/stats.js';
import { bars, byId, el, fmt, mwh } from './dom.js';

export function renderTotals(stats: DashboardStats): void {
  const c = stats.cores;
  byId('cores-total').textContent = fmt.format(c.total);
  for (const k of ['allocated', 'idle', 'drained', 'down'] as const) {
    byId(`cores-${k}`).textContent = fmt.format(c[k]);
    const seg = byId(`seg-${k}`);
    seg.style.width = `${c.total > 0 ? (100 * c[k]) / c.total : 0}%`;
  }
  const energy = stats.containers.reduce((a, x) => a + x.energyJoules, 0);
  const heat = stats.containers.reduce((a, x) => a + x.heatJoules, 0);
  byId('energy').textContent = `${mwh(energy)} used, ${mwh(heat)} of heat recovered since start`;
}

export function renderQueue(stats: DashboardStats): void {
  const byClass = new Map<string, { pending: number; running: number }>();
  for (const j of stats.jobs) {
    const k = j.class === '' ? '(no class)' : j.class;
    const e = byClass.get(k) ?? { pending: 0, running: 0 };
    if (j.state === 'PENDING') e.pending += j.count;
    else if (j.state === 'RUNNING') e.running += j.count;
    byClass.set(k, e);
  }
  const rows = [...byClass].sort((a, b) => b[1].pending + b[1].running - (a[1].pending + a[1].running));
  const table = el('table', { class: 'queue' }, el('thead', {}, el('tr', {}, el('th', {}, 'class'), el('th', {}, 'pending'), el('th', {}, 'running'))));
  const body = el('tbody', {});
  for (const [cls, e] of rows) body.append(el('tr', {}, el('td', {}, cls), el('td', {}, fmt.format(e.pending)), el('td', {}, fmt.format(e.running))));
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: '3', class: 'empty' }, 'no jobs')));
  table.append(body);
  byId('queue-class').replaceChildren(table);
  const reasons = stats.pendingByReason.filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
  byId('queue-reason').replaceChildren(bars(reasons.map((r) => [r.reason, r.count]), 'pending jobs by reason'));
}

export function renderFairshare(stats: DashboardStats): void {
  const children = new Map<string | null, DashboardStats['fairshare']>();
  for (const a of stats.fairshare) children.set(a.parent, [...(children.get(a.parent) ?? []), a]);
  const branch = (parent: string | null): HTMLElement | null => {
    const kids = children.get(parent);
    if (!kids || kids.length === 0) return null;
    const ul = el('ul', { class: parent === null ? 'tree root' : 'tree' });
    for (const a of kids) {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${100 * a.factor}%`;
      ul.append(
        el(
          'li',
          {},
          el('div', { class: 'tree-row', title: `${a.account}: ${a.shares} shares, ${fmt.format(Math.round(a.usageCoreSeconds / 3600))} core-hours (decayed), factor ${a.factor.toFixed(3)}` },
            el('span', { class: 'bar-label' }, a.account),
            el('span', { class: 'bar-track' }, bar),
            el('span', { class: 'bar-value' }, a.factor.toFixed(2)),
          ),
          branch(a.account),
        ),
      );
    }
    return ul;
  };
  byId('fairshare').replaceChildren(branch(null) ?? el('div', { class: 'empty' }, 'no accounts'));
}

const MAX_EVENTS = 40;

export function addEvent(kind: string, data: unknown, at: Date = new Date()): void {
  const d = (data ?? {}) as Record<string, unknown>;
  let text: string;
  if (kind === 'job') text = `job ${String(d.displayId)} ${String(d.state)} · ${String(d.name)} (${String(d.account)}, ${String(d.partition)}${d.class ? `, ${String(d.class)}` : ''}, ${String(d.cores)} cores)`;
  else if (kind === 'node') text = `node ${String(d.name)} ${String(d.state)}`;
  else if (kind === 'consent') text = `consent ${String(d.status)}${d.pseudonym ? ` for ${String(d.pseudonym)}` : ''}`;
  else if (kind === 'reservation') text = `reservation ${String(d.name)} ${String(d.action)}`;
  else if (kind === 'reset') text = 'missed events: view refreshed';
  else text = kind;
  const list = byId('events');
  list.querySelector('.empty')?.remove();
  const time = at.toLocaleTimeString('en-GB', { hour12: false });
  list.prepend(el('li', { class: `ev ev-${kind}`, 'data-kind': kind }, el('time', {}, time), ' ', text));
  while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove();
}
