// The part of SchedulerCore the driver uses, so the driver can be written and read against it.
import type {
  ClusterConfig,
  ClusterView,
  CoreEvent,
  EventResult,
  JobState,
  JobView,
  Ms,
  NodeView,
  StepResult,
  TaskView,
} from '../core/index.js';

export interface RunningTask {
  taskId: number;
  jobId: number;
  node: string;
  cores: number;
  memMb: number;
  startedAt: Ms;
  timeLimitMs: Ms;
  durationMs: Ms | null;
  kernel: string | null;
}

export interface CoreApi {
  readonly config: ClusterConfig;
  apply(event: CoreEvent, now: Ms): EventResult;
  schedule(now: Ms): StepResult;
  job(id: number): JobView | undefined;
  jobs(filter?: { states?: JobState[]; account?: string; partition?: string; owner?: string }): JobView[];
  queue(): JobView[];
  nodes(): NodeView[];
  cluster(): ClusterView;
  task(taskId: number): (TaskView & { jobId: number }) | undefined;
  runningTasks(): RunningTask[];
}

export type CoreFactory = (config: ClusterConfig) => CoreApi;
