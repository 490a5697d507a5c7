// Hand-written TypeScript shapes of the messages in gsched/agent/v1/agent.proto, as
// @grpc/proto-loader hands them over with the options in load.ts (camelCase fields,
// 64-bit integers as numbers, enums as strings, defaults filled, `payload` naming the oneof).
// Keep in step with the .proto: proto/messages.test.ts round-trips each through the codec.

export interface TaskRef {
  taskId: number;
  attempt: number;
}

export interface NodeResources {
  name: string;
  cores: number;
  memMb: number;
}

export type Outcome = 'OUTCOME_UNSPECIFIED' | 'OUTCOME_COMPLETED' | 'OUTCOME_FAILED' | 'OUTCOME_CANCELLED';

export interface Completion {
  task: TaskRef;
  outcome: Outcome;
  cpuMs: number;
  wallMs: number;
  kernel: string;
  summaryJson: string;
  error: string;
  /** The exec kernel's exit status and ending signal (0 and '' for other kernels). Optional when sending. */
  exitCode?: number;
  signal?: string;
}

export interface Hello {
  agent: string;
  container: string;
  nodes: NodeResources[];
  running: TaskRef[];
  finished: Completion[];
  version: string;
}

export interface Heartbeat {
  seq: number;
  running: number;
}

export interface Refusal {
  task: TaskRef;
  reason: string;
}

export interface Ack {
  accepted: TaskRef[];
  refused: Refusal[];
}

export interface Completions {
  items: Completion[];
  /** Assignments acknowledged with these completions (null or absent: none; decoded as null). */
  ack?: Ack | null;
}

export type AgentMessage =
  | { payload?: 'hello'; hello: Hello }
  | { payload?: 'heartbeat'; heartbeat: Heartbeat }
  | { payload?: 'ack'; ack: Ack }
  | { payload?: 'completions'; completions: Completions }
  | { payload?: 'power'; power: PowerReport };

export type NodePower = 'NODE_POWER_UNSPECIFIED' | 'NODE_POWER_ON' | 'NODE_POWER_SUSPENDED' | 'NODE_POWER_BOOTING';

/** Power saving: a node's power state, as its agent reports it when it changes. */
export interface PowerReport {
  node: string;
  state: NodePower;
}

/** Power saving: suspend a node, or boot it (it is on after `resumeDelayMs` modelled ms). */
export interface Power {
  node: string;
  suspend: boolean;
  resumeDelayMs: number;
}

export interface Welcome {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  timeScale: number;
  cancel: TaskRef[];
  /** Protocol features the scheduler understands (PROTOCOL.md section 4); empty from an older one. */
  features: string[];
  /** The scheduler's software version ('' from an older one). */
  version: string;
}

/** Welcome feature: the scheduler applies acknowledgements sent in `Completions.ack`. */
export const FEATURE_COMPLETIONS_ACK = 'completions-ack';

export interface Assignment {
  task: TaskRef;
  jobId: number;
  node: string;
  cores: number;
  memMb: number;
  timeLimitMs: number;
  durationMs: number;
  kernel: string;
  displayId: string;
  /** Set for the `exec` kernel; null (absent on the wire) otherwise. */
  exec?: Exec | null;
  /** Wall ms from the start decision to the assignment's send (0 when absent): the agent's hold is that much shorter. */
  lateMs?: number;
}

export interface Exec {
  script: string;
  chdir: string;
  output: string;
  error: string;
  env: Record<string, string>;
  append: boolean;
}

export interface Assign {
  tasks: Assignment[];
}

export interface Cancel {
  tasks: TaskRef[];
  reason: string;
  /** Wall ms from SIGTERM to SIGKILL for exec attempts; 0 (or absent) for the agent's default. */
  graceMs?: number;
}

export interface SignalTasks {
  tasks: TaskRef[];
  signal: string;
}

export interface Drain {
  node: string;
  drained: boolean;
}

export interface CompletionAck {
  tasks: TaskRef[];
}

export type SchedulerMessage =
  | { payload?: 'welcome'; welcome: Welcome }
  | { payload?: 'assign'; assign: Assign }
  | { payload?: 'cancel'; cancel: Cancel }
  | { payload?: 'drain'; drain: Drain }
  | { payload?: 'completionAck'; completionAck: CompletionAck }
  | { payload?: 'signal'; signal: SignalTasks }
  | { payload?: 'power'; power: Power };

/** Metadata key carrying `Bearer <join token>` on Connect. */
export const JOIN_TOKEN_METADATA = 'authorization';

/** A stable key for one attempt, for maps. */
export function refKey(ref: TaskRef): string {
  return `${ref.taskId}#${ref.attempt}`;
}
