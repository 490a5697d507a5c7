// Slurm's --dependency=singleton: of the unfinished jobs of one owner and name, only the oldest may run.
import { singletonKey } from '../state.js';
import type { Filter } from './filter.js';

export const singleton: Filter = {
  name: 'singleton',
  reasons: ['Dependency'],
  check(job, s) {
    if (job.singleton && s.singletons.get(singletonKey(job))?.[0] !== job.id) return 'Dependency';
    return null;
  },
};
