// Events in: each is checked, then applied to the state through CoreState's transitions. Bad
// input is refused with a coded reason naming the field, never thrown.
import { createReservation, deleteReservation, reservationRefusal } from './advance-reservations.js';
import { maxMemFor, type CoreState } from './core-state.js';
import { reconfigure } from './reconfigure.js';
import { TERMINAL, type ArrayGroup, type JobRt, type PartitionRt, type TaskRt } from './state.js';
import type { CoreEvent, CoreRejection, Dependency, EventResult, JobUpdate } from './types.js';
import { isConsentStatus, isPseudonym } from './vocabulary.js';
import { allowedFor, checkDependencies, fitsOneNode, inherited, MAX_NICE, partitionRefusal, validateJob } from './validate.js';

const ok: EventResult = { ok: true };
const reject = (error: CoreRejection): EventResult => ({ ok: false, error });

export function applyEvent(s: CoreState, event: CoreEvent): EventResult {
  if (typeof event !== 'object' || event === null) return reject({ code: 'INVALID_STATE', message: 'an event must be an object with a type' });
  // What a pass passes over may change with any event but these (whose effect on waiting jobs
  // CoreState logs job by job, or, for consent, counts in consentVersion): see pass-over-memo.ts.
  const t = event.type;
  if (t !== 'submit' && t !== 'taskEnded' && t !== 'forget' && t !== 'consent' && t !== 'poweredUp') s.planEpoch++;
  switch (event.type) {
    case 'submit':
      return submit(s, event.job);
    case 'cancel':
      return cancel(s, event.jobId);
    case 'taskEnded':
      return taskEnded(s, event.taskId, event.outcome);
    case 'nodeDown':
    case 'nodeUp':
    case 'drain':
    case 'resume':
      return nodeEvent(s, event.type, event.node);
    case 'consent':
      return setConsent(s, event.pseudonym, event.status);
    case 'requeue': {
      const t = s.tasks.get(event.taskId);
      if (!t) return reject({ code: 'UNKNOWN_TASK', field: 'taskId', message: `task ${event.taskId} does not exist` });
      if (t.state !== 'RUNNING') return reject({ code: 'INVALID_STATE', field: 'taskId', message: `task ${t.id} is ${t.state}, not RUNNING` });
      s.requeueLost(t);
      return ok;
    }
    case 'forget':
      return forget(s, event.jobId);
    case 'hold':
    case 'release':
      return holdOrRelease(s, event.type, event.jobId, event.by);
    case 'update':
      return update(s, event.jobId, event.changes);
    case 'requeueJob':
      return requeueJob(s, event.jobId, event.hold);
    case 'reservationCreate': {
      const r = createReservation(s, event.reservation);
      return r.ok ? ok : reject(r.error);
    }
    case 'reconfigure': {
      const c = event.config as unknown;
      if (typeof c !== 'object' || c === null || !['nodes', 'partitions', 'qos', 'accounts'].every((k) => Array.isArray((c as Record<string, unknown>)[k]))) {
        return reject({ code: 'INVALID_STATE', field: 'config', message: 'reconfigure needs a parsed cluster config' });
      }
      const refused = reconfigure(s, event.config);
      return refused === null ? ok : reject(refused);
    }
    case 'reservationDelete': {
      const r = deleteReservation(s, event.name);
      return r.ok ? ok : reject(r.error);
    }
    case 'poweredUp':
      return poweredUp(s, event.node);
    default:
      return reject({ code: 'INVALID_STATE', field: 'type', message: `unknown event type ${JSON.stringify((event as { type: unknown }).type)}` });
  }
}

function submit(s: CoreState, raw: unknown): EventResult {
  const clean = validateJob(raw, {
    partitions: s.partitions,
    qos: s.qos,
    hasAccount: (a) => s.accounts.has(a),
    account: (a) => s.accounts.get(a),
    consent: s.consentCfg,
    jobKnown: (id) => s.byId.has(id) || s.ended.has(id),
    arrayOf: (id) => s.arrays.get(id),
    consentOf: (p) => s.consent.get(p) ?? null,
  });
  if (!('tasks' in clean)) return reject(clean);
  const resvRefused = reservationRefusal(s, clean);
  if (resvRefused !== null) return reject(resvRefused);
  if (s.limits.on) {
    const count = clean.array === null ? 1 : clean.array.indices.length;
    const def = s.limits.defaultTime(clean.qos.name, clean.account, clean.partition.spec.defaultTimeMs);
    const refused = s.limits.refusal(clean.owner, clean.qos.name, clean.account, count, clean.tasks.map((t) => ({ cores: t.cores, timeLimitMs: t.timeLimitMs ?? def })));
    if (refused !== null) return reject(refused);
  }
  // The jobs of an array share one successor table (it is read-only), and so do jobs of one graph.
  const succ = s.successorsFor(clean.after);
  if (clean.array === null) return { ok: true, jobIds: [s.createJob(clean, succ, null, null)] };
  const group: ArrayGroup = { baseId: s.nextJobId, limit: clean.array.limit, running: 0 };
  s.arrays.set(group.baseId, clean.array.indices);
  return { ok: true, jobIds: clean.array.indices.map((i) => s.createJob(clean, succ, group, i)) };
}

function cancel(s: CoreState, jobId: unknown): EventResult {
  const job = liveJob(s, jobId);
  if (!isJob(job)) return job;
  s.endJob(job, 'CANCELLED', 'cancelled');
  return ok;
}

function taskEnded(s: CoreState, taskId: unknown, outcome: unknown): EventResult {
  const t = typeof taskId === 'number' ? s.tasks.get(taskId) : undefined;
  if (!t) return reject({ code: 'UNKNOWN_TASK', field: 'taskId', message: `task ${String(taskId)} does not exist` });
  if (outcome !== 'completed' && outcome !== 'failed') {
    return reject({ code: 'INVALID_STATE', field: 'outcome', message: `outcome must be "completed" or "failed"` });
  }
  if (t.state !== 'RUNNING') return reject({ code: 'INVALID_STATE', field: 'taskId', message: `task ${t.id} is ${t.state}, not RUNNING` });
  const job = t.job;
  s.release(t);
  if (outcome === 'completed') s.completed(t);
  else if (t.retriesLeft > 0) {
    // Retry with doubled memory, capped by the largest node that has the cores.
    t.retriesLeft--;
    t.attempts++;
    t.memMb = Math.min(t.memMb * 2, maxMemFor(job.partition, t.cores));
    s.backToQueue(t);
  } else {
    t.state = 'FAILED';
    s.endJob(job, 'FAILED', 'failed-sibling');
  }
  return ok;
}

function nodeEvent(s: CoreState, type: 'nodeDown' | 'nodeUp' | 'drain' | 'resume', name: unknown): EventResult {
  const n = typeof name === 'string' ? s.nodeByName.get(name) : undefined;
  if (!n) return reject({ code: 'UNKNOWN_NODE', field: 'node', message: `node ${String(name)} does not exist` });
  if (type === 'nodeDown') s.setNode(n, false, n.drain);
  else if (type === 'nodeUp') s.setNode(n, true, n.drain);
  else s.setNode(n, n.up, type === 'drain');
  return ok;
}

function poweredUp(s: CoreState, name: unknown): EventResult {
  const n = typeof name === 'string' ? s.nodeByName.get(name) : undefined;
  if (!n) return reject({ code: 'UNKNOWN_NODE', field: 'node', message: `node ${String(name)} does not exist` });
  if (n.power !== 'booting') return reject({ code: 'INVALID_STATE', field: 'node', message: `node ${n.spec.name} is not powering up` });
  s.poweredUp(n);
  return ok;
}

function setConsent(s: CoreState, pseudonym: unknown, status: unknown): EventResult {
  if (typeof pseudonym !== 'string' || !isPseudonym(pseudonym)) {
    return reject({ code: 'INVALID_STATE', field: 'pseudonym', message: 'consent needs a patient pseudonym of 1-64 letters, digits, _ or - (never a CPR number)' });
  }
  if (!isConsentStatus(status)) {
    return reject({ code: 'INVALID_STATE', field: 'status', message: 'consent status must be granted, restricted or withdrawn' });
  }
  s.consentChanged(pseudonym, status);
  return ok;
}

/** The job an event names, if it is still pending or running; else the refusal to answer. */
function liveJob(s: CoreState, jobId: unknown): JobRt | EventResult {
  const job = typeof jobId === 'number' ? s.byId.get(jobId) : undefined;
  if (!job) {
    const st = typeof jobId === 'number' ? s.ended.get(jobId) : undefined;
    if (st) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${String(jobId)} already ended (${st})` });
    return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} does not exist` });
  }
  if (TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} already ended (${job.state})` });
  return job;
}

const isJob = (x: JobRt | EventResult): x is JobRt => 'tasks' in x;

function holdOrRelease(s: CoreState, type: 'hold' | 'release', jobId: unknown, by: unknown): EventResult {
  if (by !== 'user' && by !== 'admin') return reject({ code: 'INVALID_STATE', field: 'by', message: 'by must be user or admin' });
  const job = liveJob(s, jobId);
  if (!isJob(job)) return job;
  if (type === 'hold') {
    if (job.state !== 'PENDING') return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} is ${job.state}; only a pending job can be held (requeuehold stops and holds a running one)` });
    // An operator's hold outranks the owner's; the owner cannot weaken it.
    if (job.hold !== 'admin') job.hold = by;
    return ok;
  }
  if (job.hold === null) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} is not held` });
  if (job.hold === 'admin' && by === 'user') return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} was held by an operator; only an operator can release it` });
  job.hold = null;
  return ok;
}

const PENDING_ONLY: readonly (keyof JobUpdate)[] = ['partition', 'qos', 'dependencies', 'dependencyAny'];

/**
 * scontrol update: each change is checked before any is made, so an update is applied whole
 * or not at all. QoS and dependencies change only while the job is pending (as in Slurm); a
 * new time limit applies to the tasks that have not started.
 */
function update(s: CoreState, jobId: unknown, raw: unknown): EventResult {
  const job = liveJob(s, jobId);
  if (!isJob(job)) return job;
  if (typeof raw !== 'object' || raw === null) return reject({ code: 'INVALID_STATE', field: 'changes', message: 'changes must be an object' });
  const c = raw as JobUpdate;
  const keys = Object.keys(c) as (keyof JobUpdate)[];
  if (keys.length === 0) return reject({ code: 'INVALID_STATE', field: 'changes', message: 'nothing to change: give timeLimitMs, partition, qos, nice, beginAt, dependencies or throttle' });
  const unknown = keys.find((k) => !UPDATABLE.has(k));
  if (unknown !== undefined) return reject({ code: 'INVALID_STATE', field: `changes.${String(unknown)}`, message: `${String(unknown)} cannot be changed; updatable: ${[...UPDATABLE].join(', ')}` });
  for (const k of PENDING_ONLY) {
    if (c[k] !== undefined && job.state !== 'PENDING') return reject({ code: 'INVALID_STATE', field: `changes.${k}`, message: `job ${job.displayId} is ${job.state}: ${k} can only be changed while it is pending` });
  }
  const pendingTasks = job.tasks.filter((t) => t.state === 'PENDING');
  if (c.timeLimitMs !== undefined) {
    if (!Number.isInteger(c.timeLimitMs) || c.timeLimitMs < 1) return reject({ code: 'INVALID_STATE', field: 'changes.timeLimitMs', message: 'the time limit must be a whole number of ms above 0' });
    if (c.timeLimitMs > (s.partitions.get(String(c.partition ?? job.partition.spec.name))?.spec.maxTimeMs ?? job.partition.spec.maxTimeMs)) return reject({ code: 'TOO_LARGE', field: 'changes.timeLimitMs', message: `partition ${job.partition.spec.name} allows at most ${job.partition.spec.maxTimeMs} ms` });
    if (pendingTasks.length === 0) return reject({ code: 'INVALID_STATE', field: 'changes.timeLimitMs', message: `job ${job.displayId} has no task waiting to start; the time limit of running tasks does not change` });
  }
  let qos = job.qos;
  if (c.qos !== undefined) {
    const q = typeof c.qos === 'string' ? s.qos.get(c.qos) : undefined;
    if (!q) return reject({ code: 'UNKNOWN_QOS', field: 'changes.qos', message: `QoS ${JSON.stringify(c.qos)} does not exist (known: ${[...s.qos.keys()].join(', ')})` });
    // The config's rule for who may use which QoS holds for a change as it does at submission.
    const allowed = allowedFor((a) => s.accounts.get(a), job.account.name, 'qos');
    if (allowed !== null && !allowed.includes(q.name)) return reject({ code: 'QOS_NOT_ALLOWED', field: 'changes.qos', message: `account "${job.account.name}" may not use QoS "${q.name}" (it may use ${allowed.join(', ')})` });
    qos = q;
  }
  let partition = job.partition;
  if (c.partition !== undefined) {
    const p = typeof c.partition === 'string' ? s.partitions.get(c.partition) : undefined;
    if (!p) return reject({ code: 'UNKNOWN_PARTITION', field: 'changes.partition', message: `partition ${JSON.stringify(c.partition)} does not exist (known: ${[...s.partitions.keys()].join(', ')})` });
    const refused = partitionMove(s, job, p, qos.name, c.timeLimitMs);
    if (refused !== null) return reject(refused);
    partition = p;
  } else if (c.qos !== undefined) {
    // A new QoS must still be one the job's partition admits.
    const refused = partitionRefusal(job.partition.spec, job.account.name, qos.name, { account: (a) => s.accounts.get(a) });
    if (refused !== null) return reject({ ...refused, field: 'changes.qos' });
  }
  if (c.nice !== undefined && (!Number.isInteger(c.nice) || Math.abs(c.nice) > MAX_NICE)) {
    return reject({ code: 'INVALID_STATE', field: 'changes.nice', message: `nice must be a whole number from ${-MAX_NICE} to ${MAX_NICE}` });
  }
  if (c.beginAt !== undefined && c.beginAt !== null && (!Number.isInteger(c.beginAt) || c.beginAt < 0)) {
    return reject({ code: 'INVALID_STATE', field: 'changes.beginAt', message: 'beginAt must be a time in ms (0 or more), or null to clear it' });
  }
  if (c.beginAt !== undefined && job.state !== 'PENDING') return reject({ code: 'INVALID_STATE', field: 'changes.beginAt', message: `job ${job.displayId} is ${job.state}: its begin time has passed` });
  let deps: Dependency[] | null = null;
  if (c.dependencies !== undefined) {
    const checked = checkDependencies(c.dependencies, 'changes.dependencies', job.array !== null, { jobKnown: (id) => s.byId.has(id) || s.ended.has(id), arrayOf: (id) => s.arrays.get(id) });
    if (!Array.isArray(checked)) return reject(checked);
    const self = checked.findIndex((d) => d.jobId === job.id || (d.kind === 'aftercorr' && d.jobId === job.array?.baseId));
    if (self >= 0) return reject({ code: 'DAG_CYCLE', field: `changes.dependencies[${self}]`, message: `job ${job.displayId} cannot wait for itself` });
    deps = checked;
  }
  if (c.dependencyAny !== undefined && typeof c.dependencyAny !== 'boolean') return reject({ code: 'INVALID_STATE', field: 'changes.dependencyAny', message: 'dependencyAny must be true or false' });
  if (c.throttle !== undefined) {
    if (job.array === null) return reject({ code: 'INVALID_STATE', field: 'changes.throttle', message: `job ${job.displayId} is not an array element; throttle is an array's %N limit` });
    if (!Number.isInteger(c.throttle) || c.throttle < 0) return reject({ code: 'INVALID_STATE', field: 'changes.throttle', message: 'throttle must be a whole number (0: no limit)' });
  }
  // Every change is valid: apply them.
  if (c.timeLimitMs !== undefined) for (const t of pendingTasks) t.timeLimitMs = c.timeLimitMs;
  if (c.qos !== undefined || c.nice !== undefined || partition !== job.partition) {
    s.requeueKey(job, () => {
      job.partition = partition;
      if (s.limits.on && job.qos !== qos) s.limits.changeQos(job, () => (job.qos = qos));
      job.qos = qos;
      if (c.nice !== undefined) job.nice = c.nice;
    });
  }
  if (c.beginAt !== undefined) s.setBegin(job, c.beginAt ?? 0);
  if (deps !== null) job.deps = deps;
  // New dependencies are all-of unless the update says any-of (as a new --dependency would be).
  if (c.dependencyAny !== undefined || deps !== null) job.depsAny = (c.dependencyAny ?? (deps === null && job.depsAny)) && job.deps.length > 1;
  if (c.throttle !== undefined && job.array !== null) job.array.limit = c.throttle === 0 ? Infinity : c.throttle;
  return ok;
}

/**
 * Whether a pending job may move to partition `p` (with QoS `qos`): what submitting there would
 * check (the account's partitions, AllowAccounts / AllowQos, purpose, node sizes, time limits).
 */
function partitionMove(s: CoreState, job: JobRt, p: PartitionRt, qos: string, newLimit: number | undefined): CoreRejection | null {
  const f = 'changes.partition';
  const allowed = inherited({ account: (a) => s.accounts.get(a) }, job.account.name, 'partitions');
  if (allowed !== null && !allowed.includes(p.spec.name)) return { code: 'PARTITION_NOT_ALLOWED', field: f, message: `account "${job.account.name}" may not use partition "${p.spec.name}" (it may use ${allowed.join(', ')})` };
  const rule = partitionRefusal(p.spec, job.account.name, qos, { account: (a) => s.accounts.get(a) });
  if (rule !== null) return { ...rule, field: rule.field === 'qos' ? 'changes.qos' : f };
  if (p.spec.purpose === 'research' && job.purpose !== 'research') return { code: 'PURPOSE_MISMATCH', field: f, message: `partition "${p.spec.name}" is for research and job ${job.displayId} is for treatment` };
  for (const t of job.tasks) {
    if (t.state !== 'PENDING') continue;
    if (!fitsOneNode(p, t.cores, t.memMb)) return { code: 'TOO_LARGE', field: f, message: `task ${t.name} needs ${t.cores} cores and ${t.memMb} MB on one node; no node in partition ${p.spec.name} has both` };
    if ((newLimit ?? t.timeLimitMs) > p.spec.maxTimeMs) return { code: 'TOO_LARGE', field: f, message: `task ${t.name} has a time limit of ${t.timeLimitMs} ms; partition ${p.spec.name} allows at most ${p.spec.maxTimeMs} ms (update TimeLimit too)` };
  }
  return null;
}

const UPDATABLE: ReadonlySet<string> = new Set<keyof JobUpdate>(['timeLimitMs', 'partition', 'qos', 'nice', 'beginAt', 'dependencies', 'dependencyAny', 'throttle']);

/**
 * scontrol requeue: a running job's tasks are stopped and go back to the queue (tasks that
 * completed stay completed); a pending job stays pending. With `hold`, it is also held.
 */
function requeueJob(s: CoreState, jobId: unknown, hold: unknown): EventResult {
  const job = liveJob(s, jobId);
  if (!isJob(job)) return job;
  for (const t of job.tasks) if (t.state === 'RUNNING') s.requeueRunning(t);
  if (hold === true && job.hold !== 'admin') job.hold = 'admin';
  return ok;
}

function forget(s: CoreState, jobId: unknown): EventResult {
  const job = typeof jobId === 'number' ? s.byId.get(jobId) : undefined;
  if (!job) return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} is not in memory` });
  if (!TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} is ${job.state}; only ended jobs can be forgotten` });
  // createJob numbers a job's tasks one after another: when the first and last ids span them,
  // they go by id without a read of each record (long out of the cache by now).
  const tasks = job.tasks;
  const first = (tasks[0] as TaskRt).id;
  const n = tasks.length;
  if ((tasks[n - 1] as TaskRt).id === first + n - 1) for (let id = first; id < first + n; id++) s.tasks.delete(id);
  else for (const t of tasks) s.tasks.delete(t.id);
  s.byId.delete(job.id);
  s.ended.set(job.id, job.state);
  // The record itself lingers in lazily pruned lists (the age queue keeps every job until its
  // age cap, days of modelled time): without its tasks it holds a few hundred bytes, not every
  // task record, which the young GC then copied and promoted (~215 B per task in a steady run).
  job.tasks.length = 0;
  job.ready = [];
  return ok;
}
