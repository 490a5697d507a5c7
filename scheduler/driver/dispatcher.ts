// What the driver needs from the agent side: where to send what it decided.
import type { Assignment, TaskRef } from '../../proto/index.js';
import type { CoreEvent, EventResult, JobState, Ms } from '../core/index.js';

export interface Dispatcher {
  /** Queue an assignment for the agent hosting `node`; false if no agent is connected for it. */
  assign(node: string, assignment: Assignment): boolean;
  /** Queue a stop request for an attempt on `node`; `graceMs` (commands only) overrides the agent's default. */
  cancel(node: string, task: TaskRef, reason: string, graceMs?: number): void;
  /** Send a signal to a running command (exec attempts) on `node` without stopping it. */
  signal?(node: string, task: TaskRef, signal: string): void;
  /** Tell the agent hosting `node` it was drained or resumed. */
  drain(node: string, drained: boolean): void;
  /** Power saving: suspend `node`, or boot it (it reports itself on after `resumeDelayMs` modelled ms). */
  power?(node: string, suspend: boolean, resumeDelayMs: number): void;
  /** Send everything queued since the last flush, one message per agent and kind. */
  flush(): void;
}

/** What metrics want of an ended job, in modelled ms. */
export interface EndedJob {
  class: string | null;
  submittedAt: number;
  endedAt: number;
  /** Core-ms its tasks' last attempts held (cores × (end − start)). */
  coreMs: number;
}

/** Hooks for metrics and the event stream; all optional, called for live work only (not on replay). */
export interface DriverObserver {
  pass?(wallMs: number, decisions: number): void;
  /** Wall ms a pass waited from the first request for it (an event, a timer) until it ran. */
  passWait?(wallMs: number): void;
  dispatched?(latencyMs: number): void;
  /** A job reached a terminal state; `job` has its modelled times (for turnaround and utilization metrics). */
  jobEnded?(state: JobState, jobId: number, job?: EndedJob): void;
  /** An event the core accepted (and the driver journalled), at the scheduler's time `now`. */
  accepted?(event: CoreEvent, result: EventResult, now: Ms): void;
  /** The core started a task: one call per start decision. */
  started?(jobId: number, taskId: number, node: string, cores: number): void;
  /** A snapshot ended: written or failed, taken by the replica worker or in the scheduler's thread. */
  snapshot?(s: SnapshotOutcome): void;
}

/** One snapshot's end, for the metrics: wall ms from the journal mark to written (or failed), and the journal records the replica replayed for it. */
export interface SnapshotOutcome {
  written: boolean;
  inWorker: boolean;
  ms: number;
  replayedRecords: number;
}

/** One observer that calls each of `observers` in turn. */
export function combineObservers(...observers: DriverObserver[]): DriverObserver {
  return {
    pass: (ms, n) => observers.forEach((o) => o.pass?.(ms, n)),
    passWait: (ms) => observers.forEach((o) => o.passWait?.(ms)),
    dispatched: (ms) => observers.forEach((o) => o.dispatched?.(ms)),
    jobEnded: (state, jobId, job) => observers.forEach((o) => o.jobEnded?.(state, jobId, job)),
    accepted: (e, r, now) => observers.forEach((o) => o.accepted?.(e, r, now)),
    started: (j, t, n, c) => observers.forEach((o) => o.started?.(j, t, n, c)),
    snapshot: (s) => observers.forEach((o) => o.snapshot?.(s)),
  };
}

export const NO_DISPATCHER: Dispatcher = {
  assign: () => false,
  cancel: () => undefined,
  signal: () => undefined,
  drain: () => undefined,
  flush: () => undefined,
};
