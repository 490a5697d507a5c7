// Compile-time proof that the wire shapes and the core's own types agree. The core is pure
// and keeps plain TypeScript types; if one side gains, loses or retypes a field, `npm run
// build` fails on the line below that names the pair: change contract/schemas.ts to match.
import type * as core from '../scheduler/core/index.js';
import type { TaskResult as StoredTaskResult } from '../scheduler/store/index.js';
import type * as wire from './schemas.js';
import { ERRORS, type ErrorEntry } from './errors.js';

/** True only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<A, B> = Equal<A, B> extends true ? true : { notSame: [A, B] };
type Flat<T> = { [K in keyof T]: T[K] };

export const agreement: {
  jobState: Same<wire.JobState, core.JobState>;
  jobView: Same<wire.JobView, core.JobView>;
  /** The body may leave out `pseudonyms` (the schema's default fills in []). */
  jobSpec: Same<Flat<Omit<wire.JobSpec, 'pseudonyms'> & { pseudonyms: string[] }>, core.JobSpec>;
  nodeView: Same<wire.NodeView, core.NodeView>;
  clusterView: Same<wire.ClusterView, core.ClusterView>;
  consent: Same<wire.ConsentRequest['status'], core.ConsentStatus>;
  taskResult: Same<wire.TaskResult, StoredTaskResult>;
} = { jobState: true, jobView: true, jobSpec: true, nodeView: true, clusterView: true, consent: true, taskResult: true };

/** Every refusal the core can produce has a row in the error table. */
export const everyRejectionHasAStatus: Readonly<Record<core.RejectionCode, ErrorEntry>> = ERRORS;
