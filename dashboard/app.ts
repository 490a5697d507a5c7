// The dashboard page: reads the cluster, its nodes and the metrics snapshot, then follows the
// event stream; a job or node event refreshes what it changes within a fraction of a second,
// and the snapshot is re-read every two seconds for the charts.
import type { ClusterReply, NodeView } from '../contract/schemas.js';
import type { DashboardStats } from '../contract/stats.js';
import { Api, takeToken } from './api.js';
import { initCharts, updateCharts } from './charts.js';
import { byId, el } from './dom.js';
import { renderContainers } from './grid.js';
import { addEvent, renderFairshare, renderQueue, renderTotals } from './panels.js';

const STATS_EVERY_MS = 2000;
const REFRESH_AFTER_EVENT_MS = 150;

function fail(message: string): void {
  const box = byId('problem');
  box.textContent = message;
  box.hidden = false;
}

async function main(): Promise<void> {
  const token = takeToken();
  if (token === null) {
    fail('No token: open the dashboard with the URL that `gsched up` (npm start) prints; it carries a viewer token after the #.');
    return;
  }
  const api = new Api(token);
  let cluster: ClusterReply;
  let nodes: NodeView[] = [];
  let stats: DashboardStats | null = null;
  try {
    [cluster, nodes, stats] = await Promise.all([api.cluster(), api.nodes().then((r) => r.nodes), api.stats()]);
  } catch (err) {
    fail(`Cannot read the cluster: ${(err as Error).message}`);
    return;
  }
  byId('cluster-name').textContent = cluster.name;
  initCharts(byId('charts'));

  const draw = (): void => {
    if (!stats) return;
    renderTotals(stats);
    renderContainers(byId('containers'), cluster, nodes, stats.containers);
    renderQueue(stats);
    renderFairshare(stats);
    updateCharts(stats);
    byId('updated').textContent = new Date(stats.takenAt).toLocaleTimeString('en-GB', { hour12: false });
  };
  draw();

  let refreshing = false;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      [cluster, nodes, stats] = await Promise.all([api.cluster(), api.nodes().then((r) => r.nodes), api.stats()]);
      draw();
    } catch (err) {
      fail(`Refresh failed: ${(err as Error).message}`);
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  let pending: ReturnType<typeof setTimeout> | null = null;
  const soon = (): void => {
    pending ??= setTimeout(() => {
      pending = null;
      void refresh();
    }, REFRESH_AFTER_EVENT_MS);
  };
  setInterval(() => void refresh(), STATS_EVERY_MS);

  const status = byId('live');
  void api.follow(
    (kind, data) => {
      addEvent(kind, data);
      soon();
    },
    (live) => {
      status.textContent = live ? 'live' : 'reconnecting…';
      status.className = live ? 'live on' : 'live off';
    },
    new AbortController().signal,
  );
}

document.addEventListener('DOMContentLoaded', () => {
  main().catch((err: unknown) => fail(String(err)));
  byId('events').append(el('li', { class: 'empty' }, 'waiting for events…'));
});
