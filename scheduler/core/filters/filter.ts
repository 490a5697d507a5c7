// The filter interfaces. A filter answers one question about a pending job (or about a node for
// one of its tasks) and, when the answer is no, says why with a named reason (reasons.ts).
// Filters only read the state: they never start, stop or move anything.
import type { CoreState } from '../core-state.js';
import type { JobRt, NodeRt, TaskRt } from '../state.js';
import type { PendingReason } from '../types.js';

/**
 * A job filter: may this job start anything now, whatever the resources? Runs once per job
 * per pass, before the planner looks at its tasks, in the order of FILTERS (filters/index.ts);
 * the first that answers a reason decides the job's reason for this pass.
 *
 * It runs on the hot path (every visited job, every pass): no allocation, no closure, no scan
 * of other jobs. Keep what it needs indexed in CoreState, updated by the events that change it.
 */
export interface Filter {
  /** Short name, as in the README's filter list. */
  readonly name: string;
  /** Every reason `check` may answer (the reasons test makes each one happen). */
  readonly reasons: readonly PendingReason[];
  /** Why the job may not start now, or null to let it through. */
  check(job: JobRt, s: CoreState): PendingReason | null;
}

/**
 * A node filter: may this task run on this node now? Asked only about nodes the built-in
 * checks already admit (partition member, up, not draining, enough free cores and memory),
 * when placing a task now, when choosing preemption victims and when planning reservations.
 * A task no admitted node can take records `reason` instead of Resources.
 */
export interface NodeFilter {
  readonly name: string;
  readonly reason: PendingReason;
  admits(node: NodeRt, task: TaskRt, s: CoreState): boolean;
}
