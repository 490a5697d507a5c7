// What the driver needs from the agent side: where to send what it decided.
import type { Assignment, TaskRef } from '../../proto/index.js';

export interface Dispatcher {
  /** Queue an assignment for the agent hosting `node`; false if no agent is connected for it. */
  assign(node: string, assignment: Assignment): boolean;
  /** Queue a stop request for an attempt on `node`; `graceMs` (commands only) overrides the agent's default. */
  cancel(node: string, task: TaskRef, reason: string, graceMs?: number): void;
  /** Send a signal to a running command (exec attempts) on `node` without stopping it. */
  signal(node: string, task: TaskRef, signal: string): void;
  /** Tell the agent hosting `node` it was drained or resumed. */
  drain(node: string, drained: boolean): void;
  /** Send everything queued since the last flush, one message per agent and kind. */
  flush(): void;
}

/** Hooks for metrics; all optional. */
export interface DriverObserver {
  pass?(wallMs: number, decisions: number): void;
  dispatched?(latencyMs: number): void;
  jobEnded?(state: string): void;
}

export const NO_DISPATCHER: Dispatcher = {
  assign: () => false,
  cancel: () => undefined,
  signal: () => undefined,
  drain: () => undefined,
  flush: () => undefined,
};
