// The part of SchedulerCore the driver uses: the driver is written and tested against this.
import type { ClusterConfig, SchedulerCore } from '../core/index.js';

export type CoreApi = Pick<SchedulerCore, 'config' | 'apply' | 'schedule' | 'job' | 'endedJob' | 'jobs' | 'queue' | 'nodes' | 'cluster' | 'task' | 'runningTasks' | 'pendingReasons' | 'fairshare' | 'snapshot' | 'restore' | 'advanceReservations' | 'limitUsage'>;

export type CoreFactory = (config: ClusterConfig) => CoreApi;
