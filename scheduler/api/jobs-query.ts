// GET /api/v1/jobs: active jobs from the core, terminal ones also from the accounting records;
// pending first in queue order, then the rest by id, newest first.
import { JOB_STATES, type JobState, type JobView } from '../core/index.js';
import type { LiveDriver } from '../driver/index.js';
import { ApiProblem } from './errors.js';

const MAX_LIMIT = 1000;
const MAX_JOB_IDS = 1000;

export interface JobQuery {
  states: Set<JobState>;
  account?: string;
  partition?: string;
  owner?: string;
  /** Only these display ids (`12`, `120_3`), and every element of an array named by its own id (`120`). */
  jobs?: ReadonlySet<string>;
  /** Only jobs of these accounts (a submitter's); all when absent. */
  accounts?: ReadonlySet<string>;
  limit: number;
  offset: number;
}

type Query = Record<string, unknown>;

/** A query parameter given at most once; empty counts as absent. */
export function text(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ApiProblem('INVALID_QUERY', `${name} must be given once`, name);
  return v;
}

function int(q: Query, name: string, dflt: number, min: number, max: number): number {
  const v = text(q, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new ApiProblem('INVALID_QUERY', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, name);
  return n;
}

export function parseJobQuery(q: Query): JobQuery {
  const stateText = text(q, 'state');
  const states = new Set<JobState>();
  for (const s of stateText === undefined ? JOB_STATES : stateText.split(',').map((x) => x.trim().toUpperCase())) {
    if (!(JOB_STATES as readonly string[]).includes(s)) throw new ApiProblem('INVALID_QUERY', `state ${JSON.stringify(s)} is not one of ${JOB_STATES.join(', ')}`, 'state');
    states.add(s as JobState);
  }
  const query: JobQuery = { states, limit: int(q, 'limit', 100, 1, MAX_LIMIT), offset: int(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER) };
  for (const k of ['account', 'partition', 'owner'] as const) {
    const v = text(q, k);
    if (v !== undefined) query[k] = v;
  }
  const jobs = text(q, 'jobs');
  if (jobs !== undefined) {
    const ids = jobs.split(',').map((x) => x.trim());
    const bad = ids.find((id) => !/^\d{1,15}(?:_\d{1,9})?$/.test(id));
    if (bad !== undefined) throw new ApiProblem('INVALID_QUERY', `jobs: ${JSON.stringify(bad.slice(0, 40))} is not a job id like 12 or 120_3`, 'jobs');
    if (ids.length > MAX_JOB_IDS) throw new ApiProblem('INVALID_QUERY', `jobs: at most ${MAX_JOB_IDS} ids, got ${ids.length}`, 'jobs');
    query.jobs = new Set(ids);
  }
  return query;
}

/**
 * A filter naming a partition or account the config does not know is most likely a typo: say
 * so rather than list nothing. Only when nothing matched, so that the history of a partition or
 * account removed by a reconfigure can still be listed.
 */
function refuseUnknownNames(driver: LiveDriver, q: JobQuery): void {
  const { partitions, accounts } = driver.core.config;
  for (const [field, given, known] of [
    ['partition', q.partition, partitions.map((p) => p.name)],
    ['account', q.account, accounts.map((a) => a.name)],
  ] as const) {
    if (given !== undefined && !known.includes(given)) {
      throw new ApiProblem('INVALID_QUERY', `${field} ${JSON.stringify(given.slice(0, 60))} is not one of the cluster's: ${known.join(', ')}`, field);
    }
  }
}

export function listJobs(driver: LiveDriver, q: JobQuery): { jobs: JobView[]; total: number; limit: number; offset: number } {
  const match = (j: JobView): boolean =>
    q.states.has(j.state) &&
    (q.account === undefined || j.account === q.account) &&
    (q.partition === undefined || j.partition === q.partition) &&
    (q.owner === undefined || j.owner === q.owner) &&
    (q.jobs === undefined || q.jobs.has(j.displayId) || (j.arrayJobId !== null && q.jobs.has(String(j.arrayJobId)))) &&
    (q.accounts === undefined || q.accounts.has(j.account));
  const pending = q.states.has('PENDING') ? driver.core.queue().filter(match) : [];
  const otherStates = [...q.states].filter((s) => s !== 'PENDING');
  const others = otherStates.length === 0 ? [] : driver.core.jobs({ states: otherStates }).filter(match);
  const inCore = new Set(others.map((j) => j.id));
  if (otherStates.some((s) => s !== 'RUNNING')) {
    for (const rec of driver.store.allJobs()) {
      if (!inCore.has(rec.id) && !driver.isRemembered(rec.id) && match(rec)) others.push(rec);
    }
  }
  others.sort((a, b) => b.id - a.id);
  const all = pending.length === 0 ? others : pending.concat(others);
  if (all.length === 0) refuseUnknownNames(driver, q);
  return { jobs: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
}
