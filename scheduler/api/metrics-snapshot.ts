// What /metrics reports, taken from the live state on a timer (once a second by default), not
// per scrape: a scrape only formats the latest snapshot, so it never waits for or delays a
// scheduling pass, however often it comes. Energy and recovered heat are integrated between
// snapshots with the core's power model.
import { HEAT_RECOVERY_FRACTION, heatRecoveryShare, nodeWatts, powerSaveWatts, type ClusterConfig, type NodeSpec, type NodeState, type NodeView, type PendingReason } from '../core/index.js';
import type { AgentHub } from '../agents/index.js';
import type { CoreApi } from '../driver/index.js';
import type { JobCountKey, LiveState } from '../events/index.js';

export type CoreState = 'allocated' | 'idle' | 'drained' | 'down';

/**
 * Up to this many pending jobs, the snapshot counts each by the reason `gsched queue` shows
 * (a held job behind a stopped walk says JobHeldUser, not Priority), a walk of every pending
 * job once a second.
 * Above it (a 60,000-analysis burst submitted at once, say), the latest pass's own counts,
 * which cost nothing and leave the main thread to the passes.
 */
export const EXACT_REASONS_UP_TO = 20_000;

export interface CoreCount {
  container: string;
  kind: string;
  cooling: string;
  state: CoreState;
  cores: number;
}

export interface Snapshot {
  /** Wall ms (performance.now) it was taken. */
  takenAt: number;
  jobs: [JobCountKey, number][];
  pendingByReason: [PendingReason, number][];
  oldestPendingAgeS: [string, number][];
  cores: CoreCount[];
  pendingTasks: number;
  fairshare: { account: string; parent: string | null; shares: number; usageCoreS: number; factor: number }[];
  /** Jobs that ended since the process started. */
  jobsEnded: number;
  /** The scheduler's (modelled) clock when taken. */
  schedulerNow: number;
  agents: { name: string; heartbeatAgeS: number | null; connected: boolean }[];
  agentsConnected: number;
  powerWatts: Map<string, number>;
  heatWatts: Map<string, number>;
  /** Power saving: nodes and cores suspended or powering up, per container (every container, zeros included). */
  powerSaving: { container: string; state: 'suspended' | 'powering_up'; nodes: number; cores: number }[];
}

/**
 * Which bucket a node's cores are in. Down nodes' cores are down; on a draining or drained
 * node the busy cores are allocated and the free ones drained (not idle: no work may use
 * them); elsewhere free cores are idle. `gsched nodes` counts the same way.
 */
export function coreStates(state: NodeState, cores: number, used: number): Record<CoreState, number> {
  if (state === 'DOWN') return { allocated: 0, idle: 0, drained: 0, down: cores };
  const free = Math.max(0, cores - used);
  if (state === 'DRAINING' || state === 'DRAINED') return { allocated: used, idle: 0, drained: free, down: 0 };
  return { allocated: used, idle: free, drained: 0, down: 0 };
}

/** Where each node's figures go in a snapshot, worked out once per node set (not per snapshot). */
interface Layout {
  config: ClusterConfig;
  containers: string[];
  /** container × kind × cooling, in first-seen order. */
  groups: { container: string; kind: string; cooling: string }[];
  /** Per node name: its container's and its group's index, its power model and heat share. */
  slots: Map<string, { container: number; group: number; spec: NodeSpec | undefined; heatShare: number }>;
}

const CORE_STATES = ['allocated', 'idle', 'drained', 'down'] as const;

/** What a snapshot reads of the driver (a LiveDriver is one): its core, and its clock in modelled ms. */
export interface SnapshotSource {
  readonly core: CoreApi;
  readonly clock: { now(): number };
}

function add(sums: Float64Array, at: number, by: number): void {
  sums[at] = (sums[at] ?? 0) + by;
}

export class SnapshotTaker {
  private layout: Layout | null = null;
  private last: Snapshot | null = null;
  /** Joules since start, per container. */
  readonly energyJ = new Map<string, number>();
  readonly heatJ = new Map<string, number>();

  constructor(
    private readonly driver: SnapshotSource,
    private readonly hub: AgentHub,
    private readonly live: LiveState,
    private readonly wallMs: () => number = () => performance.now(),
    private readonly heatFraction = HEAT_RECOVERY_FRACTION,
  ) {}

  get latest(): Snapshot | null {
    return this.last;
  }

  /** The layout for the config in force; rebuilt when a reconfigure replaced it. */
  private layoutFor(config: ClusterConfig, nodes: readonly NodeView[]): Layout {
    if (this.layout?.config === config && this.layout.slots.size === nodes.length) return this.layout;
    const specs = new Map(config.nodes.map((n) => [n.name, n]));
    const containers: string[] = [];
    const groups: Layout['groups'] = [];
    const groupIndex = new Map<string, number>();
    const slots: Layout['slots'] = new Map();
    for (const n of nodes) {
      let c = containers.indexOf(n.container);
      if (c < 0) c = containers.push(n.container) - 1;
      const key = `${n.container}\u0000${n.kind}\u0000${n.cooling}`;
      let g = groupIndex.get(key);
      if (g === undefined) {
        g = groups.push({ container: n.container, kind: n.kind, cooling: n.cooling }) - 1;
        groupIndex.set(key, g);
      }
      slots.set(n.name, { container: c, group: g, spec: specs.get(n.name), heatShare: heatRecoveryShare(n, this.heatFraction) });
    }
    this.layout = { config, containers, groups, slots };
    return this.layout;
  }

  take(): Snapshot {
    const now = this.wallMs();
    const core = this.driver.core;
    const prev = this.last;
    // Energy since the last snapshot at the power drawn then (a left Riemann sum).
    if (prev) {
      const dt = (now - prev.takenAt) / 1000;
      for (const [c, w] of prev.powerWatts) this.energyJ.set(c, (this.energyJ.get(c) ?? 0) + w * dt);
      for (const [c, w] of prev.heatWatts) this.heatJ.set(c, (this.heatJ.get(c) ?? 0) + w * dt);
    }
    // Sums into flat arrays by precomputed index: no keys built per node (this runs every second).
    const nodes = core.nodes();
    const L = this.layoutFor(core.config, nodes);
    const nc = L.containers.length;
    const coreSums = new Float64Array(L.groups.length * 4);
    const watts = new Float64Array(nc);
    const heat = new Float64Array(nc);
    // Per container: suspended nodes, suspended cores, powering-up nodes, powering-up cores.
    const saving = new Float64Array(nc * 4);
    const powerSave = core.config.powerSave;
    for (const n of nodes) {
      const slot = L.slots.get(n.name);
      if (!slot) continue; // not in the layout: only between a reconfigure and the next snapshot
      const split = coreStates(n.state, n.cores, n.coresUsed);
      const base = slot.group * 4;
      add(coreSums, base, split.allocated);
      add(coreSums, base + 1, split.idle);
      add(coreSums, base + 2, split.drained);
      add(coreSums, base + 3, split.down);
      if (n.state === 'SUSPENDED' || n.state === 'POWERING_UP') {
        const at = slot.container * 4 + (n.state === 'SUSPENDED' ? 0 : 2);
        add(saving, at, 1);
        add(saving, at + 1, n.cores);
      }
      const w = slot.spec ? (powerSaveWatts(slot.spec, n.state, powerSave) ?? nodeWatts(slot.spec, n.coresUsed, n.state === 'DOWN')) : 0;
      add(watts, slot.container, w);
      add(heat, slot.container, w * slot.heatShare);
    }
    const cores: CoreCount[] = [];
    L.groups.forEach((g, i) => CORE_STATES.forEach((state, k) => cores.push({ ...g, state, cores: coreSums[i * 4 + k] as number })));
    const powerWatts = new Map<string, number>();
    const heatWatts = new Map<string, number>();
    const powerSaving: Snapshot['powerSaving'] = [];
    L.containers.forEach((container, c) => {
      powerWatts.set(container, watts[c] as number);
      heatWatts.set(container, heat[c] as number);
      powerSaving.push({ container, state: 'suspended', nodes: saving[c * 4] as number, cores: saving[c * 4 + 1] as number });
      powerSaving.push({ container, state: 'powering_up', nodes: saving[c * 4 + 2] as number, cores: saving[c * 4 + 3] as number });
    });
    const nowModel = this.driver.clock.now();
    const report = core.pendingReasons(EXACT_REASONS_UP_TO);
    const snap: Snapshot = {
      takenAt: now,
      jobs: this.live.jobCounts(),
      pendingByReason: (Object.entries(report.reasons) as [PendingReason, number][]).filter(([r]) => r !== 'None'),
      oldestPendingAgeS: [...this.live.oldestPending()].map(([p, at]) => [p, Math.max(0, (nowModel - at) / 1000)]),
      cores,
      pendingTasks: core.cluster().pendingTasks,
      fairshare: core.fairshare().map((f) => ({ account: f.account, parent: f.parent, shares: f.shares, usageCoreS: f.usageCoreMs / 1000, factor: f.factor })),
      jobsEnded: this.live.endedTotal,
      schedulerNow: nowModel,
      agents: this.hub.agents().map((a) => ({ name: a.name, heartbeatAgeS: a.lastHeartbeatMs === null ? null : a.lastHeartbeatMs / 1000, connected: a.connected })),
      agentsConnected: this.hub.connectedCount,
      powerWatts,
      heatWatts,
      powerSaving,
    };
    this.last = snap;
    this.record(snap);
    return snap;
  }

  // ---------------------------------------------------------------- history (for the dashboard)

  private readonly history: { at: number; utilization: number; ended: number; powerW: number; heatW: number }[] = [];

  private record(s: Snapshot): void {
    let allocated = 0;
    let up = 0;
    for (const c of s.cores) {
      if (c.state === 'allocated') allocated += c.cores;
      if (c.state !== 'down') up += c.cores;
    }
    let powerW = 0;
    let heatW = 0;
    for (const w of s.powerWatts.values()) powerW += w;
    for (const w of s.heatWatts.values()) heatW += w;
    this.history.push({ at: s.takenAt, utilization: up > 0 ? allocated / up : 0, ended: s.jobsEnded, powerW, heatW });
    if (this.history.length > HISTORY_SAMPLES) this.history.shift();
  }

  /** The samples of the last minutes, oldest first, with throughput over a short window. */
  historySeries(epochOffsetMs: number): { t: number[]; utilization: number[]; jobsPerMinute: number[]; powerWatts: number[]; heatWatts: number[] } {
    const h = this.history;
    return {
      t: h.map((x) => Math.round(x.at + epochOffsetMs)),
      utilization: h.map((x) => x.utilization),
      jobsPerMinute: h.map((x, i) => {
        const back = h[Math.max(0, i - THROUGHPUT_WINDOW)] as typeof x;
        const dt = x.at - back.at;
        return dt > 0 ? ((x.ended - back.ended) * 60_000) / dt : 0;
      }),
      powerWatts: h.map((x) => x.powerW),
      heatWatts: h.map((x) => x.heatW),
    };
  }
}

/** Ten minutes of one-second snapshots. */
const HISTORY_SAMPLES = 600;
/** Throughput is averaged over this many samples (ten seconds), or it would be mostly zeros and spikes. */
const THROUGHPUT_WINDOW = 10;
