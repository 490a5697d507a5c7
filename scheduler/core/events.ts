// Events in: each is checked, then applied to the state through CoreState's transitions. Bad
// input is refused with a coded reason naming the field, never thrown.
import { maxMemFor, type CoreState } from './core-state.js';
import { successorsOf } from './dag.js';
import { TERMINAL, type ArrayGroup } from './state.js';
import type { CoreEvent, CoreRejection, EventResult } from './types.js';
import { isConsentStatus, isPseudonym } from './vocabulary.js';
import { validateJob } from './validate.js';

const ok: EventResult = { ok: true };
const reject = (error: CoreRejection): EventResult => ({ ok: false, error });

export function applyEvent(s: CoreState, event: CoreEvent): EventResult {
  if (typeof event !== 'object' || event === null) return reject({ code: 'INVALID_STATE', message: 'an event must be an object with a type' });
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
    default:
      return reject({ code: 'INVALID_STATE', field: 'type', message: `unknown event type ${JSON.stringify((event as { type: unknown }).type)}` });
  }
}

function submit(s: CoreState, raw: unknown): EventResult {
  const clean = validateJob(raw, {
    partitions: s.partitions,
    qos: s.qos,
    hasAccount: (a) => s.accounts.has(a),
    jobKnown: (id) => s.byId.has(id) || s.ended.has(id),
    consentOf: (p) => s.consent.get(p) ?? null,
  });
  if (!('tasks' in clean)) return reject(clean);
  // The jobs of an array share one successor table: it is read-only.
  const succ = successorsOf(clean.after);
  if (clean.array === null) return { ok: true, jobIds: [s.createJob(clean, succ, null, null)] };
  const group: ArrayGroup = { baseId: s.nextJobId, limit: clean.array.limit, running: 0 };
  return { ok: true, jobIds: clean.array.indices.map((i) => s.createJob(clean, succ, group, i)) };
}

function cancel(s: CoreState, jobId: unknown): EventResult {
  const job = typeof jobId === 'number' ? s.byId.get(jobId) : undefined;
  if (!job) {
    const st = typeof jobId === 'number' ? s.ended.get(jobId) : undefined;
    if (st) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${String(jobId)} already ended (${st})` });
    return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} does not exist` });
  }
  if (TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} already ended (${job.state})` });
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

function setConsent(s: CoreState, pseudonym: unknown, status: unknown): EventResult {
  if (typeof pseudonym !== 'string' || !isPseudonym(pseudonym)) {
    return reject({ code: 'INVALID_STATE', field: 'pseudonym', message: 'consent needs a patient pseudonym of 1-64 letters, digits, _ or - (never a CPR number)' });
  }
  if (!isConsentStatus(status)) {
    return reject({ code: 'INVALID_STATE', field: 'status', message: 'consent status must be granted, restricted or withdrawn' });
  }
  s.consent.set(pseudonym, status);
  s.consentVersion++;
  return ok;
}

function forget(s: CoreState, jobId: unknown): EventResult {
  const job = typeof jobId === 'number' ? s.byId.get(jobId) : undefined;
  if (!job) return reject({ code: 'UNKNOWN_JOB', field: 'jobId', message: `job ${String(jobId)} is not in memory` });
  if (!TERMINAL.has(job.state)) return reject({ code: 'INVALID_STATE', field: 'jobId', message: `job ${job.displayId} is ${job.state}; only ended jobs can be forgotten` });
  for (const t of job.tasks) s.tasks.delete(t.id);
  s.byId.delete(job.id);
  s.ended.set(job.id, job.state);
  return ok;
}
