// Advance reservations (Slurm's scontrol create/delete reservation): nodes, or a core count
// resolved to whole nodes, held over a window on the scheduler's clock. Creating one checks
// that its nodes are free over the window (running tasks' time limits; IGNORE_JOBS skips
// that) and not held by another reservation then. The scheduling side is in filters/
// (reservation.ts: a job that asked for one waits for its window; reserved-nodes.ts: other
// jobs stay off its nodes where they would overlap it). Pure, like the rest of the core.
import type { CoreState } from './core-state.js';
import { duration } from './limits.js';
import { TERMINAL, type JobRt, type NodeRt, type ResvRt } from './state.js';
import type { AdvanceReservationView, CoreRejection, Ms, ReservationSpec } from './types.js';
import type { CleanJob } from './validate.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_DURATION_MS = 3650 * 86_400_000;

type Result = { ok: true; view: AdvanceReservationView } | { ok: false; error: CoreRejection };

const bad = (field: string, message: string): Result => ({ ok: false, error: { code: 'INVALID_RESERVATION', field, message } });
const conflict = (field: string, message: string): Result => ({ ok: false, error: { code: 'RESERVATION_CONFLICT', field, message } });

function overlaps(r: { startAt: Ms; endAt: Ms }, from: Ms, to: Ms): boolean {
  return r.startAt < to && r.endAt > from;
}

/** When the node's running tasks are expected to be done (start + time limit); 0 when it runs none. */
function busyUntil(n: NodeRt): Ms {
  let until = 0;
  for (const t of n.running) until = Math.max(until, t.startedAt + t.timeLimitMs);
  return until;
}

/** Checks and applies a reservationCreate event. */
export function createReservation(s: CoreState, raw: unknown): Result {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('reservation', 'a reservation is an object with name, nodes or cores, startAt and durationMs');
  const r = raw as Partial<Record<keyof ReservationSpec, unknown>>;
  if (typeof r.name !== 'string' || !NAME.test(r.name)) return bad('name', 'name must be 1-64 letters, digits, ".", "_" or "-"');
  const name = r.name;
  if (s.resv.has(name)) return { ok: false, error: { code: 'INVALID_STATE', field: 'name', message: `reservation ${name} exists; delete it first or choose another name` } };
  if (typeof r.startAt !== 'number' || !Number.isInteger(r.startAt) || r.startAt < 0) return bad('startAt', 'startAt must be a time in ms on the scheduler’s clock');
  if (typeof r.durationMs !== 'number' || !Number.isInteger(r.durationMs) || r.durationMs < 1 || r.durationMs > MAX_DURATION_MS) return bad('durationMs', `durationMs must be a whole number of ms from 1 to ${MAX_DURATION_MS}`);
  const startAt = r.startAt;
  const endAt = startAt + r.durationMs;
  if (endAt <= s.now) return bad('startAt', 'the reservation would be over before it is made: its start plus its duration is in the past');
  for (const k of ['maint', 'ignoreJobs'] as const) if (r[k] !== undefined && typeof r[k] !== 'boolean') return bad(k, `${k} must be true or false`);
  const maint = r.maint === true;
  const ignoreJobs = r.ignoreJobs === true;
  if (r.accounts !== undefined && (!Array.isArray(r.accounts) || r.accounts.some((a) => typeof a !== 'string'))) return bad('accounts', 'accounts must be a list of account names');
  const accounts = (r.accounts ?? []) as string[];
  const unknown = accounts.find((a) => !s.accounts.has(a));
  if (unknown !== undefined) return { ok: false, error: { code: 'UNKNOWN_ACCOUNT', field: 'accounts', message: `account "${unknown}" does not exist` } };
  if (!maint && accounts.length === 0) return bad('accounts', 'name the accounts that may use the reservation (or make it a maint reservation)');
  if ((r.nodes === undefined) === (r.cores === undefined)) return bad('nodes', 'give either nodes or cores');

  // Nodes held by another reservation over this window cannot be taken.
  const heldBy = (n: NodeRt): ResvRt | undefined => n.resv?.find((o) => overlaps(o, startAt, endAt));
  let nodes: NodeRt[];
  if (r.nodes !== undefined) {
    if (!Array.isArray(r.nodes) || r.nodes.length === 0 || r.nodes.some((x) => typeof x !== 'string')) return bad('nodes', 'nodes must be a non-empty list of node names');
    const names = r.nodes as string[];
    if (new Set(names).size !== names.length) return bad('nodes', 'nodes lists a node twice');
    nodes = [];
    for (const nm of names) {
      const n = s.nodeByName.get(nm);
      if (!n) return { ok: false, error: { code: 'UNKNOWN_NODE', field: 'nodes', message: `node ${nm} does not exist` } };
      const other = heldBy(n);
      if (other) return conflict('nodes', `node ${nm} is in reservation ${other.name} over that time`);
      if (!ignoreJobs && busyUntil(n) > startAt) {
        return conflict('nodes', `node ${nm} runs tasks whose time limits reach ${duration(busyUntil(n) - startAt)} past the start; start later, or use ignore_jobs`);
      }
      nodes.push(n);
    }
  } else {
    if (typeof r.cores !== 'number' || !Number.isInteger(r.cores) || r.cores < 1) return bad('cores', 'cores must be a whole number of at least 1');
    // Whole nodes in preference order: up, not in another reservation then, and (unless
    // IGNORE_JOBS) free by the start; the smallest set in that order that covers the count.
    const candidates = [...s.nodeList].sort((a, b) => a.pref - b.pref).filter((n) => n.up && !n.drain && !heldBy(n) && (ignoreJobs || busyUntil(n) <= startAt));
    nodes = [];
    let got = 0;
    for (const n of candidates) {
      if (got >= r.cores) break;
      nodes.push(n);
      got += n.spec.cores;
    }
    if (got < r.cores) return conflict('cores', `only ${got} cores are on nodes that are up${ignoreJobs ? '' : ', free by the start (running tasks’ time limits)'} and in no other reservation then; ${r.cores} were asked for`);
  }

  const member = new Uint8Array(s.nodeList.length);
  for (const n of nodes) member[n.idx] = 1;
  const rt: ResvRt = { name, nodes, member, startAt, endAt, maint, ignoreJobs, accounts: [...accounts] };
  s.resv.set(name, rt);
  for (const n of nodes) (n.resv ??= []).push(rt);
  return { ok: true, view: viewOf(s, rt) };
}

/** Deletes a reservation; refused while unended jobs ask for it. */
export function deleteReservation(s: CoreState, name: unknown): Result {
  const rt = typeof name === 'string' ? s.resv.get(name) : undefined;
  if (!rt) return { ok: false, error: { code: 'UNKNOWN_RESERVATION', field: 'name', message: `no reservation ${String(name)}` } };
  const users = jobsIn(s, rt.name);
  if (users.length > 0) {
    return { ok: false, error: { code: 'INVALID_STATE', field: 'name', message: `jobs ${users.slice(0, 10).map((j) => j.displayId).join(', ')}${users.length > 10 ? ' …' : ''} asked for reservation ${rt.name}; cancel them first` } };
  }
  const view = viewOf(s, rt);
  s.resv.delete(rt.name);
  for (const n of rt.nodes) {
    const list = (n.resv ?? []).filter((x) => x !== rt);
    n.resv = list.length === 0 ? null : list;
  }
  return { ok: true, view };
}

function jobsIn(s: CoreState, name: string): JobRt[] {
  const out: JobRt[] = [];
  for (const j of s.byId.values()) if (j.reservation === name && !TERMINAL.has(j.state)) out.push(j);
  return out;
}

function viewOf(s: CoreState, r: ResvRt): AdvanceReservationView {
  return {
    name: r.name,
    nodes: r.nodes.map((n) => n.spec.name),
    cores: r.nodes.reduce((a, n) => a + n.spec.cores, 0),
    startAt: r.startAt,
    endAt: r.endAt,
    maint: r.maint,
    ignoreJobs: r.ignoreJobs,
    accounts: [...r.accounts],
    state: s.now < r.startAt ? 'INACTIVE' : s.now < r.endAt ? 'ACTIVE' : 'ENDED',
    jobs: jobsIn(s, r.name).length,
  };
}

/** Every reservation, by start time then name. */
export function reservationViews(s: CoreState): AdvanceReservationView[] {
  return [...s.resv.values()].sort((a, b) => a.startAt - b.startAt || (a.name < b.name ? -1 : 1)).map((r) => viewOf(s, r));
}

/** The next start or end of a reservation after now (a pass is due then), or null. */
export function nextReservationEdge(s: CoreState): Ms | null {
  let next: Ms | null = null;
  for (const r of s.resv.values()) {
    for (const t of [r.startAt, r.endAt]) if (t > s.now && (next === null || t < next)) next = t;
  }
  return next;
}

/**
 * A submission that asks for a reservation: it must exist and not have ended, admit the job's
 * account (or an account above it), and have a node of the job's partition large enough for
 * each task.
 */
export function reservationRefusal(s: CoreState, c: CleanJob): CoreRejection | null {
  if (c.reservation === null) return null;
  const r = s.resv.get(c.reservation);
  if (!r) return { code: 'UNKNOWN_RESERVATION', field: 'reservation', message: `no reservation ${c.reservation} (gsched reservation list shows them)` };
  if (r.endAt <= s.now) return { code: 'INVALID_STATE', field: 'reservation', message: `reservation ${r.name} has ended` };
  if (r.accounts.length > 0) {
    let ok = false;
    for (let a = s.accounts.get(c.account), steps = 0; a !== undefined && steps < 64 && !ok; a = a.parent === undefined ? undefined : s.accounts.get(a.parent), steps++) ok = r.accounts.includes(a.name);
    if (!ok) return { code: 'RESERVATION_NOT_ALLOWED', field: 'reservation', message: `reservation ${r.name} is for accounts ${r.accounts.join(', ')} (and the accounts under them), not ${c.account}` };
  }
  for (let i = 0; i < c.tasks.length; i++) {
    const t = c.tasks[i] as { cores: number; memMb: number };
    if (!r.nodes.some((n) => c.partition.member[n.idx] === 1 && n.spec.cores >= t.cores && n.spec.memMb >= t.memMb)) {
      return { code: 'TOO_LARGE', field: `tasks[${i}]`, message: `no node of reservation ${r.name} in partition ${c.partition.spec.name} has ${t.cores} cores and ${t.memMb} MB` };
    }
  }
  return null;
}
