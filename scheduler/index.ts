// Public surface of the scheduler process (for `gsched up`, tests and benches).
export { startScheduler, PortInUseError, type RunningScheduler } from './process.js';
export { parseSchedulerArgs, SchedulerFlagError, SCHEDULER_USAGE, type SchedulerFlags } from './process-options.js';
