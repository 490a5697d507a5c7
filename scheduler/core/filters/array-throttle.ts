// A job array's %N limit: at most N of its elements run at once.
import type { Filter } from './filter.js';

export const arrayThrottle: Filter = {
  name: 'array throttle',
  reasons: ['JobArrayTaskLimit'],
  check(job) {
    // An element already running may start its other tasks.
    if (job.array && job.runningCount === 0 && job.array.running >= job.array.limit) return 'JobArrayTaskLimit';
    return null;
  },
};
