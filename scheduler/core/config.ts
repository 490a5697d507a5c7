// Parses and checks a cluster configuration file's content. Pure: the caller reads the file.
import { ConfigError } from './errors.js';
import { POLICIES } from './vocabulary.js';
import type {
  AccountSpec,
  ClusterConfig,
  ConsentConfig,
  Purpose,
  Cooling,
  Limits,
  NodeKind,
  NodeSpec,
  PartitionSpec,
  Policy,
  PowerSaveConfig,
  PriorityWeights,
  QosSpec,
  SchedulerConfig,
} from './types.js';

/** The compact on-disk form: node kinds and per-container groups of identical nodes. */
export interface ClusterFile {
  name: string;
  nodeKinds: NodeKind[];
  containers: { name: string; groups: { kind: string; count: number; cooling: Cooling }[] }[];
  partitions: PartitionSpec[];
  qos: QosSpec[];
  accounts: AccountSpec[];
  scheduler: SchedulerConfig;
  consent?: Partial<ConsentConfig>;
  powerSave?: Partial<PowerSaveConfig>;
}

type Obj = Record<string, unknown>;

const PURPOSES: readonly Purpose[] = ['treatment', 'research'];

function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(field, v, 'an object');
  return v as Obj;
}
function arr(v: unknown, field: string, min = 0): unknown[] {
  if (!Array.isArray(v) || v.length < min) throw new ConfigError(field, v, min > 0 ? `an array of at least ${min}` : 'an array');
  return v;
}
function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)) {
    throw new ConfigError(field, v, 'a name of letters, digits, ".", "_" or "-" (1-64 characters)');
  }
  return v;
}
function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(field, v, `an integer from ${min} to ${max}`);
  }
  return v;
}
function num(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(field, v, `a number from ${min} to ${max}`);
  }
  return v;
}
function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, v, 'true or false');
  return v;
}
function oneOf<T extends string>(v: unknown, field: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    throw new ConfigError(field, v, `one of ${options.join(', ')}`);
  }
  return v as T;
}
function unique(names: string[], field: string): void {
  const seen = new Set<string>();
  for (const [i, n] of names.entries()) {
    if (seen.has(n)) throw new ConfigError(`${field}[${i}].name`, n, 'a name not used before');
    seen.add(n);
  }
}

const DAY = 86_400_000;
const MAX_MEM_MB = 64 * 1024 * 1024; // 64 TiB: anything larger is a typo
const COOLING: readonly Cooling[] = ['warm-water', 'air'];

/** Checks `raw` (parsed JSON) and expands it into the core's ClusterConfig. */
export function parseClusterConfig(raw: unknown): ClusterConfig {
  const root = obj(raw, 'config');
  const name = str(root.name, 'name');

  const kinds = new Map<string, NodeKind>();
  arr(root.nodeKinds, 'nodeKinds', 1).forEach((k, i) => {
    const f = `nodeKinds[${i}]`;
    const o = obj(k, f);
    const kind: NodeKind = {
      name: str(o.name, `${f}.name`),
      cores: int(o.cores, `${f}.cores`, 1, 4096),
      memMb: int(o.memMb, `${f}.memMb`, 1, MAX_MEM_MB),
      idleWatts: num(o.idleWatts, `${f}.idleWatts`, 0, 100_000),
      busyWatts: num(o.busyWatts, `${f}.busyWatts`, 0, 100_000),
    };
    if (kind.busyWatts < kind.idleWatts) throw new ConfigError(`${f}.busyWatts`, kind.busyWatts, `at least idleWatts (${kind.idleWatts})`);
    if (kinds.has(kind.name)) throw new ConfigError(`${f}.name`, kind.name, 'a name not used before');
    kinds.set(kind.name, kind);
  });

  const nodes: NodeSpec[] = [];
  const containers = arr(root.containers, 'containers', 1).map((c, ci) => {
    const f = `containers[${ci}]`;
    const o = obj(c, f);
    const cname = str(o.name, `${f}.name`);
    let seq = 0;
    arr(o.groups, `${f}.groups`, 1).forEach((g, gi) => {
      const gf = `${f}.groups[${gi}]`;
      const go = obj(g, gf);
      const kindName = str(go.kind, `${gf}.kind`);
      const kind = kinds.get(kindName);
      if (!kind) throw new ConfigError(`${gf}.kind`, kindName, `one of the nodeKinds (${[...kinds.keys()].join(', ')})`);
      const count = int(go.count, `${gf}.count`, 0, 100_000);
      const cooling = oneOf(go.cooling, `${gf}.cooling`, COOLING);
      for (let i = 0; i < count; i++) {
        seq++;
        nodes.push({
          name: `${cname}-n${String(seq).padStart(3, '0')}`,
          container: cname,
          kind: kind.name,
          cores: kind.cores,
          memMb: kind.memMb,
          cooling,
          idleWatts: kind.idleWatts,
          busyWatts: kind.busyWatts,
        });
      }
    });
    return cname;
  });
  unique(containers, 'containers');
  if (nodes.length === 0) throw new ConfigError('containers', 0, 'at least one node in all');

  const partitions = arr(root.partitions, 'partitions', 1).map((p, i): PartitionSpec => {
    const f = `partitions[${i}]`;
    const o = obj(p, f);
    const part: PartitionSpec = {
      name: str(o.name, `${f}.name`),
      containers: arr(o.containers ?? [], `${f}.containers`).map((c, j) => {
        const cn = str(c, `${f}.containers[${j}]`);
        if (!containers.includes(cn)) throw new ConfigError(`${f}.containers[${j}]`, cn, `one of ${containers.join(', ')}`);
        return cn;
      }),
      priorityFactor: num(o.priorityFactor, `${f}.priorityFactor`, 0, 1),
      maxTimeMs: int(o.maxTimeMs, `${f}.maxTimeMs`, 1, 366 * DAY),
      defaultTimeMs: int(o.defaultTimeMs, `${f}.defaultTimeMs`, 1, 366 * DAY),
      preemptible: bool(o.preemptible, `${f}.preemptible`),
    };
    if (o.purpose !== undefined) part.purpose = oneOf(o.purpose, `${f}.purpose`, PURPOSES);
    // Checked against the QoS and accounts once those are read (below).
    if (o.allowAccounts !== undefined) part.allowAccounts = arr(o.allowAccounts, `${f}.allowAccounts`, 1).map((a, j) => str(a, `${f}.allowAccounts[${j}]`));
    if (o.allowQos !== undefined) part.allowQos = arr(o.allowQos, `${f}.allowQos`, 1).map((q, j) => str(q, `${f}.allowQos[${j}]`));
    if (part.defaultTimeMs > part.maxTimeMs) throw new ConfigError(`${f}.defaultTimeMs`, part.defaultTimeMs, `at most maxTimeMs (${part.maxTimeMs})`);
    return part;
  });
  unique(partitions.map((p) => p.name), 'partitions');

  const qos = arr(root.qos, 'qos', 1).map((q, i): QosSpec => {
    const f = `qos[${i}]`;
    const o = obj(q, f);
    const spec: QosSpec = {
      name: str(o.name, `${f}.name`),
      priorityFactor: num(o.priorityFactor, `${f}.priorityFactor`, 0, 1),
      canPreempt: bool(o.canPreempt, `${f}.canPreempt`),
    };
    if (o.limits !== undefined) spec.limits = limitsOf(o.limits, `${f}.limits`);
    return spec;
  });
  unique(qos.map((q) => q.name), 'qos');
  // Partitions' AllowQos, now that the QoS are known.
  partitions.forEach((p, i) => {
    if (p.allowQos !== undefined) p.allowQos.forEach((q, j) => oneOf(q, `partitions[${i}].allowQos[${j}]`, qos.map((x) => x.name)));
  });

  const accounts = arr(root.accounts, 'accounts', 1).map((a, i): AccountSpec => {
    const f = `accounts[${i}]`;
    const o = obj(a, f);
    const acc: AccountSpec = { name: str(o.name, `${f}.name`), shares: num(o.shares, `${f}.shares`, 0, 1e9) };
    if (o.parent !== undefined) acc.parent = str(o.parent, `${f}.parent`);
    if (o.purpose !== undefined) acc.purpose = oneOf(o.purpose, `${f}.purpose`, PURPOSES);
    if (o.qos !== undefined) acc.qos = arr(o.qos, `${f}.qos`).map((q, j) => oneOf(q, `${f}.qos[${j}]`, qos.map((x) => x.name)));
    if (o.partitions !== undefined) acc.partitions = arr(o.partitions, `${f}.partitions`).map((q, j) => oneOf(q, `${f}.partitions[${j}]`, partitions.map((x) => x.name)));
    if (o.limits !== undefined) acc.limits = limitsOf(o.limits, `${f}.limits`);
    return acc;
  });
  unique(accounts.map((a) => a.name), 'accounts');
  const accountNames = new Set(accounts.map((a) => a.name));
  partitions.forEach((p, i) => {
    if (p.allowAccounts !== undefined) p.allowAccounts.forEach((a, j) => oneOf(a, `partitions[${i}].allowAccounts[${j}]`, [...accountNames]));
  });
  accounts.forEach((a, i) => {
    if (a.parent !== undefined && !accountNames.has(a.parent)) {
      throw new ConfigError(`accounts[${i}].parent`, a.parent, 'the name of another account');
    }
  });
  // Parents must form a tree: walking up from any account reaches the root.
  const parentOf = new Map(accounts.map((a) => [a.name, a.parent]));
  accounts.forEach((a, i) => {
    let cur: string | undefined = a.parent;
    for (let steps = 0; cur !== undefined; steps++) {
      if (cur === a.name || steps > accounts.length) throw new ConfigError(`accounts[${i}].parent`, a.parent, 'a parent chain without a cycle');
      cur = parentOf.get(cur);
    }
  });

  const s = obj(root.scheduler, 'scheduler');
  const w = obj(s.weights, 'scheduler.weights');
  const weights: PriorityWeights = {
    age: num(w.age, 'scheduler.weights.age', 0, 1e9),
    fairshare: num(w.fairshare, 'scheduler.weights.fairshare', 0, 1e9),
    qos: num(w.qos, 'scheduler.weights.qos', 0, 1e9),
    partition: num(w.partition, 'scheduler.weights.partition', 0, 1e9),
    size: num(w.size, 'scheduler.weights.size', 0, 1e9),
    maxAgeMs: int(w.maxAgeMs, 'scheduler.weights.maxAgeMs', 1, 3650 * DAY),
    usageHalfLifeMs: int(w.usageHalfLifeMs, 'scheduler.weights.usageHalfLifeMs', 1, 3650 * DAY),
  };
  const scheduler: SchedulerConfig = {
    policy: oneOf(s.policy, 'scheduler.policy', POLICIES),
    backfillDepth: int(s.backfillDepth, 'scheduler.backfillDepth', 1, 1_000_000),
    preemption: bool(s.preemption, 'scheduler.preemption'),
    weights,
  };
  if (s.priorityCalcPeriodMs !== undefined) scheduler.priorityCalcPeriodMs = int(s.priorityCalcPeriodMs, 'scheduler.priorityCalcPeriodMs', 1, DAY);
  if (s.backfillIntervalMs !== undefined) scheduler.backfillIntervalMs = int(s.backfillIntervalMs, 'scheduler.backfillIntervalMs', 0, DAY);
  if (s.overTimeLimitMs !== undefined) scheduler.overTimeLimitMs = int(s.overTimeLimitMs, 'scheduler.overTimeLimitMs', 0, 30 * DAY);
  if (s.maxStartsPerPass !== undefined) scheduler.maxStartsPerPass = int(s.maxStartsPerPass, 'scheduler.maxStartsPerPass', 1, 1_000_000);

  const config: ClusterConfig = { name, nodes, partitions, qos, accounts, scheduler };
  if (root.consent !== undefined) {
    const c = obj(root.consent, 'consent');
    const names = (v: unknown, field: string): string[] => arr(v ?? [], field).map((x, j) => str(x, `${field}[${j}]`));
    config.consent = {
      dataKernels: c.dataKernels === undefined ? [...DEFAULT_CONSENT.dataKernels] : names(c.dataKernels, 'consent.dataKernels'),
      dataClasses: c.dataClasses === undefined ? [...DEFAULT_CONSENT.dataClasses] : names(c.dataClasses, 'consent.dataClasses'),
      holdLimitMs: c.holdLimitMs === undefined ? DEFAULT_CONSENT.holdLimitMs : int(c.holdLimitMs, 'consent.holdLimitMs', 1, 366 * DAY),
    };
  }
  if (root.powerSave !== undefined) config.powerSave = parsePowerSave(root.powerSave, new Set(nodes.map((n) => n.name)));
  return config;
}

const LIMIT_KEYS: readonly (keyof Limits)[] = ['grpCores', 'maxJobsPerUser', 'maxSubmitJobs', 'maxWallMs'];

/** A QoS's or account's `limits` object: each key optional, each a whole number of at least 1. */
function limitsOf(v: unknown, field: string): Limits {
  const o = obj(v, field);
  const out: Limits = {};
  for (const k of Object.keys(o)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(k)) throw new ConfigError(`${field}.${k}`, o[k], `one of the limit keys ${LIMIT_KEYS.join(', ')} (unknown key)`);
  }
  for (const k of LIMIT_KEYS) {
    if (o[k] !== undefined) out[k] = int(o[k], `${field}.${k}`, 1, k === 'maxWallMs' ? 3650 * DAY : 100_000_000);
  }
  return out;
}

/**
 * Power saving's defaults, for a `powerSave` section that leaves keys out (and for
 * `gsched sim --power-save` on a cluster file without one): suspend after 30 idle minutes,
 * boot in 5 minutes, give up on a boot after 15, keep 512 idle cores (8 nodes of the default
 * cluster, a rapid WGS alignment's worth) awake for urgent work.
 */
export const DEFAULT_POWER_SAVE: Readonly<PowerSaveConfig> = {
  suspendTimeMs: 30 * 60_000,
  resumeTimeoutMs: 15 * 60_000,
  resumeDelayMs: 5 * 60_000,
  suspendExcNodes: [],
  reserveCores: 512,
  suspendedWatts: 8,
};

function parsePowerSave(raw: unknown, nodeNames: ReadonlySet<string>): PowerSaveConfig {
  const o = obj(raw, 'powerSave');
  const known = ['suspendTimeMs', 'resumeTimeoutMs', 'resumeDelayMs', 'suspendExcNodes', 'reserveCores', 'suspendedWatts', 'resumeWatts'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new ConfigError(`powerSave.${k}`, o[k], `a known key (${known.join(', ')})`);
  const d = DEFAULT_POWER_SAVE;
  const ps: PowerSaveConfig = {
    suspendTimeMs: o.suspendTimeMs === undefined ? d.suspendTimeMs : int(o.suspendTimeMs, 'powerSave.suspendTimeMs', 1, 366 * DAY),
    resumeTimeoutMs: o.resumeTimeoutMs === undefined ? d.resumeTimeoutMs : int(o.resumeTimeoutMs, 'powerSave.resumeTimeoutMs', 1, DAY),
    resumeDelayMs: o.resumeDelayMs === undefined ? d.resumeDelayMs : int(o.resumeDelayMs, 'powerSave.resumeDelayMs', 0, DAY),
    suspendExcNodes: arr(o.suspendExcNodes ?? [], 'powerSave.suspendExcNodes').map((v, i) => {
      const name = str(v, `powerSave.suspendExcNodes[${i}]`);
      if (!nodeNames.has(name)) throw new ConfigError(`powerSave.suspendExcNodes[${i}]`, name, 'the name of a node of the cluster');
      return name;
    }),
    reserveCores: o.reserveCores === undefined ? d.reserveCores : int(o.reserveCores, 'powerSave.reserveCores', 0, 100_000_000),
    suspendedWatts: o.suspendedWatts === undefined ? d.suspendedWatts : num(o.suspendedWatts, 'powerSave.suspendedWatts', 0, 100_000),
  };
  if (o.resumeWatts !== undefined) ps.resumeWatts = num(o.resumeWatts, 'powerSave.resumeWatts', 0, 100_000);
  if (ps.resumeDelayMs >= ps.resumeTimeoutMs) throw new ConfigError('powerSave.resumeTimeoutMs', ps.resumeTimeoutMs, `more than resumeDelayMs (${ps.resumeDelayMs}), or every resumed node would be marked down`);
  return ps;
}

/** A config with power saving on: its own `powerSave` section, else DEFAULT_POWER_SAVE. */
export function withPowerSave(config: ClusterConfig): ClusterConfig {
  return config.powerSave ? config : { ...config, powerSave: { ...DEFAULT_POWER_SAVE, suspendExcNodes: [] } };
}

/** The same config with power saving off. */
export function withoutPowerSave(config: ClusterConfig): ClusterConfig {
  if (!config.powerSave) return config;
  const { powerSave: _off, ...rest } = config;
  return rest;
}

/**
 * The consent gate's defaults: the genome kernels that read a patient's reads or variants
 * (qc, align, call; `simulate` makes synthetic data and `noop` reads nothing), and the
 * analysis classes of the pipeline templates, all of which read patient data.
 */
export const DEFAULT_CONSENT: Readonly<ConsentConfig> = {
  dataKernels: ['qc', 'align', 'call'],
  dataClasses: ['wgs-single', 'wgs-trio', 'wgs-rapid', 'wgs-tumour-normal', 'exome', 'panel', 'reanalysis', 'research-cohort', 'research-deepvariant'],
  holdLimitMs: 7 * DAY,
};

export function consentConfig(config: ClusterConfig): Readonly<ConsentConfig> {
  return config.consent ?? DEFAULT_CONSENT;
}

/** A one-node-kind flat machine: how SWF traces are replayed (MaxProcs interchangeable processors). */
export function flatClusterConfig(procs: number, policy: Policy): ClusterConfig {
  if (!Number.isInteger(procs) || procs < 1) throw new ConfigError('procs', procs, 'a positive integer');
  return {
    name: 'flat',
    nodes: [{ name: 'flat-n001', container: 'flat', kind: 'flat', cores: procs, memMb: 1, cooling: 'air', idleWatts: 0, busyWatts: 0 }],
    partitions: [{ name: 'batch', containers: [], priorityFactor: 0, maxTimeMs: 3650 * DAY, defaultTimeMs: DAY, preemptible: false }],
    qos: [{ name: 'normal', priorityFactor: 0, canPreempt: false }],
    accounts: [{ name: 'swf', shares: 1 }],
    scheduler: {
      policy,
      backfillDepth: 1_000_000,
      // Backfill at every event, as the reference simulators of the Parallel Workloads Archive do.
      backfillIntervalMs: 0,
      preemption: false,
      // All weights zero: the queue is in submit order, as the trace's own scheduler kept it.
      weights: { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, maxAgeMs: DAY, usageHalfLifeMs: 7 * DAY },
    },
  };
}
