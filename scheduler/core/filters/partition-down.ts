// Partition membership and node state: a job whose partition has no node up and open waits
// for PartitionDown rather than Resources (and does not block FCFS or use up backfill depth).
import type { Filter } from './filter.js';

export const partitionDown: Filter = {
  name: 'partition down',
  reasons: ['PartitionDown'],
  check(job) {
    return job.partition.open === 0 ? 'PartitionDown' : null;
  },
};
