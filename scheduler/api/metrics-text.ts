// The snapshot's own families (gauges, and the energy and heat counters) in Prometheus text,
// written straight from the snapshot. It is what prom-client's Gauge and Counter print for the
// same values, line for line (metrics-text.test.ts compares the two), without their per-render
// reset, label hashing and value objects: formatting runs on the scheduler's thread between
// passes, and this costs a fraction of their time and garbage.
import type { Snapshot } from './metrics-snapshot.js';

type Labels = readonly (readonly [name: string, value: string])[];
type Row = readonly [Labels, number];

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** The series in the order prom-client would print them (the order they were set). */
  rows(s: Snapshot | null, energy: EnergyTotals): Iterable<Row>;
}

export interface EnergyTotals {
  energyJ: ReadonlyMap<string, number>;
  heatJ: ReadonlyMap<string, number>;
}

/** prom-client's escapes: label values (backslash, newline, double quote) and help (backslash, newline). */
const escLabel = (v: string): string => (/[\\\n"]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v);
const escHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
/** prom-client's getValueAsString. */
const num = (x: number): string => (Number.isNaN(x) ? 'Nan' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : `${x}`);

/** An unlabelled gauge: prom-client's reset() leaves it at 0 when there is no snapshot. */
function* single(x: number | undefined): Iterable<Row> {
  yield [[], x ?? 0];
}

function* byContainer(m: ReadonlyMap<string, number>): Iterable<Row> {
  for (const [container, v] of m) yield [[['container', container]], v];
}

/** In the order /metrics has always listed them (after prom-client's process families). */
export const SNAPSHOT_FAMILIES: readonly Family[] = [
  {
    name: 'gsched_jobs',
    help: 'Jobs pending or running, by state, partition, account and analysis class',
    type: 'gauge',
    *rows(s) {
      for (const [k, n] of s?.jobs ?? []) yield [[['state', k.state], ['partition', k.partition], ['account', k.account], ['class', k.class]], n];
    },
  },
  {
    name: 'gsched_pending_jobs_by_reason',
    help: 'Pending jobs by the reason the latest scheduling pass recorded',
    type: 'gauge',
    *rows(s) {
      for (const [reason, n] of s?.pendingByReason ?? []) yield [[['reason', reason]], n];
    },
  },
  {
    name: 'gsched_pending_oldest_age_seconds',
    help: "Age of the oldest pending job per partition, in the scheduler's time",
    type: 'gauge',
    *rows(s) {
      for (const [partition, age] of s?.oldestPendingAgeS ?? []) yield [[['partition', partition]], age];
    },
  },
  { name: 'gsched_queue_depth', help: 'Tasks of pending and running jobs still waiting for placement', type: 'gauge', rows: (s) => single(s?.pendingTasks) },
  {
    name: 'gsched_cores',
    help: 'Cores by container, node kind, cooling and state (allocated, idle, drained, down)',
    type: 'gauge',
    *rows(s) {
      for (const c of s?.cores ?? []) yield [[['container', c.container], ['kind', c.kind], ['cooling', c.cooling], ['state', c.state]], c.cores];
    },
  },
  {
    name: 'gsched_fairshare_usage_core_seconds',
    help: 'Decayed usage per account, as fair-share counts it',
    type: 'gauge',
    *rows(s) {
      for (const f of s?.fairshare ?? []) yield [[['account', f.account]], f.usageCoreS];
    },
  },
  {
    name: 'gsched_fairshare_factor',
    help: 'Fair-share factor per account (1 is the most under-served)',
    type: 'gauge',
    *rows(s) {
      for (const f of s?.fairshare ?? []) yield [[['account', f.account]], f.factor];
    },
  },
  {
    name: 'gsched_agent_heartbeat_age_seconds',
    help: 'Time since each agent was last heard from',
    type: 'gauge',
    *rows(s) {
      for (const a of s?.agents ?? []) if (a.heartbeatAgeS !== null) yield [[['agent', a.name]], a.heartbeatAgeS];
    },
  },
  { name: 'gsched_agents_connected', help: 'Agents with an open stream', type: 'gauge', rows: (s) => single(s?.agentsConnected) },
  {
    name: 'gsched_power_saving_nodes',
    help: 'Power saving: nodes suspended or powering up, per container (zero when none)',
    type: 'gauge',
    *rows(s) {
      for (const p of s?.powerSaving ?? []) yield [[['container', p.container], ['state', p.state]], p.nodes];
    },
  },
  {
    name: 'gsched_power_saving_cores',
    help: 'Power saving: cores of suspended or powering-up nodes, per container',
    type: 'gauge',
    *rows(s) {
      for (const p of s?.powerSaving ?? []) yield [[['container', p.container], ['state', p.state]], p.cores];
    },
  },
  { name: 'gsched_power_watts', help: "Electrical power drawn per container, from the nodes' power model", type: 'gauge', rows: (s) => byContainer(s?.powerWatts ?? new Map()) },
  { name: 'gsched_energy_joules_total', help: 'Electrical energy used per container since the scheduler started', type: 'counter', rows: (_s, e) => byContainer(e.energyJ) },
  { name: 'gsched_heat_recovered_joules_total', help: 'Heat handed to the warm-water loop per container since the scheduler started', type: 'counter', rows: (_s, e) => byContainer(e.heatJ) },
];

/** The families' headers, escaped once. */
const HEADERS = SNAPSHOT_FAMILIES.map((f) => `# HELP ${f.name} ${escHelp(f.help)}\n# TYPE ${f.name} ${f.type}`);

/** The snapshot's families as prom-client's Registry.metrics() joins families: a blank line between, no final newline. */
export function formatSnapshotFamilies(s: Snapshot | null, energy: EnergyTotals): string {
  let out = '';
  SNAPSHOT_FAMILIES.forEach((f, i) => {
    if (i > 0) out += '\n\n';
    out += HEADERS[i] as string;
    for (const [labels, value] of f.rows(s, energy)) {
      out += `\n${f.name}`;
      if (labels.length > 0) {
        out += '{';
        labels.forEach(([k, v], j) => (out += `${j > 0 ? ',' : ''}${k}="${escLabel(v)}"`));
        out += '}';
      }
      out += ` ${num(value)}`;
    }
  });
  return out;
}
