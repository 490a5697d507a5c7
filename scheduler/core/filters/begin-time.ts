// A job submitted with --begin waits with BeginTime until then; the pass asks to be woken at
// the earliest such time (CoreState.nextBegin), so nothing else has to happen for it to start.
import type { Filter } from './filter.js';

export const beginTime: Filter = {
  name: 'begin time',
  reasons: ['BeginTime'],
  check: (job, s) => (job.beginAt > s.now ? 'BeginTime' : null),
};
