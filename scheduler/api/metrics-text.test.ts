// The snapshot's families written straight from the snapshot must print exactly what prom-client's
// Gauge and Counter printed for it (the way SchedulerMetrics filled them before metrics-text.ts):
// label escapes, odd values, empty families and no snapshot at all included.
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from './metrics-snapshot.js';
import { SNAPSHOT_FAMILIES, formatSnapshotFamilies, type EnergyTotals } from './metrics-text.js';

/** prom-client's text for the same snapshot: a collect() per family that resets and sets, as before. */
async function promClientText(snap: Snapshot | null, energy: EnergyTotals): Promise<string> {
  const registry = new Registry();
  const r = [registry];
  const gauge = (name: string, labelNames: string[], fill: (g: Gauge) => void): void => {
    const help = SNAPSHOT_FAMILIES.find((f) => f.name === name)?.help ?? '';
    new Gauge({
      name,
      help,
      labelNames,
      registers: r,
      collect() {
        this.reset();
        fill(this);
      },
    });
  };
  gauge('gsched_jobs', ['state', 'partition', 'account', 'class'], (g) => {
    for (const [k, n] of snap?.jobs ?? []) g.set({ state: k.state, partition: k.partition, account: k.account, class: k.class }, n);
  });
  gauge('gsched_pending_jobs_by_reason', ['reason'], (g) => {
    for (const [reason, n] of snap?.pendingByReason ?? []) g.set({ reason }, n);
  });
  gauge('gsched_pending_oldest_age_seconds', ['partition'], (g) => {
    for (const [partition, s] of snap?.oldestPendingAgeS ?? []) g.set({ partition }, s);
  });
  gauge('gsched_queue_depth', [], (g) => g.set(snap?.pendingTasks ?? 0));
  gauge('gsched_cores', ['container', 'kind', 'cooling', 'state'], (g) => {
    for (const c of snap?.cores ?? []) g.set({ container: c.container, kind: c.kind, cooling: c.cooling, state: c.state }, c.cores);
  });
  gauge('gsched_fairshare_usage_core_seconds', ['account'], (g) => {
    for (const f of snap?.fairshare ?? []) g.set({ account: f.account }, f.usageCoreS);
  });
  gauge('gsched_fairshare_factor', ['account'], (g) => {
    for (const f of snap?.fairshare ?? []) g.set({ account: f.account }, f.factor);
  });
  gauge('gsched_agent_heartbeat_age_seconds', ['agent'], (g) => {
    for (const a of snap?.agents ?? []) if (a.heartbeatAgeS !== null) g.set({ agent: a.name }, a.heartbeatAgeS);
  });
  gauge('gsched_agents_connected', [], (g) => g.set(snap?.agentsConnected ?? 0));
  gauge('gsched_power_saving_nodes', ['container', 'state'], (g) => {
    for (const p of snap?.powerSaving ?? []) g.set({ container: p.container, state: p.state }, p.nodes);
  });
  gauge('gsched_power_saving_cores', ['container', 'state'], (g) => {
    for (const p of snap?.powerSaving ?? []) g.set({ container: p.container, state: p.state }, p.cores);
  });
  gauge('gsched_power_watts', ['container'], (g) => {
    for (const [container, w] of snap?.powerWatts ?? []) g.set({ container }, w);
  });
  const counter = (name: string, from: ReadonlyMap<string, number>): void => {
    new Counter({
      name,
      help: SNAPSHOT_FAMILIES.find((f) => f.name === name)?.help ?? '',
      labelNames: ['container'],
      registers: r,
      collect() {
        this.reset();
        for (const [container, j] of from) this.inc({ container }, j);
      },
    });
  };
  counter('gsched_energy_joules_total', energy.energyJ);
  counter('gsched_heat_recovered_joules_total', energy.heatJ);
  return registry.metrics();
}

const odd = 'c"1\\x\ny';
const snapshot: Snapshot = {
  takenAt: 1,
  jobs: [
    [{ state: 'PENDING', partition: 'clinical', account: odd, class: '' }, 3],
    [{ state: 'RUNNING', partition: 'research', account: 'rh-genetics', class: 'wgs' }, 12],
  ],
  pendingByReason: [['Priority', 2], ['Resources', 1]],
  oldestPendingAgeS: [['clinical', 5.001]],
  cores: [
    { container: 'c1', kind: 'cpu', cooling: 'warm-water', state: 'allocated', cores: 4 },
    { container: odd, kind: 'gpu', cooling: 'air', state: 'down', cores: 1e21 },
  ],
  pendingTasks: 7,
  fairshare: [{ account: 'rh-genetics', parent: null, shares: 1, usageCoreS: 0.1 + 0.2, factor: NaN }],
  jobsEnded: 9,
  schedulerNow: 2,
  agents: [
    { name: 'agent-c1', heartbeatAgeS: 0.25, connected: true },
    { name: 'agent-c2', heartbeatAgeS: null, connected: false },
  ],
  agentsConnected: 1,
  powerWatts: new Map([['c1', Infinity], ['c2', -Infinity]]),
  heatWatts: new Map([['c1', 1]]),
  powerSaving: [{ container: 'c1', state: 'suspended', nodes: 2, cores: 128 }],
};

describe('the snapshot families', () => {
  it("print exactly what prom-client's gauges and counters print for the same snapshot", async () => {
    const energy = { energyJ: new Map([['c1', 123.456], [odd, 0]]), heatJ: new Map([['c1', 7]]) };
    expect(`${formatSnapshotFamilies(snapshot, energy)}\n`).toBe(await promClientText(snapshot, energy));
  });

  it('print headers only (and zeros for the unlabelled gauges) before the first snapshot, or for empty lists', async () => {
    const none = { energyJ: new Map<string, number>(), heatJ: new Map<string, number>() };
    expect(`${formatSnapshotFamilies(null, none)}\n`).toBe(await promClientText(null, none));
    const empty: Snapshot = { ...snapshot, jobs: [], cores: [], fairshare: [], agents: [], powerSaving: [], powerWatts: new Map(), pendingByReason: [], oldestPendingAgeS: [] };
    expect(`${formatSnapshotFamilies(empty, none)}\n`).toBe(await promClientText(empty, none));
  });
});
