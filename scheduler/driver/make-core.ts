// Which core the live scheduler runs: the same SchedulerCore the simulator drives.
import { SchedulerCore } from '../core/index.js';
import type { CoreFactory } from './core-api.js';

export const makeCore: CoreFactory = (config) => new SchedulerCore(config);
