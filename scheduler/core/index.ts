// Public surface of the scheduling core. Other packages import from here only.
export * from './types.js';
export { ConfigError } from './errors.js';
export { parseClusterConfig, flatClusterConfig, type ClusterFile } from './config.js';
export { SchedulerCore, PRIORITY_PERIOD_MS, MAX_NODE_REQUEUES, type RunningTaskView, type JobFilter } from './core.js';
export type { FairShareView } from './fairshare.js';
export { KeyedHeap } from './heap.js';
export { SlotList } from './lists.js';
export { parseArraySpec, MAX_ARRAY_SIZE, type ArraySpec } from './array.js';
