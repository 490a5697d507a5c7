// GET /api/v1/accounting (sacct) and GET /api/v1/reports/usage (sreport): ended jobs come from
// the accounting index (a key range, then only the records it names), jobs the core still
// holds from the core. Rows carry sacct's fields, computed here from the job and its tasks.
import type { ClusterConfig, JobState, JobView, NodeSpec } from '../core/index.js';
import type { LiveDriver } from '../driver/index.js';
import type { AcctDim, TaskResult } from '../store/index.js';
import { ApiProblem } from './errors.js';
import { text } from './jobs-query.js';

const STATES: readonly JobState[] = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'];
const MAX_ROWS = 100_000;

export interface AcctQuery {
  /** Job ids (an array's id stands for its elements). */
  ids: number[] | null;
  dims: Partial<Record<AcctDim, string[]>>;
  /** Window on the scheduler's clock: jobs that were submitted by `end` and had not ended before `start`. */
  start: number;
  end: number;
  limit: number;
}

export interface AcctRow {
  jobId: string;
  id: number;
  name: string;
  user: string;
  account: string;
  partition: string;
  qos: string;
  class: string | null;
  state: JobState;
  submit: number;
  start: number | null;
  end: number | null;
  /** From the first task's start to the last one's end (or now). */
  elapsedMs: number;
  /** Cores allocated (all tasks). */
  cores: number;
  /** Σ over tasks of cores × run time. */
  coreHours: number;
  /** CPU time the agents measured (TotalCPU). */
  cpuMs: number;
  /** Memory asked for, summed over tasks (ReqMem). */
  memMb: number;
  nodes: string[];
  /** `code:signal` of the worst task, as sacct prints it. */
  exitCode: string;
  /** Σ over tasks of run time × its share of the node's busy power (cores / node cores). */
  energyJ: number;
}

type Query = Record<string, unknown>;


function list(q: Query, name: string): string[] | undefined {
  const v = text(q, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function ms(q: Query, name: string, dflt: number): number {
  const v = text(q, name);
  if (v === undefined) return dflt;
  if (!/^\d{1,16}$/.test(v)) throw new ApiProblem('INVALID_QUERY', `${name} must be a time in ms on the scheduler's clock, got ${JSON.stringify(v)}`, name);
  return Number(v);
}

export function parseAcctQuery(q: Query, resolve: (id: string) => number[] | undefined): AcctQuery {
  const dims: Partial<Record<AcctDim, string[]>> = {};
  for (const d of ['user', 'account', 'partition'] as const) {
    const v = list(q, d);
    if (v !== undefined) dims[d] = v;
  }
  const states = list(q, 'state')?.map((s) => s.toUpperCase());
  if (states) {
    for (const s of states) if (!(STATES as readonly string[]).includes(s)) throw new ApiProblem('INVALID_QUERY', `state ${JSON.stringify(s)} is not one of ${STATES.join(', ')}`, 'state');
    dims.state = states;
  }
  let ids: number[] | null = null;
  const jobs = list(q, 'job');
  if (jobs) {
    ids = [];
    for (const j of jobs) {
      const r = resolve(j);
      if (r === undefined) throw new ApiProblem('INVALID_QUERY', `job ${JSON.stringify(j)} is not a job id like 123 or 120_3`, 'job');
      ids.push(...r);
    }
  }
  const start = ms(q, 'start', 0);
  const end = ms(q, 'end', Number.MAX_SAFE_INTEGER);
  if (end < start) throw new ApiProblem('INVALID_QUERY', 'end is before start', 'end');
  const limitText = text(q, 'limit');
  const limit = limitText === undefined ? 10_000 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROWS) throw new ApiProblem('INVALID_QUERY', `limit must be a whole number from 1 to ${MAX_ROWS}`, 'limit');
  return { ids, dims, start, end, limit };
}

function matches(j: JobView, q: AcctQuery): boolean {
  const d = q.dims;
  if (d.user && !d.user.includes(j.owner)) return false;
  if (d.account && !d.account.includes(j.account)) return false;
  if (d.partition && !d.partition.includes(j.partition)) return false;
  if (d.state && !d.state.includes(j.state)) return false;
  if (j.submittedAt > q.end) return false;
  return j.endedAt === null || j.endedAt >= q.start;
}

/** The rows a query selects: jobs in the core (pending, running, recently ended) and ended ones from the index. */
export function accountingRows(driver: LiveDriver, q: AcctQuery): { rows: AcctRow[]; truncated: boolean } {
  const now = driver.clock.now();
  const nodes = new Map(driver.core.config.nodes.map((n) => [n.name, n]));
  const out: AcctRow[] = [];
  const seen = new Set<number>();
  const push = (j: JobView & { results?: TaskResult[] }): void => {
    if (seen.has(j.id) || !matches(j, q)) return;
    seen.add(j.id);
    out.push(acctRow(j, nodes, now));
  };
  if (q.ids !== null) {
    for (const id of q.ids) {
      const v = driver.jobView(id);
      if (v) push(v);
    }
  } else {
    for (const v of driver.core.jobs()) push(driver.jobView(v.id) ?? v);
    // A job in the window was submitted by its end (matches() checks that), so it ended at most
    // the index's longest submit-to-end span after it: the walk stops there, not at the newest record.
    const endTo = q.end >= Number.MAX_SAFE_INTEGER - driver.acct.maxSpan ? Number.MAX_SAFE_INTEGER : q.end + driver.acct.maxSpan;
    for (const id of driver.acct.ids({ dims: q.dims, endFrom: q.start, endTo })) {
      if (seen.has(id)) continue;
      const r = driver.store.job(id);
      if (r) push(r);
      if (out.length > q.limit) break;
    }
  }
  out.sort((a, b) => a.id - b.id);
  const truncated = out.length > q.limit;
  return { rows: truncated ? out.slice(0, q.limit) : out, truncated };
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export function acctRow(j: JobView & { results?: TaskResult[] }, nodes: ReadonlyMap<string, NodeSpec>, now: number): AcctRow {
  let coreMs = 0;
  let energyJ = 0;
  let first: number | null = null;
  let last: number | null = null;
  let memMb = 0;
  for (const t of j.tasks) {
    memMb += t.memMb;
    if (t.startedAt === null) continue;
    const end = t.endedAt ?? now;
    const run = Math.max(0, end - t.startedAt);
    coreMs += run * t.cores;
    const spec = t.node === null ? undefined : nodes.get(t.node);
    if (spec) energyJ += (run / 1000) * spec.busyWatts * (t.cores / spec.cores);
    first = first === null ? t.startedAt : Math.min(first, t.startedAt);
    last = last === null ? end : Math.max(last, end);
  }
  // The worst exit among each task's last attempt (a real command's; 0:0 for the others).
  const lastOf = new Map<number, TaskResult>();
  for (const r of j.results ?? []) {
    const prev = lastOf.get(r.taskId);
    if (!prev || r.attempt >= prev.attempt) lastOf.set(r.taskId, r);
  }
  let code = 0;
  let sig = 0;
  for (const r of lastOf.values()) {
    if ((r.exitCode ?? 0) > code) code = r.exitCode ?? 0;
    const s = r.signal ? (SIGNALS[r.signal] ?? 0) : 0;
    if (s > sig) sig = s;
  }
  return {
    jobId: j.displayId,
    id: j.id,
    name: j.name,
    user: j.owner,
    account: j.account,
    partition: j.partition,
    qos: j.qos,
    class: j.class,
    state: j.state,
    submit: j.submittedAt,
    start: j.startedAt,
    end: j.endedAt,
    elapsedMs: first === null || last === null ? 0 : last - first,
    cores: j.cores,
    coreHours: coreMs / 3_600_000,
    cpuMs: [...lastOf.values()].reduce((s, r) => s + r.cpuMs, 0),
    memMb,
    nodes: j.nodes,
    exitCode: `${code}:${sig}`,
    energyJ: Math.round(energyJ),
  };
}

// ---------------------------------------------------------------- sreport

export type ReportBy = 'account' | 'region' | 'class';

export interface UsageRow {
  key: string;
  jobs: number;
  coreHours: number;
  energyKWh: number;
}

/** The top of an account's tree (its region), from the cluster config. */
export function regionOf(config: ClusterConfig, account: string): string {
  const parent = new Map(config.accounts.map((a) => [a.name, a.parent]));
  let cur = account;
  for (let i = 0; i < 64; i++) {
    const p = parent.get(cur);
    if (p === undefined || p === 'root') return cur;
    cur = p;
  }
  return cur;
}

/** Usage over a window, per account, region or analysis class (jobs that ran in it). */
export function usageReport(driver: LiveDriver, q: AcctQuery, by: ReportBy): UsageRow[] {
  const { rows } = accountingRows(driver, { ...q, limit: MAX_ROWS });
  const acc = new Map<string, UsageRow>();
  for (const r of rows) {
    if (r.start === null) continue; // never ran: no usage
    const key = by === 'account' ? r.account : by === 'region' ? regionOf(driver.core.config, r.account) : (r.class ?? '(none)');
    const u = acc.get(key) ?? { key, jobs: 0, coreHours: 0, energyKWh: 0 };
    u.jobs++;
    u.coreHours += r.coreHours;
    u.energyKWh += r.energyJ / 3.6e6;
    acc.set(key, u);
  }
  return [...acc.values()].sort((a, b) => b.coreHours - a.coreHours || a.key.localeCompare(b.key));
}
