// What the driver needs from the agent side: where to send what it decided.
import type { Assignment, TaskRef } from '../../proto/index.js';

export interface Dispatcher {
  /** Queue an assignment for the agent hosting `node`; false if no agent is connected for it. */
  assign(node: string, assignment: Assignment): boolean;
  /** Queue a stop request for an attempt on `node`. */
  cancel(node: string, task: TaskRef, reason: string): void;
  /** Tell the agent hosting `node` it was drained or resumed. */
  drain(node: string, drained: boolean): void;
  /** Send everything queued since the last flush, one message per agent and kind. */
  flush(): void;
}

/** Hooks for metrics; all optional. */
/** What metrics want of an ended job, in modelled ms. */
export interface EndedJob {
  class: string | null;
  submittedAt: number;
  endedAt: number;
  /** Core-ms its tasks' last attempts held (cores × (end − start)). */
  coreMs: number;
}

export interface DriverObserver {
  pass?(wallMs: number, decisions: number): void;
  dispatched?(latencyMs: number): void;
  /** A job reached a terminal state; `job` has its modelled times (for turnaround and utilization metrics). */
  jobEnded?(state: string, job?: EndedJob): void;
}

export const NO_DISPATCHER: Dispatcher = {
  assign: () => false,
  cancel: () => undefined,
  drain: () => undefined,
  flush: () => undefined,
};
