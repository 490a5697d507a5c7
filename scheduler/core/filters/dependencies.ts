// Dependencies: the job's DAG (a task starts once its predecessors completed) and its
// dependencies on other jobs, as Slurm's --dependency: after, afterany, afterok, afternotok,
// aftercorr; all of them (`,`) or any one (`?`). An array's id names the whole array.
import type { CoreState } from '../core-state.js';
import { NEVER as NEVER_STARTED, NO_READY, TERMINAL, type JobRt } from '../state.js';
import type { Dependency, JobState } from '../types.js';
import type { Filter } from './filter.js';

/** One dependency's standing: met, not yet, or never. */
const MET = 0;
const WAIT = 1;
const NEVER = 2;

function stateOf(s: CoreState, jobId: number): JobState {
  // A job neither in memory nor forgotten was never ours to wait for: validation refused it.
  return s.byId.get(jobId)?.state ?? s.ended.get(jobId) ?? 'COMPLETED';
}

/** The element of array `baseId` whose index is `index`, or -1 when that array has none. */
function corresponding(s: CoreState, baseId: number, index: number): number {
  const indices = s.arrays.get(baseId);
  if (indices === undefined) return -1;
  let lo = 0;
  let hi = indices.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = indices[mid] as number;
    if (v === index) return baseId + mid;
    if (v < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function standing(d: Dependency, job: JobRt, s: CoreState): number {
  if (d.kind === 'aftercorr') {
    // Element i waits for element i of the other array; an index it lacks is nothing to wait for.
    const id = job.arrayIndex === null ? -1 : corresponding(s, d.jobId, job.arrayIndex);
    return id < 0 ? MET : standingOn(d.kind, id, s);
  }
  // An array's id (its first element's) stands for the whole array, as in Slurm.
  const elements = s.arrays.get(d.jobId);
  return elements === undefined ? standingOn(d.kind, d.jobId, s) : arrayStanding(d.kind, d.jobId, elements.length, s);
}

/** Where a dependency of this kind on the one job `id` stands. */
function standingOn(kind: Dependency['kind'], id: number, s: CoreState): number {
  if (kind === 'after') {
    // Began once (a later preemption does not undo that) or ended, cancelled included: Slurm's
    // "after the specified jobs start or are cancelled".
    const other = s.byId.get(id);
    return other === undefined || other.startedAt !== NEVER_STARTED || TERMINAL.has(other.state) ? MET : WAIT;
  }
  const st = stateOf(s, id);
  const done = TERMINAL.has(st);
  switch (kind) {
    case 'afterany':
      return done ? MET : WAIT;
    case 'afterok':
    case 'aftercorr':
      return st === 'COMPLETED' ? MET : done ? NEVER : WAIT;
    case 'afternotok':
      return !done ? WAIT : st === 'COMPLETED' ? NEVER : MET;
  }
}

/**
 * A dependency on a whole array (elements base..base+n-1): after and afterany once every element
 * has; afterok once all completed (never once one did not); afternotok once all ended, met if
 * any one did not complete.
 */
function arrayStanding(kind: Dependency['kind'], base: number, n: number, s: CoreState): number {
  let waiting = false;
  let anyMet = false;
  let anyNever = false;
  for (let i = 0; i < n; i++) {
    const st = standingOn(kind, base + i, s);
    if (st === WAIT) {
      if (kind !== 'afterok') return WAIT;
      waiting = true;
    } else if (st === MET) anyMet = true;
    else anyNever = true;
  }
  if (kind === 'afterok') return anyNever ? NEVER : waiting ? WAIT : MET;
  if (kind === 'afternotok') return anyMet ? MET : NEVER;
  return MET;
}

export const dependencies: Filter = {
  name: 'dependencies',
  reasons: ['Dependency', 'DependencyNeverSatisfied'],
  check(job, s) {
    // Every ready task started: the rest wait for running ones. (readyMinCores is NO_READY
    // exactly when the ready list is empty; reading it rather than the list spares a pass a
    // look at another object, a cache miss, for every job it visits.)
    if (job.readyMinCores === NO_READY) return 'Dependency';
    const deps = job.deps;
    if (deps.length === 0) return null;
    if (!job.depsAny) {
      // All of them: the first unmet one decides.
      for (let i = 0; i < deps.length; i++) {
        const st = standing(deps[i] as Dependency, job, s);
        if (st !== MET) return st === NEVER ? 'DependencyNeverSatisfied' : 'Dependency';
      }
      return null;
    }
    // Any one of them: never satisfied only when every one is never.
    let waiting = false;
    for (let i = 0; i < deps.length; i++) {
      const st = standing(deps[i] as Dependency, job, s);
      if (st === MET) return null;
      if (st === WAIT) waiting = true;
    }
    return waiting ? 'Dependency' : 'DependencyNeverSatisfied';
  },
};
