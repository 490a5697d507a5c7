// The filter lists. To add a filter: write it as one small module in this folder (see
// filter.ts), add it to FILTERS or NODE_FILTERS here, and add its reason to PendingReason
// (types.ts) and REASONS (reasons.ts). The README's "Adding a filter" has the details.
import type { CoreState } from '../core-state.js';
import type { JobRt } from '../state.js';
import { NO_READY } from '../state.js';
import type { PendingReason } from '../types.js';
import { arrayThrottle } from './array-throttle.js';
import { beginTime } from './begin-time.js';
import { consent } from './consent.js';
import { dependencies } from './dependencies.js';
import type { Filter, NodeFilter } from './filter.js';
import { held } from './held.js';
import { limits } from './limits.js';
import { partitionDown } from './partition-down.js';
import { reservation } from './reservation.js';
import { maintenance, reservedNodes } from './reserved-nodes.js';
import { singleton } from './singleton.js';

export type { Filter, NodeFilter } from './filter.js';

/**
 * Job filters in the order they are asked; the first reason answered is the job's. Holds and
 * begin times come first: they are the user's or operator's word, and cheapest to check.
 * Limits come after everything that says the job could not run anyway.
 */
export const FILTERS: readonly Filter[] = [held, beginTime, dependencies, singleton, arrayThrottle, consent, partitionDown, limits, reservation];

/**
 * Node filters, asked after the built-in checks (membership, up, cores, memory). Both are about
 * advance reservations, so CoreState skips them while there is none. Maintenance first: a node
 * it turns away records its reason.
 */
export const NODE_FILTERS: readonly NodeFilter[] = [maintenance, reservedNodes];

/** The first reason a job filter answers for the job, or null when all let it through. */
export function runFilters(job: JobRt, s: CoreState): PendingReason | null {
  for (let i = 0; i < FILTERS.length; i++) {
    const r = (FILTERS[i] as Filter).check(job, s);
    if (r !== null) return r;
  }
  return null;
}

/**
 * Whether every job filter surely lets the job through, read from a few of its fields: no
 * hold, begin time passed, no dependency, not a singleton or array element, consent found in
 * order since the last consent change, its partition open, no limits in force, no advance
 * reservation. A backfill pass passes over such jobs in bulk when none of their tasks fits
 * (pass.ts), so it must never be true where `runFilters` would answer a reason
 * (reasons.test.ts checks it). False only means "ask the filters".
 * When you add a filter, add what makes it answer a reason here.
 */
export function surelyPass(job: JobRt, s: CoreState): boolean {
  return (
    job.hold === null &&
    job.beginAt <= s.now &&
    job.readyMinCores !== NO_READY &&
    job.deps.length === 0 &&
    !job.singleton &&
    job.array === null &&
    job.consentOkAt === s.consentVersion &&
    job.partition.open !== 0 &&
    !s.limits.on &&
    job.reservation === null
  );
}
