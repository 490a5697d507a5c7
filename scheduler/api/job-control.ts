// Helpers of the job-control routes that read the queue (the core decides; these only compute
// what to ask it).
import type { JobView } from '../core/index.js';
import type { LiveDriver } from '../driver/index.js';
import { ApiProblem } from './errors.js';

/**
 * scontrol top: the nice that puts these jobs just ahead of the highest-priority other pending
 * job (a job already first keeps its nice). Only pending jobs can be moved.
 */
export function topNice(driver: LiveDriver, ids: number[]): number {
  const mine = new Set(ids);
  const views = ids.map((id) => driver.core.job(id)).filter((v): v is JobView => v !== undefined && v.state === 'PENDING');
  const first = views[0];
  if (first === undefined) throw new ApiProblem('INVALID_STATE', `job ${ids[0]} is not pending: only a pending job can be put on top`, 'id');
  const lowest = Math.min(...views.map((v) => v.priority.total));
  const best = driver.core.queue().find((j) => !mine.has(j.id));
  if (best === undefined || lowest > best.priority.total) return first.nice;
  return Math.round(first.nice - (best.priority.total - lowest) - 1);
}
