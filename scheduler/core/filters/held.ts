// Held jobs (sbatch --hold, scontrol hold / uhold) wait until released: JobHeldAdmin when an
// operator holds the job, JobHeldUser when its owner does.
import type { Filter } from './filter.js';

export const held: Filter = {
  name: 'held',
  reasons: ['JobHeldUser', 'JobHeldAdmin'],
  check: (job) => (job.hold === null ? null : job.hold === 'admin' ? 'JobHeldAdmin' : 'JobHeldUser'),
};
