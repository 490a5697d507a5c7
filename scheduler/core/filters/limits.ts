// QoS and account limits (limits.ts): a job whose next task would take its QoS or account past
// GrpTRES=cpu, whose owner already runs MaxJobsPerUser jobs there, or whose time limit is above
// a MaxWall lowered since it was submitted, waits with Slurm's reason. The planners ask again
// for each further task of a job in the same pass (CoreState.limits.reason).
import type { TaskRt } from '../state.js';
import type { Filter } from './filter.js';

export const limits: Filter = {
  name: 'limits',
  reasons: ['QOSGrpCpuLimit', 'AssocGrpCpuLimit', 'QOSMaxJobsPerUserLimit', 'AssocMaxJobsLimit', 'QOSMaxWallDurationPerJobLimit', 'AssocMaxWallDurationPerJobLimit'],
  check(job, s) {
    if (!s.limits.on) return null;
    return s.limits.reason(job, job.ready[0] as TaskRt);
  },
};
