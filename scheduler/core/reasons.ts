// Why a pending job waits: every reason a filter or a planner can record, what it means and
// whether waiting can end it. The record type makes the compiler insist that each reason of
// the PendingReason union (types.ts) is described here.
import type { PendingReason } from './types.js';

/**
 * `wait`: the job can start once something changes (a job ends, a node comes back, consent is
 * given). `never`: nothing the scheduler will see can let it start; it waits until cancelled.
 * `none`: not a reason to wait (the job is not pending).
 */
export type ReasonKind = 'wait' | 'never' | 'none';

export interface ReasonInfo {
  readonly kind: ReasonKind;
  /** What a user reads in `gsched show`, in one sentence. */
  readonly meaning: string;
}

export const REASONS: { readonly [R in PendingReason]: ReasonInfo } = {
  Priority: { kind: 'wait', meaning: 'jobs of higher priority come first; the pass stopped before reaching this one' },
  Resources: { kind: 'wait', meaning: 'no node has the free cores and memory now; it holds or waits for a reservation' },
  Dependency: { kind: 'wait', meaning: 'a job it depends on, an earlier task of its DAG or a singleton of its name has not ended yet' },
  DependencyNeverSatisfied: { kind: 'never', meaning: 'a job it depends on ended in a way that can never satisfy the dependency' },
  ConsentHold: { kind: 'wait', meaning: 'a patient it reads has no consent on record that allows its purpose' },
  JobArrayTaskLimit: { kind: 'wait', meaning: "its array's %N limit of elements running at once is reached" },
  PartitionDown: { kind: 'wait', meaning: 'every node of its partition is down or draining' },
  JobHeldUser: { kind: 'wait', meaning: 'its owner held it (submit --hold or hold); release lets it start' },
  JobHeldAdmin: { kind: 'wait', meaning: 'an operator held it; only an operator can release it' },
  BeginTime: { kind: 'wait', meaning: 'it was submitted with --begin and that time has not come' },
  QOSGrpCpuLimit: { kind: 'wait', meaning: "its QoS's GrpTRES cpu limit: the QoS's running tasks hold as many cores as it allows" },
  AssocGrpCpuLimit: { kind: 'wait', meaning: "its account's (or a parent account's) GrpTRES cpu limit is reached by running tasks" },
  QOSMaxJobsPerUserLimit: { kind: 'wait', meaning: "its owner already runs as many jobs in its QoS as MaxJobsPerUser allows" },
  AssocMaxJobsLimit: { kind: 'wait', meaning: "its owner already runs as many jobs in its account as MaxJobs allows" },
  QOSMaxWallDurationPerJobLimit: { kind: 'wait', meaning: "its time limit is above its QoS's MaxWall (the QoS or the limit changed after submit); update either" },
  AssocMaxWallDurationPerJobLimit: { kind: 'wait', meaning: "its time limit is above its account's MaxWall (changed after submit); update the job" },
  Reservation: { kind: 'wait', meaning: 'it asked for an advance reservation whose window has not opened (or has closed)' },
  'ReqNodeNotAvail, Reserved for maintenance': { kind: 'wait', meaning: 'the nodes it could use are in a maintenance reservation over its time limit' },
  None: { kind: 'none', meaning: 'not pending' },
};

/** Every reason, in a fixed order (the index of a reason in per-pass counts). */
export const REASON_LIST = Object.keys(REASONS) as PendingReason[];

/** A reason's index in REASON_LIST, for counting without a map lookup. */
export const REASON_CODE = Object.fromEntries(REASON_LIST.map((r, i) => [r, i])) as { readonly [R in PendingReason]: number };
